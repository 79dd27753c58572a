import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodeHex } from "../src/encoding.ts";
import { MD5_SLICE, md5Sliced, nextTask, SlicedMd5 } from "../src/md5_sliced.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";

/** A pause that counts the turns it gives and takes no real one. */
function countingPause(onPause?: (count: number) => void) {
  const pause = Object.assign(() => {
    pause.count++;
    onPause?.(pause.count);
    return Promise.resolve();
  }, { count: 0 });
  return pause;
}

/** Sizes in a replayable order from a seed: the same every run, various across the range. */
function sizesFrom(seed: number, count: number, max: number): number[] {
  const sizes = [];
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    sizes.push(state % max);
  }
  return sizes;
}

describe("md5Sliced", () => {
  // Not a multiple of 64, so slices end inside MD5 blocks.
  const slice = 1000;

  it("matches node:crypto on sizes around slice boundaries, with a turn before each slice", async () => {
    const sizes = [0, 1, 63, 64, 999, 1000, 1001, 1999, 2000, 2001, 3 * 1000 + 7];
    for (const size of [...sizes, ...sizesFrom(12, 20, 20 * slice)]) {
      const data = testBytes(size, size + 1);
      const pause = countingPause();
      const digest = await md5Sliced(data, { sliceSize: slice, pause });
      assert.equal(encodeHex(digest), nativeMd5(data), `size ${size}`);
      assert.equal(pause.count, Math.ceil(size / slice), `turns for size ${size}`);
    }
  });

  it("matches node:crypto at the default slice size, across it", async () => {
    for (const size of [MD5_SLICE - 1, MD5_SLICE, MD5_SLICE + 1, 2 * MD5_SLICE + 13]) {
      const data = testBytes(size, 5);
      const pause = countingPause();
      assert.equal(encodeHex(await md5Sliced(data, { pause })), nativeMd5(data), `size ${size}`);
      assert.equal(pause.count, Math.ceil(size / MD5_SLICE), `turns for size ${size}`);
    }
  });

  it("lets chunks smaller than a slice share one, and cuts larger ones", async () => {
    const data = testBytes(25_000, 9);
    const chunkSizes = sizesFrom(3, 200, 2 * slice);
    const pause = countingPause();
    const hash = new SlicedMd5({ sliceSize: slice, pause });
    for (let pos = 0, i = 0; pos < data.length; i++) {
      const end = Math.min(data.length, pos + chunkSizes[i % chunkSizes.length]);
      await hash.update(data.subarray(pos, end));
      pos = end;
    }
    assert.equal(encodeHex(hash.digest()), nativeMd5(data));
    // A turn per slice of bytes, however the chunks fell: not one per chunk.
    assert.equal(pause.count, Math.ceil(data.length / slice));
  });

  it("stops at the next slice when the signal aborts, rejecting with its reason", async () => {
    const controller = new AbortController();
    const reason = new Error("stop hashing");
    // The abort comes during the third turn, after two slices.
    const pause = countingPause((count) => count == 3 && controller.abort(reason));
    const hashing = md5Sliced(testBytes(10 * slice), {
      sliceSize: slice,
      pause,
      signal: controller.signal,
    });
    await assert.rejects(hashing, (error) => error === reason);
    assert.equal(pause.count, 3);
  });

  it("rejects with the reason of a signal aborted before it starts", async () => {
    const reason = new Error("already aborted");
    const pause = countingPause();
    const hashing = md5Sliced(testBytes(slice), {
      sliceSize: slice,
      pause,
      signal: AbortSignal.abort(reason),
    });
    await assert.rejects(hashing, (error) => error === reason);
  });

  it("hashes nothing in its caller's task", async () => {
    let turns = 0;
    const pause = () => {
      turns++;
      return nextTask();
    };
    const hash = new SlicedMd5({ sliceSize: slice, pause });
    const hashing = hash.update(testBytes(slice));
    // Called, it has only asked for a turn: the caller's task goes on unburdened.
    assert.equal(turns, 1);
    assert.equal(encodeHex(hash.digest()), nativeMd5(new Uint8Array(0)));
    await hashing;
    assert.equal(encodeHex(hash.digest()), nativeMd5(testBytes(slice)));
  });

  it("gives the event loop a turn between slices by default: a timer gets to run", async () => {
    const data = testBytes(8 * 1024 * 1024, 4);
    let finished = false;
    let timerRan = false;
    let timerRanWhileHashing = false;
    // Queued before the hashing starts; a hash that never yields to the event loop (or yields
    // only to microtasks) would finish first, with the timer still waiting.
    setTimeout(() => {
      timerRan = true;
      timerRanWhileHashing = !finished;
    }, 0);
    const digest = await md5Sliced(data, { sliceSize: 64 * 1024 });
    finished = true;
    assert.equal(encodeHex(digest), nativeMd5(data));
    assert.ok(timerRan && timerRanWhileHashing, "the timer ran only after the hashing");
  });
});
