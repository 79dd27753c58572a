/**
 * The body of a request whose progress is told, and the slices the
 * progress transports hand it over in.
 *
 * @module
 */

/** A body whose length is known before it is sent, as Upload Part needs. */
export type KnownLengthBody = Uint8Array | Blob;

/**
 * Tells how many bytes of this attempt's body the transport has taken so
 * far; each attempt starts again from 0.
 */
export type OnBodySent = (sent: number) => void;

/**
 * Bytes handed to a transport at a time. Small enough that a slow link
 * (1 MiB/s) still moves the count several times a second, large enough that
 * a fast one (1 GiB/s) takes few calls.
 */
export const SLICE_SIZE = 256 * 1024;

/** The body's length in bytes. */
export function bodyLength(body: KnownLengthBody): number {
  return body instanceof Blob ? body.size : body.length;
}

/**
 * The body in slices of at most {@linkcode SLICE_SIZE} bytes: views of the
 * bytes, not copies; a Blob is read one slice at a time, as the transport asks.
 *
 * @param body The body.
 * @returns The slices, in order.
 */
export async function* bodySlices(body: KnownLengthBody): AsyncGenerator<Uint8Array> {
  const length = bodyLength(body);
  for (let offset = 0; offset < length; offset += SLICE_SIZE) {
    const end = Math.min(length, offset + SLICE_SIZE);
    yield body instanceof Blob
      ? new Uint8Array(await body.slice(offset, end).arrayBuffer())
      : body.subarray(offset, end);
  }
}
