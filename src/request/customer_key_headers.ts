/**
 * The SSE-C headers (see docs/protocol.md#sse-c-headers), derived from a
 * customer key. This module and the MD5 it needs are loaded only when a key is
 * given (see {@linkcode encryptionHeaders}), so programs without SSE-C do not
 * carry them.
 *
 * The npm package ships it as a file of its own, whose `ValidationError` is
 * the entry's (see scripts/build_npm.ts).
 *
 * @module
 */
import { decodeBase64, encodeBase64 } from "../encoding.ts";
import { md5 } from "../md5.ts";
import { check } from "../validate.ts";
import type { Encryption } from "./encryption_headers.ts";

/**
 * Derives the three SSE-C headers (algorithm, key, key MD5) from a key.
 *
 * @param encryption The key.
 * @param prefix The header prefix: the object's own, or the copy source's.
 * @returns The headers to send.
 * @throws {ValidationError} If the key is not 32 bytes; the message gives its length, never the key.
 */
export function customerKeyHeaders(
  encryption: Encryption,
  prefix: string,
): Record<string, string> {
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
  return {
    [prefix + "algorithm"]: "AES256",
    [prefix + "key"]: encodeBase64(key),
    [prefix + "key-md5"]: encodeBase64(md5(key)),
  };
}
