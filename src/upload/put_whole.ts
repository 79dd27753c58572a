/**
 * `upload()` of a body that fits in one part: one PUT Object instead of
 * initiate, one part and complete, so no upload is ever left open.
 *
 * @module
 */
import type { Client } from "../client.ts";
import { putObject } from "../operations/put_object.ts";
import type { SinglePutResult, UploadInput } from "./upload.ts";

/**
 * Sends a whole body in one PUT, with the upload's options (type, metadata,
 * storage class, key, MD5, signal; the client's retries), and reports it to
 * `onProgress` once, when the object exists.
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
  const { bucket, key } = input;
  const { etag, encryptionAlgorithm, requestId } = await putObject(client, {
    bucket,
    key,
    body: whole,
    contentType: input.contentType,
    storageClass: input.storageClass,
    metadata: input.metadata,
    encryption: input.encryption,
    md5: input.md5 !== false,
    signal: input.signal,
  });
  const size = whole.length;
  input.onProgress?.({ loaded: size, total: size, partsDone: 1, partsTotal: 1 });
  return {
    bucket,
    key,
    size,
    requestId,
    ...etag !== undefined && { etag },
    ...encryptionAlgorithm !== undefined && { encryptionAlgorithm },
  };
}
