/**
 * Encodes bytes as standard base64 with padding (not the URL-safe alphabet),
 * the form of signatures, Content-MD5 and SSE-C headers.
 *
 * @param bytes The bytes to encode.
 * @returns The base64 text.
 *
 * @example
 * ```ts
 * import { encodeBase64 } from "./encoding.ts";
 *
 * encodeBase64(new Uint8Array([251, 255])); // "+/8="
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  // By table rather than btoa() of a binary string: no string of bytes is built, and signing, which
  // encodes every HMAC, spends a good part of its time beside WebCrypto here otherwise.
  let text = "";
  let at = 0;
  for (; at + 2 < bytes.length; at += 3) {
    const bits = bytes[at] << 16 | bytes[at + 1] << 8 | bytes[at + 2];
    text += BASE64[bits >> 18] + BASE64[bits >> 12 & 63] + BASE64[bits >> 6 & 63] +
      BASE64[bits & 63];
  }
  if (at < bytes.length) {
    const bits = bytes[at] << 16 | (bytes[at + 1] ?? 0) << 8;
    text += BASE64[bits >> 18] + BASE64[bits >> 12 & 63] +
      (at + 1 < bytes.length ? BASE64[bits >> 6 & 63] : "=") + "=";
  }
  return text;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Decodes standard base64 text.
 *
 * @param text The base64 text.
 * @returns The decoded bytes.
 * @throws {DOMException} If the text is not valid base64.
 *
 * @example
 * ```ts
 * import { decodeBase64 } from "./encoding.ts";
 *
 * decodeBase64("+/8="); // Uint8Array [251, 255]
 * ```
 */
export function decodeBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

/**
 * Encodes bytes as lower-case hex, the form of MD5 ETags.
 *
 * @param bytes The bytes to encode.
 * @returns The hex text.
 *
 * @example
 * ```ts
 * import { encodeHex } from "./encoding.ts";
 *
 * encodeHex(new Uint8Array([0, 171])); // "00ab"
 * ```
 */
export function encodeHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
