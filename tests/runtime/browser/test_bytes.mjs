/**
 * The browser tests' bytes, made the same way in Node (browser_test.mjs) and in the page
 * (responsive.js, which is served this file), so both sides agree on the MD5.
 */

/** Bytes that differ from part to part, so a part out of place changes the MD5. */
export const pattern = (size, seed) =>
  new Uint8Array(size).map((_, i) => (i * 2654435761 + seed * 40503) >>> 24);

/**
 * A 64 KiB block of `pattern` repeated, each copy numbered in its first 4 bytes (so a part out of
 * place still changes the MD5): cheap even without a JIT.
 */
export const tiled = (size, seed) => {
  const block = pattern(65536, seed);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  for (let offset = 0; offset < size; offset += block.length) {
    bytes.set(block.subarray(0, size - offset), offset);
    view.setUint32(offset, offset / block.length);
  }
  return bytes;
};
