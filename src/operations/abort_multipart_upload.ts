import type { Client } from "../client.ts";
import { send } from "../request/send.ts";
import { checkUpload } from "../validate.ts";
import type { UploadAddress } from "./upload_address.ts";

/** Input of {@linkcode abortMultipartUpload}. */
export type AbortMultipartUploadInput = UploadAddress;

/**
 * Aborts a multipart upload (see docs/protocol.md#abort-multipart-upload) and
 * frees its parts' space. It is idempotent: aborting an upload that is gone,
 * finished or never existed succeeds too.
 *
 * @param client The client.
 * @param input The upload.
 * @returns The request ID.
 * @throws {ValidationError} If the address is invalid; nothing is sent.
 * @throws {QingStorError} If the service refuses (e.g. `bucket_not_exists`).
 *
 * @example
 * ```ts
 * import {
 *   abortMultipartUpload,
 *   createClient,
 *   initiateMultipartUpload,
 * } from "qingstor-multipart";
 * import { createEmulator } from "qingstor-multipart/testing";
 * import assert from "node:assert/strict";
 *
 * // The emulator stands in for QingStor; for the service, give `zone` and your keys instead.
 * const credentials = { accessKeyId: "AKID", secretAccessKey: "secret" };
 * const emulator = createEmulator({ credentials: [credentials] });
 * const client = createClient({ endpoint: "http://localhost", credentials, fetch: emulator.fetch });
 *
 * const target = { bucket: "mybucket", key: "large-object" };
 * const { uploadId } = await initiateMultipartUpload(client, target);
 * await abortMultipartUpload(client, { ...target, uploadId });
 * await abortMultipartUpload(client, { ...target, uploadId }); // again: still fine
 * assert.equal(emulator.state.uploads.size, 0);
 * ```
 */
export async function abortMultipartUpload(
  client: Client,
  input: AbortMultipartUploadInput,
): Promise<{ requestId: string }> {
  checkUpload(input);
  const { requestId } = await send(client, {
    operation: "abortMultipartUpload",
    method: "DELETE",
    bucket: input.bucket,
    key: input.key,
    query: [["upload_id", input.uploadId]],
    expect: 204,
    signal: input.signal,
  });
  return { requestId };
}
