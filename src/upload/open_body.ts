/**
 * How `upload()` begins with a body: one that fits in one part goes in one
 * PUT; for one whose size is unknown (a stream), that is known only once its
 * first part has been read, and then its reading goes on in the part pool.
 *
 * @module
 */
import type { OpenedParts } from "./part_pool.ts";
import type { UploadPlan } from "./plan_upload.ts";
import { readParts, type SourcePart } from "./read_parts.ts";

/** A body that fits in one part, whole: to go in one PUT. */
export interface WholeBody {
  /** The bytes; a Blob's are read as a part's are, its length checked. */
  whole: Uint8Array;
}

/**
 * Tells whether a body fits in one part, reading no more than its first part
 * (and one chunk after it) to know.
 *
 * @param plan The upload's plan.
 * @param signal The caller's signal: stops the reading.
 * @returns The whole body when it fits in one part; the parts, when reading
 * a stream showed it does not; `undefined` when its size shows it does not.
 * @throws {BodyReadFailure} If the body fails, or does not have the promised length.
 * @throws The signal's reason, when it aborts.
 */
export async function openBody(
  plan: UploadPlan,
  signal?: AbortSignal,
): Promise<WholeBody | OpenedParts | undefined> {
  const { body, size, partSize } = plan;
  if (size !== undefined && size > partSize) return undefined;
  if (body instanceof Uint8Array || body instanceof ArrayBuffer) {
    return { whole: body instanceof ArrayBuffer ? new Uint8Array(body) : body };
  }
  const reading = new AbortController();
  const stop = () => reading.abort(signal!.reason);
  signal?.addEventListener("abort", stop, { once: true });
  if (signal?.aborted) stop();
  try {
    const parts = readParts(body, { partSize, size, signal: reading.signal });
    // Never done: even an empty body gives one part.
    const first = (await parts.next()).value as SourcePart;
    if (first.last) {
      await parts.return();
      return { whole: first.bytes };
    }
    return { first, rest: parts, reading };
  } finally {
    signal?.removeEventListener("abort", stop);
  }
}
