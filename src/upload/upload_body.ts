/**
 * The body model of `upload()`: what it reads an object's bytes from, the
 * length a body has without being read, and how a body that will not be read
 * is released.
 *
 * @module
 */
/** Everything `upload()` can read an object's bytes from. */
export type UploadBody =
  | ReadableStream<Uint8Array>
  | Blob
  | Uint8Array
  | ArrayBuffer
  | string
  | AsyncIterable<Uint8Array>;

/** The length of a body that has one without being read. */
export function knownLength(body: UploadBody): number | undefined {
  if (body instanceof Blob) return body.size;
  if (body instanceof Uint8Array || body instanceof ArrayBuffer) return body.byteLength;
  return undefined;
}

/**
 * Releases a body that will not be read after all, so that a stream does
 * not hold its source (a file, a network response) open. Bodies held in
 * memory, and values that are no body at all, need nothing.
 *
 * @param body The body, as the caller gave it.
 * @param reason Why, passed on to the stream.
 */
export function cancelBody(body: unknown, reason: unknown): void {
  if (body instanceof ReadableStream) {
    if (!body.locked) runIgnoringOutcome(() => body.cancel(reason));
  } else if (typeof body == "object" && body !== null && Symbol.asyncIterator in body) {
    runIgnoringOutcome(() => (body as AsyncIterable<unknown>)[Symbol.asyncIterator]().return?.());
  }
}

/**
 * Runs a clean-up step and ignores how it ends: a source's `return()` may
 * throw, reject, or hand back a plain value, and none of that may hide the
 * error being reported.
 *
 * @param step The clean-up step; it runs on a later microtask.
 */
export function runIgnoringOutcome(step: () => unknown): void {
  Promise.resolve().then(step).catch(() => {});
}
