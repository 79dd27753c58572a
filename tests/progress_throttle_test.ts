/**
 * The progress throttle, a pure policy: with the time given, how often
 * upload() tells its progress, on fast and slow links.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PROGRESS_INTERVAL, progressDelay } from "../src/upload/progress_throttle.ts";

/**
 * Drives the policy as the reporter does, on a simulated clock: changes come at the given times;
 * a change told later is told by one timer at most. Returns the times reports were told, and how
 * long each change waited to be told.
 */
function simulate(changes: number[]): { told: number[]; waits: number[] } {
  const told: number[] = [];
  const waits: number[] = [];
  let pendingSince: number[] = [];
  let timerAt: number | undefined;
  const tell = (now: number) => {
    told.push(now);
    waits.push(...pendingSince.map((since) => now - since));
    pendingSince = [];
    timerAt = undefined;
  };
  for (const now of changes) {
    if (timerAt !== undefined && timerAt <= now) tell(timerAt);
    pendingSince.push(now);
    const delay = progressDelay(now, told.at(-1));
    if (delay == 0) tell(now);
    else timerAt ??= now + delay;
  }
  if (timerAt !== undefined) tell(timerAt);
  return { told, waits };
}

describe("progressDelay()", () => {
  it("tells the first change at once, and later ones no sooner than the interval", () => {
    assert.equal(progressDelay(1000, undefined), 0);
    assert.equal(progressDelay(1000, 990), PROGRESS_INTERVAL - 10);
    assert.equal(progressDelay(1000, 950), 0);
    assert.equal(progressDelay(1000, 100), 0);
    assert.equal(progressDelay(1000, 990, 100), 90);
  });

  it("holds to 20 reports a second on a fast link, and tells every change within 50 ms", () => {
    // A slice taken every 0.1 ms for 10 s: 100,000 changes, a link of 2.5 GB/s in 256 KiB slices.
    const changes = Array.from({ length: 100_000 }, (_, i) => i / 10);
    const { told, waits } = simulate(changes);
    // Reports after the first, per second between the first and the last.
    const seconds = (told.at(-1)! - told[0]) / 1000;
    assert.ok(told.length - 1 <= seconds * 20, `${told.length} reports in ${seconds} s`);
    assert.ok(told.length - 1 >= seconds * 20 - 1, `${told.length} reports in ${seconds} s`);
    for (let i = 1; i < told.length; i++) assert.ok(told[i] - told[i - 1] >= PROGRESS_INTERVAL);
    assert.ok(Math.max(...waits) <= PROGRESS_INTERVAL, `longest wait ${Math.max(...waits)}`);
  });

  it("tells every change at once on a slow link, where they come less often than the interval", () => {
    // A 256 KiB slice every 125 ms: 2 MiB/s, eight reports a second, four for each MiB.
    const changes = Array.from({ length: 80 }, (_, i) => i * 125);
    const { told, waits } = simulate(changes);
    assert.deepEqual(told, changes);
    assert.equal(Math.max(...waits), 0);
  });

  it("merges bursts into one report, told when the interval ends", () => {
    const { told, waits } = simulate([0, 1, 2, 3, 30, 49, 200, 201]);
    assert.deepEqual(told, [0, 50, 200, 250]);
    assert.equal(Math.max(...waits), 49);
  });
});
