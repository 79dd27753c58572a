import type { Client } from "../client.ts";
import { requestUrl } from "../request/request_url.ts";
import { signingKey } from "../sign/signature.ts";
import { stringToSign } from "../sign/string_to_sign.ts";
import { untilAborted } from "../until_aborted.ts";
import { check, checkPartNumber, checkUpload, MAX_PARTS } from "../validate.ts";
import { checkExpiresIn, expiresAt, presignCredentials, signedQuery } from "./presign.ts";

/** Input of {@linkcode presignParts}. */
export interface PresignPartsInput {
  /** The bucket. */
  bucket: string;
  /** The object key. */
  key: string;
  /** The upload the parts belong to. */
  uploadId: string;
  /** The parts to allow: whole numbers from 0 to 10000, at most 10000 of them, in any order. */
  partNumbers: readonly number[];
  /** Seconds from now until the URLs expire: a whole number from 1 to 604800 (7 days). */
  expiresIn: number;
  /**
   * Stops waiting for the credentials (a provider function may take long, or never answer):
   * the call then rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

/**
 * Mints one presigned Upload Part URL per part number (see
 * docs/protocol.md#presigned-urls), the URLs {@linkcode presign} would mint for
 * `{ method: "PUT", query: { part_number, upload_id } }`, all expiring at the
 * same second. Whoever holds a URL can `PUT` that part's bytes, with no
 * `Content-Type` or other signed header, until it expires.
 *
 * Faster than one `presign()` per part: the credentials are fetched and the
 * inputs checked once, and the URL and string to sign are built once, each
 * part only writing its number into them, so the time goes to the HMACs.
 *
 * @param client A client with credentials.
 * @param input The upload and its part numbers.
 * @returns The URLs, in the order of `partNumbers`.
 * @throws {ValidationError} If the client is anonymous; the bucket, key, upload ID or lifetime is
 * invalid; `partNumbers` is not a list of 1 to 10000 part numbers, or one of them is not a whole
 * number from 0 to 10000.
 * @throws The signal's reason, when it aborts first.
 *
 * @example
 * ```ts
 * import { createClient, initiateMultipartUpload, presignParts } from "qingstor-multipart";
 * import { createEmulator } from "qingstor-multipart/testing";
 * import assert from "node:assert/strict";
 *
 * const credentials = { accessKeyId: "AKID", secretAccessKey: "secret" };
 * const emulator = createEmulator({ credentials: [credentials], minPartSize: 1 });
 * const client = createClient({ endpoint: "http://localhost", credentials, fetch: emulator.fetch });
 * const target = { bucket: "mybucket", key: "large-object" };
 * const { uploadId } = await initiateMultipartUpload(client, target);
 *
 * const urls = await presignParts(client, {
 *   ...target,
 *   uploadId,
 *   partNumbers: [1, 2, 3],
 *   expiresIn: 3600,
 * });
 * // A browser can now `fetch(urls[0], { method: "PUT", body: bytes })`.
 * const answer = await emulator.fetch(
 *   new Request(urls[0], { method: "PUT", body: new Uint8Array(8) }),
 * );
 * assert.equal(answer.status, 201);
 * ```
 */
export async function presignParts(client: Client, input: PresignPartsInput): Promise<string[]> {
  const { bucket, uploadId, partNumbers, expiresIn, signal } = input;
  checkUpload(input);
  check(
    Array.isArray(partNumbers) && partNumbers.length > 0 && partNumbers.length <= MAX_PARTS,
    "partNumbers",
    `Part numbers must be a list of 1 to ${MAX_PARTS} numbers`,
    Array.isArray(partNumbers) ? `${partNumbers.length} numbers` : partNumbers,
  );
  partNumbers.forEach((partNumber, index) => checkPartNumber(partNumber, `partNumbers[${index}]`));
  checkExpiresIn(expiresIn);
  const credentials = await presignCredentials(client, signal);
  const expires = expiresAt(client, expiresIn);
  // Built once, with the upload ID alone: `part_number` sorts before `upload_id`, so each part's
  // number goes right after the `?` both in the URL (presign()'s order) and in the canonical
  // resource (docs/protocol.md#canonicalized-resource). The path is percent-encoded, so its
  // first `?` is the query's.
  const url = requestUrl(client, bucket, input.key, [["upload_id", uploadId]]);
  const signable = stringToSign({
    method: "PUT",
    url,
    headers: new Headers(),
    virtualHostBucket: client.style == "virtual-host" ? bucket : undefined,
  }, expires);
  const [urlHead, urlTail] = splitAtQuery(url.href);
  const [signHead, signTail] = splitAtQuery(signable);
  const urlEnd = "&" + urlTail + "&" + signedQuery(credentials, expires, "");
  const key = await signingKey(credentials.secretAccessKey);
  const encoder = new TextEncoder();
  // Every HMAC is started at once; each URL is written as its HMAC arrives.
  return untilAborted(
    Promise.all(partNumbers.map((partNumber) =>
      crypto.subtle.sign(
        "HMAC",
        key,
        encoder.encode(signHead + "part_number=" + partNumber + "&" + signTail),
      ).then((mac) => urlHead + "part_number=" + partNumber + urlEnd + escapedBase64(mac))
    )),
    signal,
  );
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/** A base64 digit as it goes in a query: `+` and `/` percent-encoded as encodeURIComponent does. */
const digit = (value: number) => value < 62 ? BASE64[value] : value == 62 ? "%2B" : "%2F";

/**
 * A signature as `encodeURIComponent(base64(mac))` spells it, by table: thousands of URLs are
 * written at a time, and this costs a fraction of building the base64 and escaping it.
 */
function escapedBase64(mac: ArrayBuffer): string {
  const bytes = new Uint8Array(mac);
  let text = "";
  let at = 0;
  for (; at + 2 < bytes.length; at += 3) {
    const bits = bytes[at] << 16 | bytes[at + 1] << 8 | bytes[at + 2];
    text += digit(bits >> 18) + digit(bits >> 12 & 63) + digit(bits >> 6 & 63) + digit(bits & 63);
  }
  // An HMAC-SHA256 is 32 bytes: two are left, which make three digits and one `=`.
  const bits = bytes[at] << 16 | bytes[at + 1] << 8;
  return text + digit(bits >> 18) + digit(bits >> 12 & 63) + digit(bits >> 6 & 63) + "%3D";
}

/** Splits a text after its first `?`. */
function splitAtQuery(text: string): [string, string] {
  const at = text.indexOf("?") + 1;
  return [text.slice(0, at), text.slice(at)];
}
