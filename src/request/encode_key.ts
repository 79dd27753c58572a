/**
 * Percent-encodes an object key for the request path (see
 * docs/protocol.md#object-key-encoding): UTF-8 bytes, with `A-Z a-z 0-9 - _ . ~`
 * and `/` left literal and every other byte written as `%XX` in upper-case hex.
 * The signature covers this exact text, so it must be the only place a key is
 * encoded.
 *
 * @param key The object key, already checked by `checkKey`.
 * @returns The encoded key.
 *
 * @example
 * ```ts
 * import { encodeKey } from "./encode_key.ts";
 *
 * encodeKey("photos/2019/大 file.bin"); // "photos/2019/%E5%A4%A7%20file.bin"
 * ```
 */
export function encodeKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()*]/g, (char) => "%" + char.charCodeAt(0).toString(16).toUpperCase())
    .replaceAll("%2F", "/");
}
