/** Server-side encryption with a customer key (SSE-C, see docs/protocol.md#sse-c-headers). */
export interface Encryption {
  /** The 32-byte AES-256 key, as bytes or as base64 text. */
  customerKey: Uint8Array | string;
}

/**
 * The SSE-C headers for a key, or none without one. The rule lives in
 * `customer_key_headers.ts`, imported only when a key is given: SSE-C is
 * rare, and its MD5 would more than double the smallest program.
 *
 * @param encryption The key, or `undefined` for none.
 * @param prefix The header prefix: the object's own, or the copy source's.
 * @returns The headers to send, or an empty object.
 * @throws {ValidationError} If the key is not 32 bytes; the message gives its length, never the key.
 */
export async function encryptionHeaders(
  encryption: Encryption | undefined,
  prefix = "x-qs-encryption-customer-",
): Promise<Record<string, string>> {
  return encryption
    ? (await import("./customer_key_headers.ts")).customerKeyHeaders(encryption, prefix)
    : {};
}
