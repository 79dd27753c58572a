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
  /** Copy only if the source's ETag matches (`X-QS-Copy-Source-If-Match`). */
  ifMatch?: string;
  /** Copy only if the source's ETag differs (`X-QS-Copy-Source-If-None-Match`). */
  ifNoneMatch?: string;
  /** Copy only if the source changed after this time (`X-QS-Copy-Source-If-Modified-Since`). */
  ifModifiedSince?: Date;
  /** Copy only if the source did not change after this time (`X-QS-Copy-Source-If-Unmodified-Since`). */
  ifUnmodifiedSince?: Date;
  /** The source object's SSE-C key, if it is encrypted. */
  sourceEncryption?: Encryption;
}

/** Result of {@linkcode uploadPartCopy}. */
export interface UploadPartCopyResult extends UploadPartResult {
  /** What the service copied, e.g. `"bytes 0-8388607/104857600"`, when a range was given. */
  copyRange?: string;
}

/**
 * Copies a byte range of an existing object into a part (see
 * docs/protocol.md#upload-part-copy), so objects can be copied or stitched
 * together without passing their bytes through the client. The range must obey
 * the part size rules.
 *
 * @param client The client.
 * @param input The target part, the source object and the range.
 * @returns The part's ETag and the range copied.
 * @throws {ValidationError} If an address, part number, range, ETag condition or date is
 * invalid; nothing is sent.
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
 * } from "qingstor-multipart";
 * import { createEmulator } from "qingstor-multipart/testing";
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
  for (const name of ["ifMatch", "ifNoneMatch"] as const) {
    if (input[name] !== undefined) checkHeaderValue(name, input[name]);
  }
  for (const name of ["ifModifiedSince", "ifUnmodifiedSince"] as const) {
    const date = input[name];
    check(
      date === undefined || (date instanceof Date && !Number.isNaN(date.getTime())),
      name,
      `${name} must be a valid Date`,
      date instanceof Date ? "an invalid Date" : typeof date,
    );
  }
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
      // Encoded like a request path; the encoded form is what is signed (see
      // docs/protocol.md#upload-part-copy).
      "x-qs-copy-source": `/${input.source.bucket}/${encodeKey(input.source.key)}`,
      "x-qs-copy-range": range && `bytes=${range.first}-${range.last}`,
      "x-qs-copy-source-if-match": input.ifMatch,
      "x-qs-copy-source-if-none-match": input.ifNoneMatch,
      // HTTP dates, as the service takes them (RFC 822 with a four-digit year, in GMT).
      "x-qs-copy-source-if-modified-since": input.ifModifiedSince?.toUTCString(),
      "x-qs-copy-source-if-unmodified-since": input.ifUnmodifiedSince?.toUTCString(),
      ...await encryptionHeaders(input.encryption),
      ...await encryptionHeaders(input.sourceEncryption, "x-qs-copy-source-encryption-customer-"),
    },
    expect: 201,
    signal: input.signal,
  });
  return {
    etag: readEtag(response.headers),
    copyRange: response.headers.get("x-qs-content-copy-range") ?? undefined,
    encryptionAlgorithm: response.headers.get("x-qs-encryption-customer-algorithm") ?? undefined,
    requestId: response.requestId,
  };
}
