import { untilAborted } from "../until_aborted.ts";
import { knownLength, runIgnoringOutcome, type UploadBody } from "./upload_body.ts";
import { check, MAX_PART_SIZE, MAX_PARTS } from "../validate.ts";

/** One part cut from the body. */
export interface SourcePart {
  /** The part number, from 0. */
  partNumber: number;
  /** The part's bytes, owned by the caller. */
  bytes: Uint8Array;
  /**
   * Whether it is the body's last part: always right for the first part (a
   * body whose first part is its last goes in one PUT); for a stream, a later
   * part that fills up says `false` even when nothing follows it.
   */
  last: boolean;
}

/** How many parts share a size before it doubles, when the body's length is unknown. */
const PARTS_PER_SIZE = 1000;

/**
 * The size of part `index`. With a known total the size is fixed, so part
 * `i` holds bytes `[i × size, (i + 1) × size)`. With an unknown total the
 * size doubles every 1000 parts, so 10,000 parts hold 1023 × 1000 base-sized
 * parts' worth of bytes (8.6 TB at 8 MiB) and the limit is never reached first.
 *
 * @param index The part's index.
 * @param sizing The starting part size, and whether the total is unknown (the size then grows).
 * @returns The part's size in bytes.
 */
export function partSizeAt(index: number, sizing: PartSizing): number {
  const { partSize, growing } = sizing;
  return growing
    ? Math.min(MAX_PART_SIZE, partSize * 2 ** Math.floor(index / PARTS_PER_SIZE))
    : partSize;
}

/** How parts are sized: the first part's size, and whether later ones grow. */
export interface PartSizing {
  /** The part size, or the starting one when it grows. */
  partSize: number;
  /** Whether the size doubles every 1000 parts (the body's length is unknown). */
  growing: boolean;
}

/** What {@linkcode readParts} cuts a body by. */
export interface ReadPartsOptions {
  /** The part size; it grows when `size` is unknown (see `partSizeAt`). */
  partSize: number;
  /** The total length the caller promised, checked as bytes arrive. */
  size?: number;
  /** Stops a read that is waiting for the source, and cancels the source. */
  signal?: AbortSignal;
}

/**
 * A failure of the body itself, told apart from failed requests; `upload()`
 * turns it into the public `SourceError`.
 */
export class BodyReadFailure {
  /**
   * @param cause What the body threw, or what was wrong with it.
   */
  constructor(readonly cause: unknown) {}
}

/**
 * Cuts a body into parts, reading only as far as the consumer pulls, so at
 * most one part is being filled at a time (backpressure). Bytes and Blobs
 * are sliced without copying the whole; streams and iterables are copied
 * chunk by chunk into one buffer per part. An empty body gives one empty part.
 * A stream's full first part is held until its next chunk (or its end)
 * arrives, to tell whether it is the last; that chunk waits, uncopied, until
 * the next part is asked for, so no second buffer is filled before then.
 *
 * @param body The body (a string has already been encoded).
 * @param options The part size, the promised total, and the signal.
 * @returns The parts, in order.
 * @throws {BodyReadFailure} If the body fails or does not have the promised length, or a slice of
 * a Blob reads shorter or longer than asked (its file changed).
 * @throws {ValidationError} If the body needs more than 10,000 parts.
 * @throws The signal's reason, when it aborts.
 */
export async function* readParts(
  body: Exclude<UploadBody, string>,
  options: ReadPartsOptions,
): AsyncGenerator<SourcePart, void, undefined> {
  const { partSize: base, size: expected, signal } = options;
  const total = knownLength(body);
  if (total !== undefined) {
    const bytes = body instanceof ArrayBuffer ? new Uint8Array(body) : body as Uint8Array | Blob;
    for (let offset = 0, partNumber = 0; offset < total || partNumber == 0; partNumber++) {
      signal?.throwIfAborted();
      const end = Math.min(total, offset + base);
      const part = bytes instanceof Blob
        ? await readBlob(bytes, offset, end)
        : bytes.subarray(offset, end);
      yield { partNumber, bytes: part, last: end == total };
      offset = end;
    }
    return;
  }
  const chunks = iterate(body as ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>);
  let partNumber = 0;
  let offset = 0;
  // Allocated when the first byte of a part arrives, not before: a body that ends on a part
  // boundary never pays for an empty buffer.
  let buffer: Uint8Array | undefined;
  let filled = 0;
  // A full first part, held until the next chunk or the end tells whether it is the last.
  let full: Uint8Array | undefined;
  try {
    for (;;) {
      signal?.throwIfAborted();
      let next: IteratorResult<Uint8Array>;
      try {
        next = await untilAborted(chunks.next(), signal);
      } catch (error) {
        throw signal?.aborted ? error : new BodyReadFailure(error);
      }
      if (next.done) break;
      let chunk = next.value;
      if (!(chunk instanceof Uint8Array)) {
        throw new BodyReadFailure(
          new TypeError("The body yielded a chunk that is not a Uint8Array"),
        );
      }
      if (expected !== undefined && offset + filled + chunk.length > expected) {
        throw new BodyReadFailure(wrongLength(offset + filled + chunk.length, expected));
      }
      if (full && chunk.length) {
        yield { partNumber: partNumber++, bytes: full, last: false };
        full = undefined;
      }
      while (chunk.length) {
        if (!buffer) {
          // Checked before the buffer is made: with growing sizes, part 10000 would take 5 GB.
          check(
            partNumber < MAX_PARTS,
            "body",
            `The body needs more than ${MAX_PARTS} parts`,
            partNumber,
          );
          // No larger than the bytes still to come, when their number is known.
          buffer = new Uint8Array(
            Math.min(
              partSizeAt(partNumber, { partSize: base, growing: expected === undefined }),
              expected === undefined ? Infinity : expected - offset,
            ),
          );
        }
        const take = Math.min(chunk.length, buffer.length - filled);
        buffer.set(chunk.subarray(0, take), filled);
        filled += take;
        chunk = chunk.subarray(take);
        if (filled == buffer.length) {
          if (partNumber == 0 && !chunk.length) full = buffer;
          else yield { partNumber: partNumber++, bytes: buffer, last: false };
          offset += filled;
          buffer = undefined;
          filled = 0;
        }
      }
    }
  } finally {
    // Stops a source that is still producing when the upload ends early. Not awaited: an async
    // generator runs its return() only after a pending next(), which may never come.
    runIgnoringOutcome(() => chunks.return?.(undefined));
  }
  const length = offset + filled;
  // Checked before the last part goes: a body shorter than promised must not become an object.
  if (expected !== undefined && length != expected) {
    throw new BodyReadFailure(wrongLength(length, expected));
  }
  if (full) yield { partNumber, bytes: full, last: true };
  else if (filled || partNumber == 0) {
    yield { partNumber, bytes: buffer?.subarray(0, filled) ?? new Uint8Array(0), last: true };
  }
}

function wrongLength(length: number, expected: number): RangeError {
  return new RangeError(
    length > expected
      ? `The body is longer than the ${expected} bytes given as size`
      : `The body had ${length} bytes, not the ${expected} given as size`,
  );
}

/**
 * Reads bytes `[start, end)` of a Blob. A slice that reads shorter (or
 * longer) than asked is refused: a Blob backed by a file that was truncated
 * meanwhile gives short or empty slices in some runtimes (Bun), which would
 * otherwise become short parts, or a silently truncated object.
 */
async function readBlob(blob: Blob, start: number, end: number): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await blob.slice(start, end).arrayBuffer());
  } catch (error) {
    // A File whose underlying file changed or vanished cannot be read.
    throw new BodyReadFailure(error);
  }
  if (bytes.length != end - start) {
    throw new BodyReadFailure(
      new RangeError(
        `Bytes ${start} to ${end} of the body read as ${bytes.length} bytes, not ${
          end - start
        }: the Blob changed while it was read (a file truncated?)`,
      ),
    );
  }
  return bytes;
}

/** One iterator over a stream or an async iterable; not every runtime makes streams iterable. */
function iterate(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
): AsyncIterator<Uint8Array> {
  if (!(body instanceof ReadableStream)) return body[Symbol.asyncIterator]();
  const reader = body.getReader();
  return {
    next: () => reader.read() as Promise<IteratorResult<Uint8Array>>,
    return: async () => {
      // Cancelling also settles a read still waiting for data.
      await reader.cancel();
      reader.releaseLock();
      return { done: true, value: undefined };
    },
  };
}
