/**
 * Encodes bytes as standard base64 with padding (not the URL-safe alphabet),
 * the form of signatures, Content-MD5 and SSE-C headers.
 *
 * @param bytes The bytes to encode: a digest or a key, never a large buffer.
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
  // One call, rather than a character at a time: signing encodes every HMAC. apply() rather than
  // a spread, which costs Bun (1.4) a good part of a signature's time. Our inputs are digests and
  // keys, far below the number of arguments a call may take.
  return btoa(String.fromCharCode.apply(null, bytes as unknown as number[]));
}

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
 * @param bytes The bytes to encode: a digest or a key, never a large buffer.
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
