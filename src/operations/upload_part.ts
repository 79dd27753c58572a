import type { Client } from "../client.ts";
import { type Encryption, encryptionHeaders } from "../request/encryption_headers.ts";
import { putBody } from "../request/put_body.ts";
import type { QueryParameter } from "../request/request_url.ts";
import { check, checkNotShared, checkPartNumber, checkPartSize, checkUpload } from "../validate.ts";
import type { UploadAddress } from "./upload_address.ts";

/** Where a part goes: the upload and the part number. */
export interface PartTarget extends UploadAddress {
  /** The part number, 0 to 10000; the same number again replaces the part. */
  partNumber: number;
  /** The key given at initiate, for an encrypted upload. */
  encryption?: Encryption;
}

/** Input of {@linkcode uploadPart}. */
export interface UploadPartInput extends PartTarget {
  /** The part's bytes: at least 4 MiB unless it is the last part, at most 5 GB. */
  body: Uint8Array | ArrayBuffer | Blob;
  /**
   * Content-MD5, so the service refuses bytes damaged on the way: `true`
   * (the default) computes it, `false` sends none, a string is used as the
   * base64 MD5 already computed.
   */
  md5?: boolean | string;
  /**
   * Told how many of the part's bytes the transport has taken in this
   * attempt, as it takes them; a retry starts again from 0. Where the
   * runtime has no way to count (Workers, a client's own `fetch`), it is
   * never called (see docs/protocol.md#upload-progress-by-runtime). Not
   * throttled: it may be called for every 256 KiB.
   */
  onProgress?: (sent: number) => void;
}

/** Result of {@linkcode uploadPart} and {@linkcode uploadPartCopy}. */
export interface UploadPartResult {
  /** The part's ETag without quotes; absent if a browser may not read it (CORS `expose_headers`). */
  etag?: string;
  /** The SSE-C algorithm the service echoes for an encrypted upload (`"AES256"`); else absent. */
  encryptionAlgorithm?: string;
  /** The `x-qs-request-id` of the response. */
  requestId: string;
}

/**
 * Uploads one part of a multipart upload: `PUT /<key>?part_number=N&upload_id=ID`
 * (see docs/protocol.md#upload-part).
 * The body is sent with a known length, as the service requires, and with
 * Content-MD5 unless turned off. It is retried on network errors, 5xx and
 * `bad_digest`, re-sending the same bytes.
 *
 * @param client The client.
 * @param input The part.
 * @returns The part's ETag, to pass to {@linkcode completeMultipartUpload}.
 * @throws {ValidationError} If the address, part number, size or `onProgress` is invalid; nothing
 * is sent.
 * @throws {QingStorError} If the service refuses the part (e.g. `upload_not_exists`).
 *
 * @example
 * ```ts
 * import { createClient, initiateMultipartUpload, uploadPart } from "qingstor-multipart";
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
 * const { etag } = await uploadPart(client, {
 *   ...target,
 *   uploadId,
 *   partNumber: 0,
 *   body: new Uint8Array(4 * 1024 * 1024),
 * });
 * assert.equal(etag, "b5cfa9d6c8febd618f91ac2843d50a1c"); // the part's MD5
 * ```
 */
export async function uploadPart(
  client: Client,
  input: UploadPartInput,
): Promise<UploadPartResult> {
  checkUpload(input);
  checkPartNumber(input.partNumber);
  const given = input.body;
  check(
    given instanceof Uint8Array || given instanceof ArrayBuffer || given instanceof Blob,
    "body",
    "A part body must be a Uint8Array, ArrayBuffer or Blob",
    Object.prototype.toString.call(given),
  );
  checkNotShared(given);
  // slice() drops a Blob's type, so no Content-Type goes out (where the runtime keeps it, Bun, it is
  // signed as sent).
  const body = given instanceof Blob
    ? given.slice()
    : given instanceof ArrayBuffer
    ? new Uint8Array(given)
    : given;
  checkPartSize(body instanceof Blob ? body.size : body.length);
  return await putBody(client, {
    operation: "uploadPart",
    bucket: input.bucket,
    key: input.key,
    query: partQuery(input),
    headers: await encryptionHeaders(input.encryption),
    body,
    md5: input.md5 ?? true,
    signal: input.signal,
    onProgress: input.onProgress,
  });
}

/** The query that addresses a part, for Upload Part and Upload Part Copy alike. */
export function partQuery(target: PartTarget): QueryParameter[] {
  return [["part_number", target.partNumber], ["upload_id", target.uploadId]];
}
