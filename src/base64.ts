/**
 * Encodes bytes as standard base64 with padding (not the URL-safe alphabet),
 * the form of signatures, Content-MD5 and SSE-C headers.
 *
 * @param bytes The bytes to encode.
 * @returns The base64 text.
 *
 * @example
 * ```ts
 * import { encodeBase64 } from "./base64.ts";
 *
 * encodeBase64(new Uint8Array([251, 255])); // "+/8="
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
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
 * import { decodeBase64 } from "./base64.ts";
 *
 * decodeBase64("+/8="); // Uint8Array [251, 255]
 * ```
 */
export function decodeBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}
