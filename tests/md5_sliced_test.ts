/**
 * md5Sliced() and SlicedMd5 on an injected clock and pause: digests equal to node:crypto's however
 * the slices fall, a turn whenever a slice has used its time, the signal's abort, nothing hashed
 * in the caller's task; and, on the real event loop, a timer that gets to run while it hashes.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodeHex } from "../src/encoding.ts";
import { MD5_STEP, md5Sliced, nextTask, SlicedMd5 } from "../src/md5_sliced.ts";
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

/** A clock that has moved on by `tick` milliseconds each time it is read. */
function steppingClock(tick: number) {
  let time = 0;
  return () => time += tick;
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
  // Not a multiple of 64, so steps end inside MD5 blocks.
  const step = 1000;
  const sliceMs = 3;
  const steps = (size: number) => Math.ceil(size / step);

  it("matches node:crypto on sizes around step boundaries, however slices fall", async () => {
    const sizes = [0, 1, 63, 64, 999, 1000, 1001, 1999, 2000, 2001, 3 * 1000 + 7];
    for (const size of [...sizes, ...sizesFrom(12, 20, 20 * step)]) {
      const data = testBytes(size, size + 1);
      for (const tick of [0, 1, sliceMs]) {
        const pause = countingPause();
        const now = steppingClock(tick);
        const digest = await md5Sliced(data, { step, sliceMs, now, pause });
        assert.equal(encodeHex(digest), nativeMd5(data), `size ${size}, tick ${tick}`);
      }
    }
  });

  it("matches node:crypto at the default step, across it", async () => {
    for (const size of [MD5_STEP - 1, MD5_STEP, MD5_STEP + 1, 5 * MD5_STEP + 13]) {
      const data = testBytes(size, 5);
      const pause = countingPause();
      const now = steppingClock(sliceMs);
      assert.equal(encodeHex(await md5Sliced(data, { now, pause })), nativeMd5(data), `${size}`);
    }
  });

  it("gives a turn whenever a slice has used its time, before the first byte and after the last", async () => {
    const size = 10 * step + 7;
    // Each look at the clock (one per step) finds a slice's time gone: a turn before every step,
    // and one after the last, so the caller's next step does not add to the last slice.
    const everyStep = countingPause();
    await md5Sliced(testBytes(size), {
      step,
      sliceMs,
      now: steppingClock(sliceMs),
      pause: everyStep,
    });
    assert.equal(everyStep.count, steps(size) + 1);
    // A third of it: a slice takes three steps (its start and two looks later, the third).
    const everyThird = countingPause();
    await md5Sliced(testBytes(size), { step, sliceMs, now: steppingClock(1), pause: everyThird });
    assert.equal(everyThird.count, Math.ceil(steps(size) / 3) + 1);
    // A clock that stands still (Cloudflare Workers while code runs): the turns before and after.
    const frozen = countingPause();
    await md5Sliced(testBytes(size), { step, sliceMs, now: steppingClock(0), pause: frozen });
    assert.equal(frozen.count, 2);
    // Nothing to hash, nothing to wait for.
    const empty = countingPause();
    await md5Sliced(new Uint8Array(0), {
      step,
      sliceMs,
      now: steppingClock(sliceMs),
      pause: empty,
    });
    assert.equal(empty.count, 0);
  });

  it("lets chunks share a slice, and cuts larger ones into steps", async () => {
    const data = testBytes(25_000, 9);
    const chunkSizes = sizesFrom(3, 200, 2 * step);
    const pause = countingPause();
    const hash = new SlicedMd5({ step, sliceMs, now: steppingClock(1), pause });
    let chunks = 0;
    for (let pos = 0; pos < data.length; chunks++) {
      const end = Math.min(data.length, pos + chunkSizes[chunks % chunkSizes.length]);
      await hash.update(data.subarray(pos, end));
      pos = end;
    }
    assert.equal(encodeHex(hash.digest()), nativeMd5(data));
    // Turns by time spent, however the chunks fell: far fewer than one per chunk.
    assert.ok(
      pause.count > 1 && pause.count < chunks / 2,
      `${pause.count} turns, ${chunks} chunks`,
    );
  });

  it("stops at the next step when the signal aborts, rejecting with its reason", async () => {
    const controller = new AbortController();
    const reason = new Error("stop hashing");
    // The abort comes during the third turn, after two steps.
    const pause = countingPause((count) => count == 3 && controller.abort(reason));
    const hashing = md5Sliced(testBytes(10 * step), {
      step,
      sliceMs,
      now: steppingClock(sliceMs),
      pause,
      signal: controller.signal,
    });
    await assert.rejects(hashing, (error) => error === reason);
    assert.equal(pause.count, 3);
  });

  it("rejects with the reason of a signal aborted before it starts", async () => {
    const reason = new Error("already aborted");
    const hashing = md5Sliced(testBytes(step), {
      pause: countingPause(),
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
    const hash = new SlicedMd5({ pause });
    const hashing = hash.update(testBytes(step));
    // Called, it has only asked for a turn: the caller's task goes on unburdened.
    assert.equal(turns, 1);
    assert.equal(encodeHex(hash.digest()), nativeMd5(new Uint8Array(0)));
    await hashing;
    assert.equal(encodeHex(hash.digest()), nativeMd5(testBytes(step)));
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
    // The real clock and turns; 1 ms slices, so 8 MiB (over 10 ms anywhere) takes several.
    const digest = await md5Sliced(data, { sliceMs: 1 });
    finished = true;
    assert.equal(encodeHex(digest), nativeMd5(data));
    assert.ok(timerRan && timerRanWhileHashing, "the timer ran only after the hashing");
  });
});
