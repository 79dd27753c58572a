import type { Client } from "../client.ts";
import { encodeKey } from "../request/encode_key.ts";
import { type Encryption, encryptionHeaders } from "../request/encryption_headers.ts";
import { readEtag } from "../request/etag.ts";
import { send } from "../request/send.ts";
import {
  check,
  checkBucket,
  checkHeaderValue,
  checkKey,
  checkPartNumber,
  checkPartSize,
  checkUpload,
} from "../validate.ts";
import { partQuery, type PartTarget, type UploadPartResult } from "./upload_part.ts";

/** Input of {@linkcode uploadPartCopy}. */
export interface UploadPartCopyInput extends PartTarget {
  /** The object to copy from, in the same zone. */
  source: { bucket: string; key: string };
  /** The bytes to copy, `first` to `last` inclusive; the whole object when absent. */
  range?: { first: number; last: number };
  /** Copy only if the source's ETag matches. */
  ifMatch?: string;
  /** The source object's SSE-C key, if it is encrypted. */
  sourceEncryption?: Encryption;
}

/** Result of {@linkcode uploadPartCopy}. */
export interface UploadPartCopyResult extends UploadPartResult {
  /** What the service copied, e.g. `"bytes 0-8388607/104857600"`, when a range was given. */
  copyRange?: string;
}

/**
 * Copies a byte range of an existing object into a part (spec §6.3), so
 * objects can be copied or stitched together without passing their bytes
 * through the client. The range must obey the part size rules.
 *
 * @param client The client.
 * @param input The target part, the source object and the range.
 * @returns The part's ETag and the range copied.
 * @throws {ValidationError} If an address, part number or range is invalid; nothing is sent.
 * @throws {QingStorError} If the service refuses (`object_not_exists`, `invalid_range`,
 * `precondition_failed`, …).
 *
 * @example
 * ```ts
 * import {
 *   completeMultipartUpload,
 *   createClient,
 *   initiateMultipartUpload,
 *   upload,
 *   uploadPartCopy,
 * } from "@qingstor-multipart/core";
 * import { createEmulator } from "@qingstor-multipart/core/testing";
 * import assert from "node:assert/strict";
 *
 * // The emulator stands in for QingStor; for the service, give `zone` and your keys instead.
 * const credentials = { accessKeyId: "AKID", secretAccessKey: "secret" };
 * const emulator = createEmulator({ credentials: [credentials], minPartSize: 1 });
 * const client = createClient({ endpoint: "http://localhost", credentials, fetch: emulator.fetch });
 *
 * await upload(client, { bucket: "mybucket", key: "source", body: "0123456789", minPartSize: 1 });
 * const target = { bucket: "mybucket", key: "copy" };
 * const { uploadId } = await initiateMultipartUpload(client, target);
 * const { copyRange } = await uploadPartCopy(client, {
 *   ...target,
 *   uploadId,
 *   partNumber: 0,
 *   source: { bucket: "mybucket", key: "source" },
 *   range: { first: 2, last: 5 },
 * });
 * assert.equal(copyRange, "bytes 2-5/10");
 * await completeMultipartUpload(client, { ...target, uploadId, parts: [{ partNumber: 0 }] });
 * assert.equal(emulator.state.objects.get("mybucket/copy")?.size, 4);
 * ```
 */
export async function uploadPartCopy(
  client: Client,
  input: UploadPartCopyInput,
): Promise<UploadPartCopyResult> {
  checkUpload(input);
  checkPartNumber(input.partNumber);
  check(
    typeof input.source == "object" && input.source !== null,
    "source",
    "Source must be the object to copy from, { bucket, key }",
    input.source,
  );
  checkBucket(input.source.bucket, "source.bucket");
  checkKey(input.source.key, "source.key");
  if (input.ifMatch !== undefined) checkHeaderValue("ifMatch", input.ifMatch);
  const { range } = input;
  if (range) {
    check(
      Number.isSafeInteger(range.first) && Number.isSafeInteger(range.last) && range.first >= 0 &&
        range.first <= range.last,
      "range",
      "Range must be whole numbers with 0 <= first <= last",
      `${range.first}-${range.last}`,
    );
    checkPartSize(range.last - range.first + 1, "range");
  }
  const response = await send(client, {
    operation: "uploadPartCopy",
    method: "PUT",
    bucket: input.bucket,
    key: input.key,
    query: partQuery(input),
    headers: {
      // Encoded like a request path (spec §6.3); the encoded form is what is signed.
      "x-qs-copy-source": `/${input.source.bucket}/${encodeKey(input.source.key)}`,
      "x-qs-copy-range": range && `bytes=${range.first}-${range.last}`,
      "x-qs-copy-source-if-match": input.ifMatch,
      ...await encryptionHeaders(input.encryption),
      ...await encryptionHeaders(input.sourceEncryption, "x-qs-copy-source-encryption-customer-"),
    },
    expect: 201,
    signal: input.signal,
  });
  return {
    etag: readEtag(response.headers),
    copyRange: response.headers.get("x-qs-content-copy-range") ?? undefined,
    requestId: response.requestId,
  };
}
