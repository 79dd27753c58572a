/**
 * The Content-MD5 header of a body sent whole (a part, or a PUT object),
 * which lets the service refuse bytes damaged on the way (see
 * docs/protocol.md#upload-part).
 *
 * @module
 */
import { encodeBase64 } from "../encoding.ts";
import { untilAborted } from "../until_aborted.ts";
import { BASE64_MD5, check, matches } from "../validate.ts";

/**
 * The Content-MD5 to send with a body, as the caller asked: `true` computes
 * it, `false` sends none, and a string is used as the base64 MD5 already computed.
 *
 * @param body The body.
 * @param md5 What the caller asked for.
 * @param signal Stops the hashing at its next slice.
 * @returns The header's value, or `undefined` for none.
 * @throws {ValidationError} If `md5` is a string that is not the base64 of 16 bytes.
 * @throws The signal's reason, when the signal aborts.
 */
export async function contentMd5(
  body: Uint8Array | Blob,
  md5: boolean | string,
  signal?: AbortSignal,
): Promise<string | undefined> {
  // Given as text, it becomes a header: exactly the base64 of 16 bytes, nothing else.
  check(
    typeof md5 == "boolean" || matches(BASE64_MD5, md5),
    "md5",
    "md5 must be true, false, or the base64 MD5 of the body (24 characters ending in ==)",
    md5,
  );
  return typeof md5 == "string" ? md5 : md5 ? await md5Base64(body, signal) : undefined;
}

/**
 * The base64 MD5 of a body, hashed in slices so the thread is never held
 * for long (see `SlicedMd5`, loaded on demand); a Blob is hashed as it streams, not read whole
 * into memory. An abort stops it at the next slice, and releases the Blob's stream.
 */
async function md5Base64(
  body: Uint8Array | Blob,
  signal: AbortSignal | undefined,
): Promise<string> {
  // Loaded at the first body hashed, not with the library: MD5 is the largest code on upload()'s
  // path, and a page can start before it arrives (see scripts/size.ts). An abort ends a load
  // that stalls.
  const { SlicedMd5 } = await untilAborted(import("../md5_sliced.ts"), signal);
  const hash = new SlicedMd5({ signal });
  if (body instanceof Uint8Array) return encodeBase64((await hash.update(body)).digest());
  const reader = body.stream().getReader();
  try {
    for (let chunk; !(chunk = await reader.read()).done;) await hash.update(chunk.value);
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  }
  return encodeBase64(hash.digest());
}
