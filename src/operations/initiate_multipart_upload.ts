import type { Client } from "../client.ts";
import { QingStorError } from "../errors.ts";
import { objectHeaders, type ObjectProperties } from "../request/object_headers.ts";
import { send } from "../request/send.ts";
import { checkBucket, checkKey } from "../validate.ts";

/** The object an upload is to create: where, and its properties. */
export interface ObjectTarget {
  /** The bucket. */
  bucket: string;
  /** The object key: 1 to 1023 UTF-8 bytes. */
  key: string;
  /** Cancels the request. */
  signal?: AbortSignal;
  /**
   * Stops retrying (and any backoff wait) without cancelling an attempt in
   * flight, whose outcome is then learnt rather than left unknown: for this
   * request, which is not idempotent, that is safer than `signal`. An
   * attempt not sent yet (getting credentials, signing) stops at once.
   */
  stopRetries?: AbortSignal;
}

/**
 * Input of {@linkcode initiateMultipartUpload}: where, and the finished
 * object's properties (with SSE-C, every part must use the same key).
 */
export interface InitiateMultipartUploadInput extends ObjectTarget, ObjectProperties {}

/** Result of {@linkcode initiateMultipartUpload}. */
export interface InitiateMultipartUploadResult {
  /** The bucket. */
  bucket: string;
  /** The object key. */
  key: string;
  /** The ID that every later call of this upload names. */
  uploadId: string;
  /** The SSE-C algorithm the service echoes for an encrypted upload (`"AES256"`); else absent. */
  encryptionAlgorithm?: string;
  /** The `x-qs-request-id` of the response. */
  requestId: string;
}

/**
 * Starts a multipart upload: `POST /<key>?uploads` (see
 * docs/protocol.md#initiate-multipart-upload). Each call returns a new upload
 * ID, even for the same key. Parts uploaded under it take space until the
 * upload is completed or aborted.
 *
 * Initiate is not idempotent. When an attempt goes out and its answer is
 * lost (a dropped connection, the timeout, a 5xx from a gateway), the
 * service may have created an upload all the same, and every retry may
 * create another: uploads whose IDs nobody knows, taking space until they
 * are aborted. A failure then says so (`mayHaveTakenEffect`); a success
 * cannot. `upload()` cleans these up itself; used alone, list the key's
 * uploads (`iterateMultipartUploads` with `prefix: key`) and abort those you
 * do not know, or send no retries (`retry: { maxAttempts: 1 }`).
 *
 * @param client The client.
 * @param input The object to create.
 * @returns The upload ID, with the request ID.
 * @throws {ValidationError} If the bucket, key, content type, storage class, metadata or
 * encryption key breaks a rule of the service; nothing is sent then.
 * @throws {QingStorError} If the service refuses the request, or cannot be reached; with
 * `mayHaveTakenEffect` when an attempt got no answer or a 5xx, so an upload may exist.
 *
 * @example
 * ```ts
 * import { createClient, initiateMultipartUpload } from "qingstor-multipart";
 * import { createEmulator } from "qingstor-multipart/testing";
 * import assert from "node:assert/strict";
 *
 * // The emulator stands in for QingStor; for the service, give `zone` and your keys instead.
 * const credentials = { accessKeyId: "AKID", secretAccessKey: "secret" };
 * const emulator = createEmulator({ credentials: [credentials] });
 * const client = createClient({ endpoint: "http://localhost", credentials, fetch: emulator.fetch });
 *
 * const { uploadId } = await initiateMultipartUpload(client, {
 *   bucket: "mybucket",
 *   key: "videos/movie.mp4",
 *   contentType: "video/mp4",
 *   metadata: { owner: "alice" },
 * });
 * assert.equal(emulator.state.uploads.get(uploadId)?.key, "videos/movie.mp4");
 * ```
 */
export function initiateMultipartUpload(
  client: Client,
  input: InitiateMultipartUploadInput,
): Promise<InitiateMultipartUploadResult> {
  return initiateUpload(client, input);
}

/**
 * Does what {@linkcode initiateMultipartUpload} does, telling `onUncertain`
 * when the first attempt that may have created an upload unseen was sent:
 * `upload()` then finds and aborts the uploads created since.
 *
 * @param client The client.
 * @param input The object to create.
 * @param onUncertain Told the local time the first unanswered (or 5xx) attempt was sent at.
 * @returns The upload ID, with the request ID.
 * @throws {ValidationError} As {@linkcode initiateMultipartUpload}.
 * @throws {QingStorError} As {@linkcode initiateMultipartUpload}.
 */
export async function initiateUpload(
  client: Client,
  input: InitiateMultipartUploadInput,
  onUncertain?: (sentAt: number) => void,
): Promise<InitiateMultipartUploadResult> {
  const { bucket, key } = input;
  checkBucket(bucket);
  checkKey(key);
  const { body, headers: answer, requestId, attempts } = await send<
    { upload_id?: unknown; bucket?: string; key?: string }
  >(
    client,
    {
      operation: "initiateMultipartUpload",
      method: "POST",
      bucket,
      key,
      query: [["uploads"]],
      headers: await objectHeaders(input),
      expect: 200,
      signal: input.signal,
      stopRetries: input.stopRetries,
      onUncertain,
    },
  );
  if (typeof body?.upload_id != "string" || !body.upload_id) {
    throw new QingStorError({
      operation: "initiateMultipartUpload",
      status: 200,
      message: "The service's answer has no upload_id",
      requestId,
      attempts,
      // A success: an upload was probably made, and its ID is not known.
      mayHaveTakenEffect: true,
    });
  }
  return {
    bucket: body.bucket ?? bucket,
    key: body.key ?? key,
    uploadId: body.upload_id,
    encryptionAlgorithm: answer.get("x-qs-encryption-customer-algorithm") ?? undefined,
    requestId,
  };
}
