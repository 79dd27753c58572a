/**
 * The command line's progress line, with an injected clock, and its file body, which reads each
 * part from the file at its offset: in-process.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openFileBody } from "../src/cli/file_body.ts";
import { createProgressLine, formatProgress } from "../src/cli/progress_line.ts";

describe("cli progress line", () => {
  it("formats bytes, percentage, rate, ETA and parts; without a total, no percentage", () => {
    const MiB = 2 ** 20;
    assert.equal(
      formatProgress({ loaded: 3 * MiB, total: 12 * MiB, partsDone: 3, partsTotal: 12 }, 2000),
      "3.0 MiB / 12.0 MiB  25%  1.5 MiB/s  ETA 0:06  parts 3/12",
    );
    assert.equal(
      formatProgress({ loaded: 0, total: 100, partsDone: 0, partsTotal: 1 }, 0),
      "0 B / 100 B  0%  0 B/s  ETA --:--  parts 0/1",
    );
    assert.equal(
      formatProgress({ loaded: MiB, total: 7200 * MiB, partsDone: 1, partsTotal: 900 }, 1000),
      "1.0 MiB / 7.0 GiB  0%  1.0 MiB/s  ETA 1:59:59  parts 1/900",
    );
    assert.equal(
      formatProgress({ loaded: 0, total: 0, partsDone: 0, partsTotal: 1 }, 5),
      "0 B / 0 B  100%  0 B/s  ETA 0:00  parts 0/1",
    );
    assert.equal(
      formatProgress({ loaded: 5 * MiB, partsDone: 5 }, 1000),
      "5.0 MiB  5.0 MiB/s  parts 5",
    );
  });

  /** A clock and a timer queue the test moves by hand. */
  function fakeTime() {
    let now = 0;
    const timers: { at: number; callback: () => void }[] = [];
    return {
      now: () => now,
      schedule: (callback: () => void, ms: number) => {
        const timer = { at: now + ms, callback };
        timers.push(timer);
        return () => timers.splice(timers.indexOf(timer), 1);
      },
      pending: () => timers.length,
      advance(ms: number) {
        now += ms;
        for (const timer of timers.filter((timer) => timer.at <= now)) {
          timers.splice(timers.indexOf(timer), 1);
          timer.callback();
        }
      },
    };
  }

  it("prints at most one plain line a second when not on a terminal, the latest figures late rather than never, and a last one", () => {
    const time = fakeTime();
    const written: string[] = [];
    const line = createProgressLine({ tty: false, write: (text) => written.push(text), ...time });
    const at = (loaded: number) => ({
      loaded,
      total: 4000,
      partsDone: loaded / 1000,
      partsTotal: 4,
    });
    line.update(at(0));
    time.advance(100);
    line.update(at(1000));
    time.advance(100);
    line.update(at(2000));
    assert.deepEqual(written, ["0 B / 3.9 KiB  0%  0 B/s  ETA --:--  parts 0/4\n"]);
    assert.equal(time.pending(), 1);
    // Nothing more arrives (a pipe waiting for data): the latest still shows, a second on.
    time.advance(800);
    assert.equal(written.length, 2);
    assert.match(
      written[1],
      /^2\.0 KiB \/ 3\.9 KiB {2}50% {2}2\.0 KiB\/s {2}ETA 0:01 {2}parts 2\/4\n$/,
    );
    line.note("a note");
    assert.equal(written[2], "a note\n");
    line.update(at(4000));
    line.finish();
    assert.equal(time.pending(), 0);
    assert.match(written.at(-1)!, /^3\.9 KiB \/ 3\.9 KiB {2}100% .* ETA 0:00 {2}parts 4\/4\n$/);
    assert.ok(written.every((text) => !text.includes("\r")));
  });

  it("redraws one terminal line in place at most ten times a second, and ends it", () => {
    const time = fakeTime();
    const written: string[] = [];
    const line = createProgressLine({ tty: true, write: (text) => written.push(text), ...time });
    for (let loaded = 0; loaded <= 100; loaded += 10) {
      line.update({ loaded, total: 100, partsDone: loaded / 10, partsTotal: 10 });
      time.advance(25);
    }
    // 11 updates over 275 ms: drawn at 0, 100, 200 and by the timer at 300 at most.
    assert.ok(written.length <= 4 && written.length >= 3, String(written.length));
    assert.ok(written.every((text) => text.startsWith("\r\x1b[K") && !text.includes("\n")));
    line.note("upload id X");
    const REDRAW = "\r\x1b[K";
    assert.ok(written.at(-1)!.startsWith(REDRAW));
    assert.match(written.at(-1)!.slice(REDRAW.length), /^upload id X\n.*parts \d+\/10$/);
    line.finish();
    assert.ok(written.at(-1)!.startsWith(REDRAW));
    assert.match(written.at(-1)!.slice(REDRAW.length), /^100 B \/ 100 B {2}100% .*parts 10\/10\n$/);
    assert.equal(time.pending(), 0);
  });
});

describe("cli file body", () => {
  it("reads any slice of the file from its offset, and refuses a file changed since it was opened", async () => {
    const folder = mkdtempSync(join(tmpdir(), "qingstor-file-body-"));
    try {
      const path = join(folder, "data.bin");
      const data = new Uint8Array(10_000).map((_, i) => i % 251);
      writeFileSync(path, data);
      const { body, size } = await openFileBody(path);
      assert.equal(size, 10_000);
      assert.ok(body instanceof Blob);
      assert.equal(body.size, 10_000);
      const read = async (blob: Blob) => new Uint8Array(await blob.arrayBuffer());
      assert.deepEqual(await read(body.slice(4096, 8192)), data.subarray(4096, 8192));
      assert.deepEqual(await read(body.slice(9000)), data.subarray(9000));
      assert.deepEqual(await read(body.slice(-100, -50)), data.subarray(9900, 9950));
      assert.deepEqual(await read(body.slice(100, 200).slice(10, 20)), data.subarray(110, 120));
      assert.equal(body.slice(500, 100).size, 0);
      appendFileSync(path, "more");
      await assert.rejects(read(body.slice(0, 10)), /data\.bin changed while it was read/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
