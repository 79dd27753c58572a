import { describe, it } from "node:test";
import assert from "node:assert/strict";
// Test-only reference implementation; the library itself must not depend on node:crypto.
import { createHash } from "node:crypto";
import { encodeBase64, encodeHex as hex } from "../src/encoding.ts";
import { Md5, md5 } from "../src/md5.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";

const enc = new TextEncoder();

function chunked(data: Uint8Array, size: number): Uint8Array {
  const h = new Md5();
  for (let i = 0; i < data.length; i += size) h.update(data.subarray(i, i + size));
  return h.digest();
}

describe("md5", () => {
  it("matches the RFC 1321 test suite", () => {
    const suite: [string, string][] = [
      ["", "d41d8cd98f00b204e9800998ecf8427e"],
      ["a", "0cc175b9c0f1b6a831c399e269772661"],
      ["abc", "900150983cd24fb0d6963f7d28e17f72"],
      ["message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
      ["abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"],
      [
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        "d174ab98d277d9f5a5611c2c9f419d9f",
      ],
      [
        "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
        "57edf4a22be3c955ac49da2e2107b67a",
      ],
    ];
    for (const [input, expected] of suite) {
      assert.equal(hex(md5(enc.encode(input))), expected, JSON.stringify(input));
    }
  });

  it("hashes empty input, including empty updates", () => {
    assert.equal(hex(md5(new Uint8Array(0))), "d41d8cd98f00b204e9800998ecf8427e");
    const h = new Md5().update(new Uint8Array(0)).update(enc.encode("abc"));
    h.update(new Uint8Array(0));
    assert.equal(hex(h.digest()), "900150983cd24fb0d6963f7d28e17f72");
  });

  it("handles lengths around the padding and block boundaries", () => {
    for (const n of [1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129]) {
      const data = testBytes(n, n);
      assert.equal(hex(md5(data)), nativeMd5(data), `length ${n}`);
    }
  });

  it("gives the same digest for any chunking", () => {
    const data = testBytes(10_000, 7);
    const expected = hex(md5(data));
    assert.equal(expected, nativeMd5(data));
    for (const size of [1, 3, 63, 64, 65, 1000]) {
      assert.equal(hex(chunked(data, size)), expected, `chunk size ${size}`);
    }
    // Mixed sizes so the buffered tail lands on every offset within a block.
    const h = new Md5();
    let pos = 0;
    for (let step = 1; pos < data.length; step = (step * 7 + 3) % 200) {
      h.update(data.subarray(pos, pos + step));
      pos += step;
    }
    assert.equal(hex(h.digest()), expected);
  });

  it("reads inputs that are not 4-byte aligned", () => {
    const backing = testBytes(4096 + 8, 3);
    for (let offset = 0; offset < 8; offset++) {
      const view = backing.subarray(offset, offset + 4096 - offset);
      assert.equal(view.byteOffset % 4 === 0, offset % 4 === 0);
      assert.equal(hex(md5(view)), nativeMd5(view.slice()), `offset ${offset}`);
      assert.equal(hex(chunked(view, 100)), nativeMd5(view.slice()), `offset ${offset}, chunked`);
    }
  });

  it("leaves the hasher usable after digest()", () => {
    const h = new Md5().update(enc.encode("hello "));
    assert.equal(hex(h.digest()), nativeMd5(enc.encode("hello ")));
    assert.equal(hex(h.digest()), nativeMd5(enc.encode("hello ")));
    h.update(enc.encode("world"));
    assert.equal(hex(h.digest()), "5eb63bbbe01eeed093cb22bb8f5acdc3");
  });

  it("matches node:crypto on a multi-MiB random buffer", () => {
    const data = new Uint8Array(5 * 1024 * 1024 + 13);
    // getRandomValues fills at most 64 KiB per call.
    for (let i = 0; i < data.length; i += 65536) {
      crypto.getRandomValues(data.subarray(i, i + 65536));
    }
    const expected = nativeMd5(data);
    assert.equal(hex(md5(data)), expected);
    assert.equal(hex(chunked(data, 1024 * 1024 + 1)), expected);
  });

  it("encodes the bit length beyond 32 bits", () => {
    // From 512 MiB on, the bit length no longer fits in the low length word.
    const chunk = testBytes(1024 * 1024, 5);
    const ours = new Md5();
    const native = createHash("md5");
    for (let i = 0; i < 512; i++) {
      ours.update(chunk);
      native.update(chunk);
    }
    const tail = chunk.subarray(0, 77);
    ours.update(tail);
    native.update(tail);
    assert.equal(hex(ours.digest()), native.digest("hex"));
  });

  it("gives the Content-MD5 form as padded standard base64", () => {
    assert.equal(encodeBase64(md5(enc.encode("hello world"))), "XrY7u+Ae7tCTyyK7j1rNww==");
    assert.equal(encodeBase64(md5(new Uint8Array(0))), "1B2M2Y8AsgTpgAmY7PhCfg==");
  });

  it("computes the SSE-C key checksum of a 32-byte key", () => {
    assert.equal(encodeBase64(md5(enc.encode("x".repeat(32)))), "3I/h1kl+vSP1l12NKhxegQ==");
  });
});
