/**
 * `upload()` of a body that fits in one part: one PUT Object instead of
 * initiate, one part and complete, so no upload is ever left open.
 *
 * Loaded on demand, by an upload whose body turned out to fit: it reaches the
 * library through the package's entry, so that the npm package ships it as a
 * file of its own that shares the entry's classes (see scripts/build_npm.ts).
 *
 * @module
 */
import { type Client, putObject } from "../../mod.ts";
import { untilAborted } from "../until_aborted.ts";
import type { SinglePutResult, UploadInput } from "./upload.ts";

/**
 * Sends a whole body in one PUT, with the upload's options (type, metadata,
 * storage class, key, MD5, signal; the client's retries), and reports its
 * bytes to `onProgress` as they go out (as one part, with no upload ID), and
 * once more when the object exists.
 *
 * @param client The client.
 * @param input The upload's input.
 * @param whole The body, whole.
 * @returns The object's size and ETag.
 * @throws {QingStorError} If the PUT fails for good.
 * @throws The signal's reason, when the signal aborts; what `onProgress` throws.
 */
export async function putWhole(
  client: Client,
  input: UploadInput,
  whole: Uint8Array,
): Promise<SinglePutResult> {
  const { bucket, key, signal } = input;
  const size = whole.length;
  // Loaded only with an onProgress, as for a multipart upload; an abort ends a load that stalls.
  const reporter = input.onProgress &&
    (await untilAborted(import("./progress_reporter.ts"), signal)).progressReporter(
      { total: size, partsTotal: 1 },
      input.onProgress,
    );
  try {
    const { etag, encryptionAlgorithm, requestId } = await putObject(client, {
      bucket,
      key,
      body: whole,
      contentType: input.contentType,
      storageClass: input.storageClass,
      metadata: input.metadata,
      encryption: input.encryption,
      md5: input.md5 !== false,
      // An onProgress that throws fails the PUT, as it fails a multipart upload.
      signal: reporter
        ? AbortSignal.any([reporter.failure, signal].filter((given) => given != undefined))
        : signal,
      onProgress: reporter && ((sent) => reporter.sending(0, sent)),
    });
    reporter?.done({ partNumber: 0, size, etag });
    reporter?.flush();
    reporter?.failure.throwIfAborted();
    return {
      bucket,
      key,
      size,
      requestId,
      ...etag !== undefined && { etag },
      ...encryptionAlgorithm !== undefined && { encryptionAlgorithm },
    };
  } catch (error) {
    throw reporter?.failure.aborted && !signal?.aborted ? reporter.failure.reason : error;
  } finally {
    reporter?.stop();
  }
}
