/** Test data and an independent MD5 (node:crypto) to check results against. */
import { createHash } from "node:crypto";

/** Deterministic pseudo-random bytes, so failures replay. */
export function testBytes(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

/** MD5 hex by the runtime's native implementation, independent of ours. */
export function nativeMd5(...chunks: Uint8Array[]): string {
  const hash = createHash("md5");
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest("hex");
}
