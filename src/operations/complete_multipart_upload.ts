import type { Client } from "../client.ts";
import { CompleteStatusUnknownError, QingStorError } from "../errors.ts";
import { hasCode } from "../inspect_error.ts";
import { type Encryption, encryptionHeaders } from "../request/encryption_headers.ts";
import { quoteEtag, unquoteEtag } from "../request/etag.ts";
import { send } from "../request/send.ts";
import { check, checkHeaderValue, checkPartNumber, checkUpload, MAX_PARTS } from "../validate.ts";
import type { UploadAddress } from "./upload_address.ts";

/** A part to assemble the object from. */
export interface CompletedPart {
  /** The part number. */
  partNumber: number;
  /** The ETag {@linkcode uploadPart} returned; optional, but it lets the service check the part. */
  etag?: string;
}

/** Input of {@linkcode completeMultipartUpload}. */
export interface CompleteMultipartUploadInput extends UploadAddress {
  /** The parts, in ascending part-number order; uploaded parts left out are dropped. */
  parts: readonly CompletedPart[];
  /** The ETag to store for the object (the service computes none for multipart objects). */
  etag?: string;
  /** The key given at initiate, for an encrypted upload (optional at complete). */
  encryption?: Encryption;
  /**
   * Stops retrying (and any backoff wait) without cancelling an attempt in
   * flight, whose outcome is then learnt rather than left unknown: for this
   * request, which is not idempotent, that is safer than `signal`. An
   * attempt not sent yet (getting credentials, signing) stops at once.
   */
  stopRetries?: AbortSignal;
}

/** Result of {@linkcode completeMultipartUpload}. */
export interface CompleteMultipartUploadResult {
  /** The bucket. */
  bucket: string;
  /** The object key. */
  key: string;
  /** The upload ID, now finished. */
  uploadId: string;
  /** The SSE-C algorithm the service echoes for an encrypted object (`"AES256"`); else absent. */
  encryptionAlgorithm?: string;
  /** The `x-qs-request-id` of the response. */
  requestId: string;
}

/**
 * Completes a multipart upload (see docs/protocol.md#complete-multipart-upload):
 * the listed parts become the object, replacing any object of that key. Parts
 * must ascend; numbers need not be contiguous.
 *
 * @param client The client.
 * @param input The upload and its parts.
 * @returns The finished upload's address, with the request ID.
 * @throws {ValidationError} If the parts are empty, not ascending, more than 10,000, or a
 * number is out of range; nothing is sent.
 * @throws {CompleteStatusUnknownError} If the outcome is unknown: no answer or a 5xx after every
 * retry, or the upload gone after an earlier attempt may have completed it.
 * @throws {QingStorError} If the service refuses, e.g. `entity_too_small` for a small non-last part.
 *
 * @example
 * ```ts
 * import {
 *   completeMultipartUpload,
 *   createClient,
 *   initiateMultipartUpload,
 *   uploadPart,
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
 * const { etag } = await uploadPart(client, {
 *   ...target,
 *   uploadId,
 *   partNumber: 0,
 *   body: new TextEncoder().encode("the only, so last, part may be small"),
 * });
 * await completeMultipartUpload(client, { ...target, uploadId, parts: [{ partNumber: 0, etag }] });
 * assert.ok(emulator.state.objects.has("mybucket/large-object"));
 * ```
 */
export async function completeMultipartUpload(
  client: Client,
  input: CompleteMultipartUploadInput,
): Promise<CompleteMultipartUploadResult> {
  const { parts } = input;
  checkUpload(input);
  if (input.etag !== undefined) checkHeaderValue("etag", input.etag, 256);
  check(
    Array.isArray(parts) && parts.length > 0 && parts.length <= MAX_PARTS,
    "parts",
    `Parts must be a list of 1 to ${MAX_PARTS} parts`,
    Array.isArray(parts) ? `${parts.length} parts` : typeof parts,
  );
  parts.forEach((part, index) => {
    checkPartNumber(part?.partNumber, `parts[${index}].partNumber`);
    check(
      !index || part.partNumber > parts[index - 1].partNumber,
      "parts",
      "Parts must be in ascending part-number order",
      `part ${part.partNumber} after part ${parts[index - 1]?.partNumber}`,
    );
    check(
      part.etag === undefined || typeof part.etag == "string",
      `parts[${index}].etag`,
      "An ETag must be a string",
      `a ${typeof part.etag}`,
    );
  });
  return await sendComplete(client, input);
}

/**
 * Completes an upload whose input is known to be valid: `upload()`, which
 * checked the address and lists the parts it sent itself, calls it directly,
 * so that its programs do not carry the checks of input it never takes.
 *
 * @param client The client.
 * @param input As for {@linkcode completeMultipartUpload}, valid.
 * @returns As {@linkcode completeMultipartUpload}.
 * @throws {CompleteStatusUnknownError} As {@linkcode completeMultipartUpload}.
 * @throws {QingStorError} As {@linkcode completeMultipartUpload}.
 */
export async function sendComplete(
  client: Client,
  input: CompleteMultipartUploadInput,
): Promise<CompleteMultipartUploadResult> {
  const { bucket, key, uploadId, parts } = input;
  const body = JSON.stringify({
    object_parts: parts.map(({ partNumber, etag }) => ({
      part_number: partNumber,
      etag: etag === undefined ? undefined : unquoteEtag(etag),
    })),
  });
  try {
    const { headers, requestId } = await send(client, {
      operation: "completeMultipartUpload",
      method: "POST",
      bucket,
      key,
      query: [["upload_id", uploadId]],
      // Sent and signed explicitly: a string body would otherwise go out as text/plain.
      headers: {
        "content-type": "application/json",
        etag: input.etag === undefined ? undefined : quoteEtag(input.etag),
        ...await encryptionHeaders(input.encryption),
      },
      body,
      expect: 201,
      signal: input.signal,
      stopRetries: input.stopRetries,
    });
    return {
      bucket,
      key,
      uploadId,
      encryptionAlgorithm: headers.get("x-qs-encryption-customer-algorithm") ?? undefined,
      requestId,
    };
  } catch (error) {
    // An attempt that got no answer, or a 5xx, may have taken effect; so may one that a retry
    // then finds gone.
    if (!(error instanceof QingStorError)) throw error;
    const gone = hasCode(error, "upload_not_exists") && error.attempts > 1;
    if (gone || error.status == 0 || error.status >= 500) {
      throw new CompleteStatusUnknownError({
        // Every field of the error; its message and cause are not its own enumerable properties.
        ...error,
        mayHaveTakenEffect: true,
        message: gone
          ? "the upload is gone after a retry, so an earlier attempt may have completed it; the object may exist"
          : `the last attempt ended with ${
            error.status ? `a ${error.status}` : "no answer"
          }, so it may have completed the upload; the object may exist`,
        cause: error,
      });
    }
    throw error;
  }
}
