import { decodeBase64, encodeBase64 } from "../encoding.ts";
import { check } from "../validate.ts";

/** Server-side encryption with a customer key (SSE-C, spec §7). */
export interface Encryption {
  /** The 32-byte AES-256 key, as bytes or as base64 text. */
  customerKey: Uint8Array | string;
}

/**
 * Derives the three SSE-C headers (algorithm, key, key MD5) from a key. MD5
 * is loaded only here, when a key is given, so that programs without SSE-C
 * do not carry it.
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
  if (!encryption) return {};
  let key: Uint8Array | undefined;
  const given = encryption.customerKey;
  try {
    key = typeof given == "string" ? decodeBase64(given) : given;
  } catch {
    // Reported below, without echoing the key.
  }
  check(
    key instanceof Uint8Array && key.length == 32,
    "encryption.customerKey",
    "Encryption key must be 32 bytes (as a Uint8Array or base64 text)",
    key instanceof Uint8Array
      ? `${key.length} bytes`
      : typeof given == "string"
      ? "text that is not base64"
      : typeof given,
  );
  const { md5 } = await import("../md5.ts");
  return {
    [prefix + "algorithm"]: "AES256",
    [prefix + "key"]: encodeBase64(key),
    [prefix + "key-md5"]: encodeBase64(md5(key)),
  };
}
