import { encodeBase64 } from "../encoding.ts";

const encoder = new TextEncoder();
// Importing a key costs more than the HMAC itself, so the key of the last
// secret used is kept; a rotated secret simply replaces it.
let cached: { secret: string; key: Promise<CryptoKey> } | undefined;

/**
 * Computes a signature: `Base64(HMAC-SHA256(secret, stringToSign))` (spec §3.1),
 * with WebCrypto, so it runs unchanged in every runtime.
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
  if (cached?.secret !== secretAccessKey) {
    cached = {
      secret: secretAccessKey,
      key: crypto.subtle.importKey(
        "raw",
        encoder.encode(secretAccessKey),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"],
      ),
    };
  }
  const mac = await crypto.subtle.sign("HMAC", await cached.key, encoder.encode(stringToSign));
  return encodeBase64(new Uint8Array(mac));
}
