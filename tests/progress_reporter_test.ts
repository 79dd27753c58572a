/**
 * upload()'s progress reporter on an injected clock: what `loaded`, `partsDone` and `skipped` say
 * as parts go out, fail and are skipped; the throttle's timer; an onProgress that throws. And
 * which transport a client gets for counting.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createClient, type UploadProgress } from "../mod.ts";
import { progressReporter, type ReporterClock } from "../src/upload/progress_reporter.ts";
import { countingFetch } from "../src/request/counting_fetch.ts";

/** A clock whose time moves only when told, and whose one timer runs when its time comes. */
function fakeClock() {
  let now = 0;
  let timer: { at: number; run: () => void } | undefined;
  const clock: ReporterClock = {
    now: () => now,
    setTimeout: (run, ms) => (timer = { at: now + ms, run }),
    clearTimeout: (given) => {
      if (given === timer) timer = undefined;
    },
  };
  const advance = (ms: number) => {
    now += ms;
    if (timer && timer.at <= now) {
      const { run } = timer;
      timer = undefined;
      run();
    }
  };
  return { clock, advance, pending: () => timer !== undefined };
}

const fixed = { uploadId: "u1", total: 3000, partsTotal: 3 };

describe("progressReporter()", () => {
  it("adds parts on the service and bytes in flight, taking back a failed attempt's", () => {
    const { clock, advance } = fakeClock();
    const told: UploadProgress[] = [];
    const reporter = progressReporter(fixed, (progress) => told.push(progress), clock);
    reporter.flush();
    reporter.sending(0, 0);
    advance(60);
    reporter.sending(0, 600);
    reporter.sending(1, 0);
    advance(60);
    reporter.sending(1, 400);
    advance(60);
    // Part 1's attempt failed; its retry starts from 0.
    reporter.sending(1, 0);
    advance(60);
    reporter.done({ partNumber: 0, size: 1000, etag: "a" });
    advance(60);
    reporter.sending(1, 300);
    advance(60);
    // Part 1 failed for good: its bytes in flight are taken back.
    reporter.failed(1);
    advance(60);
    assert.deepEqual(told.map(({ loaded, partsDone }) => [loaded, partsDone]), [
      [0, 0],
      [600, 0],
      [1000, 0],
      [600, 0],
      [1000, 1],
      [1300, 1],
      [1000, 1],
    ]);
    assert.deepEqual(told[0], { ...fixed, loaded: 0, partsDone: 0, skipped: 0 });
  });

  it("counts skipped parts in loaded and in skipped, and ignores a transport's late call", () => {
    const { clock, advance } = fakeClock();
    const told: UploadProgress[] = [];
    const reporter = progressReporter(fixed, (progress) => told.push(progress), clock);
    reporter.skip(0);
    reporter.done({ partNumber: 0, size: 1000, etag: "a" });
    reporter.sending(1, 500);
    reporter.done({ partNumber: 1, size: 1000, etag: "b" });
    reporter.sending(1, 1000); // a write callback after the answer
    advance(100);
    reporter.flush();
    assert.deepEqual(told.at(-1), { ...fixed, loaded: 2000, partsDone: 2, skipped: 1000 });
  });

  it("merges changes within 50 ms into one report, told by its timer, and tells no state twice", () => {
    const { clock, advance, pending } = fakeClock();
    const told: number[] = [];
    const reporter = progressReporter(fixed, ({ loaded }) => told.push(loaded), clock);
    reporter.sending(0, 1);
    for (let sent = 2; sent <= 40; sent++) {
      advance(1);
      reporter.sending(0, sent);
    }
    assert.deepEqual(told, [1]);
    advance(20);
    assert.deepEqual(told, [1, 40]);
    reporter.flush();
    advance(100);
    assert.deepEqual(told, [1, 40]);
    reporter.sending(0, 50);
    advance(10);
    reporter.sending(0, 60);
    assert.ok(pending());
    reporter.stop();
    assert.ok(!pending(), "stop() clears the timer");
    reporter.flush();
    assert.deepEqual(told, [1, 40, 50]);
  });

  it("aborts its failure signal with what onProgress threw, and tells nothing more", () => {
    const { clock, advance } = fakeClock();
    const bug = new Error("progress bar bug");
    let calls = 0;
    const reporter = progressReporter(fixed, () => {
      calls++;
      throw bug;
    }, clock);
    reporter.sending(0, 10);
    assert.ok(reporter.failure.aborted);
    assert.equal(reporter.failure.reason, bug);
    advance(100);
    reporter.sending(0, 20);
    reporter.flush();
    assert.equal(calls, 1);
  });
});

describe("countingFetch()", () => {
  const credentials = { accessKeyId: "AKID", secretAccessKey: "secret" };
  const endpoint = "http://127.0.0.1:9";
  const body = new Uint8Array(1);

  it("counts only in place of the runtime's own fetch: a fetch of the caller's own stays", async () => {
    const own = createClient({ endpoint, credentials, fetch: (request) => fetch(request) });
    assert.equal(await countingFetch(own, body, () => {}, undefined), undefined);
    const runtime = createClient({ endpoint, credentials });
    assert.equal(await countingFetch(runtime, body, undefined, undefined), undefined);
    // Deno, Node and Bun, which run these tests, all have a counting transport.
    assert.equal(typeof await countingFetch(runtime, body, () => {}, undefined), "function");
  });

  it("stops waiting for the transports' code when the request's signal aborts", async () => {
    const runtime = createClient({ endpoint, credentials });
    const reason = new Error("stopped");
    await assert.rejects(countingFetch(runtime, body, () => {}, AbortSignal.abort(reason)), reason);
  });
});
