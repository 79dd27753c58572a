import { encodeBase64 } from "../encoding.ts";

const encoder = new TextEncoder();
// Importing a key costs more than the HMAC itself, so keys are kept per secret: the few most
// recently used, so that clients with different keys in one process do not evict each other, and
// a rotated secret soon leaves. The secrets stay in this module; nothing reads the map but this.
const keys = new Map<string, Promise<CryptoKey>>();
const KEPT_KEYS = 8;

/**
 * The HMAC-SHA256 key of a secret, imported once and kept among the few most
 * recently used, so that many signatures with one secret share it.
 *
 * @param secretAccessKey The secret access key.
 * @returns The key.
 *
 * @example
 * ```ts
 * import { signingKey } from "./signature.ts";
 *
 * (await signingKey("secret")) === (await signingKey("secret")); // true
 * ```
 */
export function signingKey(secretAccessKey: string): Promise<CryptoKey> {
  const key = keys.get(secretAccessKey) ??
    crypto.subtle.importKey(
      "raw",
      encoder.encode(secretAccessKey),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
  // A Map keeps insertion order: moved to the end on use, the first key is the least recent.
  keys.delete(secretAccessKey);
  keys.set(secretAccessKey, key);
  if (keys.size > KEPT_KEYS) keys.delete(keys.keys().next().value!);
  return key;
}

/**
 * Computes a signature: `Base64(HMAC-SHA256(secret, stringToSign))`, with
 * WebCrypto, so it runs unchanged in every runtime (see docs/protocol.md#signature).
 *
 * @param secretAccessKey The secret access key.
 * @param stringToSign The string to sign.
 * @returns The 44-character base64 signature.
 *
 * @example
 * ```ts
 * import { signature } from "./signature.ts";
 *
 * await signature("secret", "GET\n\n\n\n/bucket"); // 44 characters of base64
 * ```
 */
export async function signature(secretAccessKey: string, stringToSign: string): Promise<string> {
  const key = await signingKey(secretAccessKey);
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(stringToSign));
  return encodeBase64(new Uint8Array(mac));
}
