// Copyright 2025 the qingstor-multipart authors. MIT license.
/**
 * MD5 (RFC 1321) in portable TypeScript, for the `Content-MD5` request header and the
 * SSE-C key checksum. Node's `node:crypto` is not available in browsers or Workers, and
 * WebCrypto refuses MD5, so the library carries its own.
 *
 * MD5 is broken for security purposes; here it only detects transfer corruption.
 *
 * @module
 */

/**
 * Incremental MD5 hasher. Feed data with {@linkcode Md5.update} in chunks of any size, then
 * read the 16-byte digest with {@linkcode Md5.digest}.
 *
 * @example Hash a body that arrives in chunks
 * ```ts
 * import { Md5 } from "./md5.ts";
 * import assert from "node:assert/strict";
 *
 * const enc = new TextEncoder();
 * const digest = new Md5().update(enc.encode("hello ")).update(enc.encode("world")).digest();
 * assert.equal(digest.length, 16);
 * assert.equal(digest[0], 0x5e);
 * ```
 */
export class Md5 {
  // Initial state A, B, C, D from RFC 1321 section 3.3, as signed 32-bit words.
  #h = new Int32Array([0x67452301, -0x10325477, -0x67452302, 0x10325476]);
  // Holds the part of the input that does not yet fill a 64-byte block.
  #tail = new Uint8Array(64);
  #view = new DataView(this.#tail.buffer);
  // A plain number is exact up to 2^53 bytes, far beyond any object size we hash.
  #len = 0;

  /**
   * Adds `data` to the hash. Whole 64-byte blocks are read straight from `data`; only a
   * trailing partial block is copied.
   *
   * @example Chunk boundaries do not affect the result
   * ```ts
   * import { Md5 } from "./md5.ts";
   * import assert from "node:assert/strict";
   *
   * const data = new TextEncoder().encode("The quick brown fox jumps over the lazy dog");
   * const whole = new Md5().update(data).digest();
   * const parts = new Md5().update(data.subarray(0, 7)).update(data.subarray(7)).digest();
   * assert.deepEqual(parts, whole);
   * ```
   *
   * @param data The bytes to hash next.
   * @returns This hasher, so calls can be chained.
   */
  update(data: Uint8Array): this {
    const len = data.length;
    const used = this.#len % 64;
    let pos = 0;
    this.#len += len;
    if (used) {
      pos = Math.min(64 - used, len);
      this.#tail.set(data.subarray(0, pos), used);
      if (used + pos < 64) return this;
      compress(this.#h, this.#view, 0, 64);
    }
    const end = len - (len - pos) % 64;
    if (end > pos) {
      compress(this.#h, new DataView(data.buffer, data.byteOffset, len), pos, end);
    }
    this.#tail.set(data.subarray(end));
    return this;
  }

  /**
   * Returns the MD5 digest of everything passed to {@linkcode Md5.update} so far. The hasher
   * is left unchanged, so more data may be added afterwards.
   *
   * @example Digest of the empty input
   * ```ts
   * import { Md5 } from "./md5.ts";
   * import assert from "node:assert/strict";
   *
   * const hex = Array.from(new Md5().digest(), (b) => b.toString(16).padStart(2, "0")).join("");
   * assert.equal(hex, "d41d8cd98f00b204e9800998ecf8427e");
   * ```
   *
   * @returns The 16-byte digest.
   */
  digest(): Uint8Array {
    const len = this.#len;
    const used = len % 64;
    const h = this.#h.slice();
    // Padding plus the 8-byte length must fit, so a tail of 56 bytes or more needs two blocks.
    const block = new Uint8Array(used < 56 ? 64 : 128);
    const view = new DataView(block.buffer);
    const end = block.length;
    block.set(this.#tail.subarray(0, used));
    block[used] = 0x80;
    // Bit length as two little-endian words: `<< 3` keeps the low 32 bits of len * 8.
    view.setInt32(end - 8, len << 3, true);
    view.setInt32(end - 4, len / 0x20000000, true);
    compress(h, view, 0, end);
    for (let i = 0; i < 4; i++) view.setInt32(i * 4, h[i], true);
    return block.slice(0, 16);
  }
}

/**
 * Computes the MD5 digest of `data` in one call.
 *
 * @example
 * ```ts
 * import { md5 } from "./md5.ts";
 * import assert from "node:assert/strict";
 *
 * const digest = md5(new TextEncoder().encode("abc"));
 * assert.deepEqual(digest.slice(0, 4), new Uint8Array([0x90, 0x01, 0x50, 0x98]));
 * ```
 *
 * @param data The bytes to hash.
 * @returns The 16-byte digest.
 */
export function md5(data: Uint8Array): Uint8Array {
  return new Md5().update(data).digest();
}

/**
 * Runs the MD5 compression function over the 64-byte blocks of `view` from byte `pos` up to
 * `end`, updating the state `h` in place.
 *
 * The rounds are fully unrolled with the state and message words in locals, which lets JITs
 * keep everything in registers. Each step adds the message word to its constant first: that
 * sum does not depend on the previous step, so the CPU can compute it in parallel. That
 * ordering alone is worth 25-40% in V8 and over 60% in JavaScriptCore.
 *
 * Words are read through a DataView because it takes any byte offset and any platform byte
 * order; V8 and JavaScriptCore inline it, and it measured as fast as an Int32Array view.
 */
function compress(h: Int32Array, view: DataView, pos: number, end: number): void {
  let a0 = h[0], b0 = h[1], c0 = h[2], d0 = h[3];
  for (; pos < end; pos += 64) {
    const x0 = view.getInt32(pos + 0, true);
    const x1 = view.getInt32(pos + 4, true);
    const x2 = view.getInt32(pos + 8, true);
    const x3 = view.getInt32(pos + 12, true);
    const x4 = view.getInt32(pos + 16, true);
    const x5 = view.getInt32(pos + 20, true);
    const x6 = view.getInt32(pos + 24, true);
    const x7 = view.getInt32(pos + 28, true);
    const x8 = view.getInt32(pos + 32, true);
    const x9 = view.getInt32(pos + 36, true);
    const x10 = view.getInt32(pos + 40, true);
    const x11 = view.getInt32(pos + 44, true);
    const x12 = view.getInt32(pos + 48, true);
    const x13 = view.getInt32(pos + 52, true);
    const x14 = view.getInt32(pos + 56, true);
    const x15 = view.getInt32(pos + 60, true);
    let a = a0, b = b0, c = c0, d = d0;
    // The constants are floor(abs(sin(i + 1)) * 2^32) from RFC 1321, as signed 32-bit words.
    // Round 1: F(b, c, d) = (b & c) | (~b & d), computed as d ^ (b & (c ^ d)) to save an operation.
    a = (x0 - 680876936 | 0) + a + (d ^ b & (c ^ d)) | 0;
    a = (a << 7 | a >>> 25) + b | 0;
    d = (x1 - 389564586 | 0) + d + (c ^ a & (b ^ c)) | 0;
    d = (d << 12 | d >>> 20) + a | 0;
    c = (x2 + 606105819 | 0) + c + (b ^ d & (a ^ b)) | 0;
    c = (c << 17 | c >>> 15) + d | 0;
    b = (x3 - 1044525330 | 0) + b + (a ^ c & (d ^ a)) | 0;
    b = (b << 22 | b >>> 10) + c | 0;
    a = (x4 - 176418897 | 0) + a + (d ^ b & (c ^ d)) | 0;
    a = (a << 7 | a >>> 25) + b | 0;
    d = (x5 + 1200080426 | 0) + d + (c ^ a & (b ^ c)) | 0;
    d = (d << 12 | d >>> 20) + a | 0;
    c = (x6 - 1473231341 | 0) + c + (b ^ d & (a ^ b)) | 0;
    c = (c << 17 | c >>> 15) + d | 0;
    b = (x7 - 45705983 | 0) + b + (a ^ c & (d ^ a)) | 0;
    b = (b << 22 | b >>> 10) + c | 0;
    a = (x8 + 1770035416 | 0) + a + (d ^ b & (c ^ d)) | 0;
    a = (a << 7 | a >>> 25) + b | 0;
    d = (x9 - 1958414417 | 0) + d + (c ^ a & (b ^ c)) | 0;
    d = (d << 12 | d >>> 20) + a | 0;
    c = (x10 - 42063 | 0) + c + (b ^ d & (a ^ b)) | 0;
    c = (c << 17 | c >>> 15) + d | 0;
    b = (x11 - 1990404162 | 0) + b + (a ^ c & (d ^ a)) | 0;
    b = (b << 22 | b >>> 10) + c | 0;
    a = (x12 + 1804603682 | 0) + a + (d ^ b & (c ^ d)) | 0;
    a = (a << 7 | a >>> 25) + b | 0;
    d = (x13 - 40341101 | 0) + d + (c ^ a & (b ^ c)) | 0;
    d = (d << 12 | d >>> 20) + a | 0;
    c = (x14 - 1502002290 | 0) + c + (b ^ d & (a ^ b)) | 0;
    c = (c << 17 | c >>> 15) + d | 0;
    b = (x15 + 1236535329 | 0) + b + (a ^ c & (d ^ a)) | 0;
    b = (b << 22 | b >>> 10) + c | 0;
    // Round 2: G(b, c, d) = (b & d) | (c & ~d), computed as c ^ (d & (b ^ c)).
    a = (x1 - 165796510 | 0) + a + (c ^ d & (b ^ c)) | 0;
    a = (a << 5 | a >>> 27) + b | 0;
    d = (x6 - 1069501632 | 0) + d + (b ^ c & (a ^ b)) | 0;
    d = (d << 9 | d >>> 23) + a | 0;
    c = (x11 + 643717713 | 0) + c + (a ^ b & (d ^ a)) | 0;
    c = (c << 14 | c >>> 18) + d | 0;
    b = (x0 - 373897302 | 0) + b + (d ^ a & (c ^ d)) | 0;
    b = (b << 20 | b >>> 12) + c | 0;
    a = (x5 - 701558691 | 0) + a + (c ^ d & (b ^ c)) | 0;
    a = (a << 5 | a >>> 27) + b | 0;
    d = (x10 + 38016083 | 0) + d + (b ^ c & (a ^ b)) | 0;
    d = (d << 9 | d >>> 23) + a | 0;
    c = (x15 - 660478335 | 0) + c + (a ^ b & (d ^ a)) | 0;
    c = (c << 14 | c >>> 18) + d | 0;
    b = (x4 - 405537848 | 0) + b + (d ^ a & (c ^ d)) | 0;
    b = (b << 20 | b >>> 12) + c | 0;
    a = (x9 + 568446438 | 0) + a + (c ^ d & (b ^ c)) | 0;
    a = (a << 5 | a >>> 27) + b | 0;
    d = (x14 - 1019803690 | 0) + d + (b ^ c & (a ^ b)) | 0;
    d = (d << 9 | d >>> 23) + a | 0;
    c = (x3 - 187363961 | 0) + c + (a ^ b & (d ^ a)) | 0;
    c = (c << 14 | c >>> 18) + d | 0;
    b = (x8 + 1163531501 | 0) + b + (d ^ a & (c ^ d)) | 0;
    b = (b << 20 | b >>> 12) + c | 0;
    a = (x13 - 1444681467 | 0) + a + (c ^ d & (b ^ c)) | 0;
    a = (a << 5 | a >>> 27) + b | 0;
    d = (x2 - 51403784 | 0) + d + (b ^ c & (a ^ b)) | 0;
    d = (d << 9 | d >>> 23) + a | 0;
    c = (x7 + 1735328473 | 0) + c + (a ^ b & (d ^ a)) | 0;
    c = (c << 14 | c >>> 18) + d | 0;
    b = (x12 - 1926607734 | 0) + b + (d ^ a & (c ^ d)) | 0;
    b = (b << 20 | b >>> 12) + c | 0;
    // Round 3: H(b, c, d) = b ^ c ^ d.
    a = (x5 - 378558 | 0) + a + (b ^ c ^ d) | 0;
    a = (a << 4 | a >>> 28) + b | 0;
    d = (x8 - 2022574463 | 0) + d + (a ^ b ^ c) | 0;
    d = (d << 11 | d >>> 21) + a | 0;
    c = (x11 + 1839030562 | 0) + c + (d ^ a ^ b) | 0;
    c = (c << 16 | c >>> 16) + d | 0;
    b = (x14 - 35309556 | 0) + b + (c ^ d ^ a) | 0;
    b = (b << 23 | b >>> 9) + c | 0;
    a = (x1 - 1530992060 | 0) + a + (b ^ c ^ d) | 0;
    a = (a << 4 | a >>> 28) + b | 0;
    d = (x4 + 1272893353 | 0) + d + (a ^ b ^ c) | 0;
    d = (d << 11 | d >>> 21) + a | 0;
    c = (x7 - 155497632 | 0) + c + (d ^ a ^ b) | 0;
    c = (c << 16 | c >>> 16) + d | 0;
    b = (x10 - 1094730640 | 0) + b + (c ^ d ^ a) | 0;
    b = (b << 23 | b >>> 9) + c | 0;
    a = (x13 + 681279174 | 0) + a + (b ^ c ^ d) | 0;
    a = (a << 4 | a >>> 28) + b | 0;
    d = (x0 - 358537222 | 0) + d + (a ^ b ^ c) | 0;
    d = (d << 11 | d >>> 21) + a | 0;
    c = (x3 - 722521979 | 0) + c + (d ^ a ^ b) | 0;
    c = (c << 16 | c >>> 16) + d | 0;
    b = (x6 + 76029189 | 0) + b + (c ^ d ^ a) | 0;
    b = (b << 23 | b >>> 9) + c | 0;
    a = (x9 - 640364487 | 0) + a + (b ^ c ^ d) | 0;
    a = (a << 4 | a >>> 28) + b | 0;
    d = (x12 - 421815835 | 0) + d + (a ^ b ^ c) | 0;
    d = (d << 11 | d >>> 21) + a | 0;
    c = (x15 + 530742520 | 0) + c + (d ^ a ^ b) | 0;
    c = (c << 16 | c >>> 16) + d | 0;
    b = (x2 - 995338651 | 0) + b + (c ^ d ^ a) | 0;
    b = (b << 23 | b >>> 9) + c | 0;
    // Round 4: I(b, c, d) = c ^ (b | ~d).
    a = (x0 - 198630844 | 0) + a + (c ^ (b | ~d)) | 0;
    a = (a << 6 | a >>> 26) + b | 0;
    d = (x7 + 1126891415 | 0) + d + (b ^ (a | ~c)) | 0;
    d = (d << 10 | d >>> 22) + a | 0;
    c = (x14 - 1416354905 | 0) + c + (a ^ (d | ~b)) | 0;
    c = (c << 15 | c >>> 17) + d | 0;
    b = (x5 - 57434055 | 0) + b + (d ^ (c | ~a)) | 0;
    b = (b << 21 | b >>> 11) + c | 0;
    a = (x12 + 1700485571 | 0) + a + (c ^ (b | ~d)) | 0;
    a = (a << 6 | a >>> 26) + b | 0;
    d = (x3 - 1894986606 | 0) + d + (b ^ (a | ~c)) | 0;
    d = (d << 10 | d >>> 22) + a | 0;
    c = (x10 - 1051523 | 0) + c + (a ^ (d | ~b)) | 0;
    c = (c << 15 | c >>> 17) + d | 0;
    b = (x1 - 2054922799 | 0) + b + (d ^ (c | ~a)) | 0;
    b = (b << 21 | b >>> 11) + c | 0;
    a = (x8 + 1873313359 | 0) + a + (c ^ (b | ~d)) | 0;
    a = (a << 6 | a >>> 26) + b | 0;
    d = (x15 - 30611744 | 0) + d + (b ^ (a | ~c)) | 0;
    d = (d << 10 | d >>> 22) + a | 0;
    c = (x6 - 1560198380 | 0) + c + (a ^ (d | ~b)) | 0;
    c = (c << 15 | c >>> 17) + d | 0;
    b = (x13 + 1309151649 | 0) + b + (d ^ (c | ~a)) | 0;
    b = (b << 21 | b >>> 11) + c | 0;
    a = (x4 - 145523070 | 0) + a + (c ^ (b | ~d)) | 0;
    a = (a << 6 | a >>> 26) + b | 0;
    d = (x11 - 1120210379 | 0) + d + (b ^ (a | ~c)) | 0;
    d = (d << 10 | d >>> 22) + a | 0;
    c = (x2 + 718787259 | 0) + c + (a ^ (d | ~b)) | 0;
    c = (c << 15 | c >>> 17) + d | 0;
    b = (x9 - 343485551 | 0) + b + (d ^ (c | ~a)) | 0;
    b = (b << 21 | b >>> 11) + c | 0;
    a0 = a0 + a | 0;
    b0 = b0 + b | 0;
    c0 = c0 + c | 0;
    d0 = d0 + d | 0;
  }
  h[0] = a0;
  h[1] = b0;
  h[2] = c0;
  h[3] = d0;
}
