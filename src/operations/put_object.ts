import type { Client } from "../client.ts";
import { objectHeaders, type ObjectProperties } from "../request/object_headers.ts";
import { putBody } from "../request/put_body.ts";
import { check, checkBucket, checkKey, checkNotShared } from "../validate.ts";

/**
 * The largest body PUT Object takes: 5 GB, taken as 5,000,000,000 bytes as
 * for a part (see docs/protocol.md#put-object); larger objects need a multipart upload.
 */
export const MAX_PUT_OBJECT_SIZE = 5_000_000_000;

/** Input of {@linkcode putObject}. */
export interface PutObjectInput extends ObjectProperties {
  /** The bucket. */
  bucket: string;
  /** The object key: 1 to 1023 UTF-8 bytes. */
  key: string;
  /** The object's bytes, at most 5 GB; a string is sent as UTF-8. */
  body: Uint8Array | ArrayBuffer | Blob | string;
  /**
   * Content-MD5, so the service refuses bytes damaged on the way: `true`
   * (the default) computes it, `false` sends none, a string is used as the
   * base64 MD5 already computed.
   */
  md5?: boolean | string;
  /** Cancels the request. */
  signal?: AbortSignal;
  /**
   * Told how many of the body's bytes the transport has taken in this
   * attempt, as it takes them; a retry starts again from 0. Where the
   * runtime has no way to count (Workers, a client's own `fetch`), it is
   * never called (see docs/protocol.md#upload-progress-by-runtime). Not
   * throttled.
   */
  onProgress?: (sent: number) => void;
}

/** Result of {@linkcode putObject}. */
export interface PutObjectResult {
  /** The object's ETag without quotes (its MD5 in hex); absent if a browser may not read it. */
  etag?: string;
  /** The SSE-C algorithm the service echoes for an encrypted object (`"AES256"`); else absent. */
  encryptionAlgorithm?: string;
  /** The `x-qs-request-id` of the response. */
  requestId: string;
}

/**
 * Creates an object from a body sent in one request: `PUT {object}` (see
 * docs/protocol.md#put-object). It replaces any object of that key. The body
 * is sent with a known length, and with Content-MD5 unless turned off; the
 * request is idempotent, so it is retried as a part is: on network errors,
 * 5xx and `bad_digest`, re-sending the same bytes.
 *
 * For a body of unknown length (a stream), or over 5 GB, use `upload()`,
 * which sends small bodies this way and large ones as a multipart upload.
 *
 * @param client The client.
 * @param input The object and its body.
 * @returns The object's ETag, with the request ID.
 * @throws {ValidationError} If the bucket, key, body (its type, or over 5 GB), content type,
 * storage class, metadata, encryption key, MD5 or `onProgress` breaks a rule; nothing is sent then.
 * @throws {QingStorError} If the service refuses the object, or cannot be reached.
 * @throws The signal's reason, when the signal aborts. If the whole body had arrived, the
 * object may have been stored all the same.
 *
 * @example
 * ```ts
 * import { createClient, putObject } from "qingstor-multipart";
 * import { createEmulator } from "qingstor-multipart/testing";
 * import assert from "node:assert/strict";
 *
 * // The emulator stands in for QingStor; for the service, give `zone` and your keys instead.
 * const credentials = { accessKeyId: "AKID", secretAccessKey: "secret" };
 * const emulator = createEmulator({ credentials: [credentials] });
 * const client = createClient({ endpoint: "http://localhost", credentials, fetch: emulator.fetch });
 *
 * const { etag } = await putObject(client, {
 *   bucket: "mybucket",
 *   key: "notes/hello.txt",
 *   body: "hello",
 *   contentType: "text/plain",
 *   metadata: { owner: "alice" },
 * });
 * assert.equal(etag, "5d41402abc4b2a76b9719d911017c592"); // the MD5 of "hello"
 * assert.equal(emulator.state.objects.get("mybucket/notes/hello.txt")?.size, 5);
 * ```
 */
export async function putObject(client: Client, input: PutObjectInput): Promise<PutObjectResult> {
  const { bucket, key } = input;
  checkBucket(bucket);
  checkKey(key);
  const given = input.body;
  // TextEncoder would store a lone surrogate as U+FFFD: the object would not be the text given.
  check(
    typeof given != "string" || given.isWellFormed(),
    "body",
    "A string body must be well-formed Unicode, with no lone surrogate",
    "a string with a lone surrogate",
  );
  check(
    typeof given == "string" || given instanceof Uint8Array || given instanceof ArrayBuffer ||
      given instanceof Blob,
    "body",
    "Body must be a Uint8Array, ArrayBuffer, Blob or string",
    Object.prototype.toString.call(given),
  );
  checkNotShared(given);
  const bytes = typeof given == "string" ? new TextEncoder().encode(given) : given;
  const size = bytes instanceof Blob ? bytes.size : bytes.byteLength;
  check(
    size <= MAX_PUT_OBJECT_SIZE,
    "body",
    `A PUT object must be at most ${MAX_PUT_OBJECT_SIZE} bytes (use upload() for more)`,
    size,
  );
  // A Blob without its type, so Content-Type is only what contentType says (see
  // docs/protocol.md#content-type-added-by-the-runtime): Bun keeps the type through slice(), and
  // drops it only when told.
  const body = bytes instanceof Blob
    ? new Blob([bytes], { type: "" })
    : bytes instanceof ArrayBuffer
    ? new Uint8Array(bytes)
    : bytes;
  return await putBody(client, {
    operation: "putObject",
    bucket,
    key,
    headers: await objectHeaders(input),
    body,
    md5: input.md5 ?? true,
    signal: input.signal,
    onProgress: input.onProgress,
  });
}
