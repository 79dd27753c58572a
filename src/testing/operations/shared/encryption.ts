/**
 * SSE-C as the service checks it: the key headers of a request, the key an
 * object or upload was encrypted with, and the algorithm header it answers with.
 *
 * @module
 */
import { decodeBase64, encodeBase64 } from "../../../encoding.ts";
import { md5 } from "../../../md5.ts";
import type { EmulatorUpload, OperationContext } from "../../model.ts";
import { errorAnswer } from "./answers.ts";

/** The headers of an object's own key; a copy's source key has `x-qs-copy-source-` in front. */
export const OWN_KEY = "x-qs-encryption-customer-";
/** The headers of a copy source's key. */
export const SOURCE_KEY = "x-qs-copy-source-encryption-customer-";

/**
 * Reads SSE-C headers: the algorithm, the key and its MD5, under `prefix`.
 *
 * @param context The request.
 * @param prefix {@linkcode OWN_KEY} or {@linkcode SOURCE_KEY}.
 * @returns The key MD5 (base64) they give, `undefined` when none is sent, or a
 * 400 `invalid_argument` answer when they are not an AES256 key and its MD5.
 */
export function readEncryption(
  context: OperationContext,
  prefix: string,
): string | Response | undefined {
  const headers = context.request.headers;
  const algorithm = headers.get(prefix + "algorithm");
  const key = headers.get(prefix + "key");
  const keyMd5 = headers.get(prefix + "key-md5");
  if (!algorithm && !key && !keyMd5) return;
  let raw: Uint8Array | undefined;
  try {
    raw = decodeBase64(key ?? "");
  } catch { /* reported below */ }
  if (algorithm != "AES256" || raw?.length != 32 || encodeBase64(md5(raw)) != keyMd5) {
    return errorAnswer(
      context,
      400,
      "invalid_argument",
      `The ${prefix}* headers are not a valid AES256 key and its MD5.`,
    );
  }
  return keyMd5;
}

/**
 * Checks the key sent to read an object (GET, HEAD, or a copy's source):
 * an encrypted object needs its own key, unless it is `optional` (HEAD), and
 * an object that is not encrypted takes none.
 *
 * @param context The request.
 * @param prefix {@linkcode OWN_KEY} or {@linkcode SOURCE_KEY}.
 * @param encryptionKeyMd5 The object's key MD5, when it is encrypted.
 * @param optional Whether an encrypted object may be read without its key.
 * @returns `undefined` when the request may read it, or the answer refusing
 * it: 400 `invalid_request` for a missing or needless key, 400
 * `invalid_argument` for a malformed or wrong one.
 */
export function checkReadKey(
  context: OperationContext,
  prefix: string,
  encryptionKeyMd5: string | undefined,
  optional = false,
): Response | undefined {
  const given = readEncryption(context, prefix);
  if (given instanceof Response) return given;
  if (given === undefined) {
    if (!encryptionKeyMd5 || optional) return undefined;
    return errorAnswer(
      context,
      400,
      "invalid_request",
      `The object is encrypted: the request needs its key in the ${prefix}algorithm, key and key-md5 headers.`,
    );
  }
  if (!encryptionKeyMd5) {
    return errorAnswer(
      context,
      400,
      "invalid_request",
      `The object is not encrypted, so the ${prefix}* headers do not apply.`,
    );
  }
  if (given != encryptionKeyMd5) {
    return errorAnswer(
      context,
      400,
      "invalid_argument",
      `The key in the ${prefix}key header is not the one the object was encrypted with.`,
    );
  }
  return undefined;
}

/**
 * The header an answer about encrypted data carries: the algorithm, echoed.
 *
 * @param encryptionKeyMd5 The key MD5 of the object or upload, when it is encrypted.
 * @returns `X-QS-Encryption-Customer-Algorithm: AES256`, or no header.
 */
export function encryptionAnswer(encryptionKeyMd5: string | undefined): Record<string, string> {
  return encryptionKeyMd5 ? { [OWN_KEY + "algorithm"]: "AES256" } : {};
}

/**
 * Checks the key a request about an upload sends (a part, or complete) against
 * the one given at initiate.
 *
 * @param context The request.
 * @param upload The upload.
 * @param optional Whether the request may leave the key out (complete may).
 * @returns `undefined` when it may go on, or a 400 `invalid_argument` answer
 * for a malformed key or one that differs.
 */
export function checkUploadKey(
  context: OperationContext,
  upload: EmulatorUpload,
  optional = false,
): Response | undefined {
  const keyMd5 = readEncryption(context, OWN_KEY);
  if (keyMd5 instanceof Response) return keyMd5;
  if (keyMd5 == upload.encryptionKeyMd5 || (optional && keyMd5 === undefined)) return undefined;
  return errorAnswer(
    context,
    400,
    "invalid_argument",
    "The encryption key differs from the one given at initiate.",
  );
}
