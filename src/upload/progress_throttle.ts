/**
 * How often `upload()` tells its progress: the pure policy, with the time
 * given, so that it is tested without a clock.
 *
 * @module
 */

/** The least time between two progress reports, in ms: at most 20 a second. */
export const PROGRESS_INTERVAL = 50;

/**
 * When a change in progress may be told: at once if the last report is at
 * least `interval` ms old, otherwise when it will be. The caller then tells
 * the state as it is at that time, so changes that come faster are merged,
 * and none waits longer than `interval` to be told.
 *
 * @param now The time of the change, in ms.
 * @param lastTold When the last report was told, in ms; `undefined` when none was.
 * @param interval The least time between two reports, in ms.
 * @returns 0 to tell the change now; otherwise the ms to wait before telling the state then.
 */
export function progressDelay(
  now: number,
  lastTold: number | undefined,
  interval: number = PROGRESS_INTERVAL,
): number {
  return lastTold === undefined ? 0 : Math.max(0, lastTold + interval - now);
}
