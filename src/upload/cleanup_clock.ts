/**
 * Slack when comparing uploads' creation times with the moment an initiate
 * attempt was sent: the listing's `Date` header has whole seconds, and so may
 * creation times. Uploads created since that moment, less this, may be orphans.
 */
export const CREATION_SLACK = 2000;

/** The time `upload()` gives its clean-up; see {@linkcode cleanupClock}. */
export interface CleanupClock {
  /** Aborts when the clean-up time is up, with a `TimeoutError`. */
  readonly signal: AbortSignal;
  /** Starts the clock, if it has not started: the upload's outcome is known. */
  start(): void;
  /** Stops the clock and lets go of the caller's signal: the upload has settled. */
  stop(): void;
}

/**
 * The clean-up's time limit. It starts when the caller's signal aborts, or
 * when the upload's outcome is known (`start()`), whichever comes first;
 * `ms` later its signal aborts. Every request still made after that point
 * (an initiate in flight, the abort of the upload, the search for orphans,
 * a complete in flight) takes this signal, so `upload()` settles within the
 * time whatever the service does, and reports what it did not get to.
 *
 * @param signal The caller's signal; its abort starts the clock.
 * @param ms The clean-up time in milliseconds.
 * @returns The clock; `stop()` it when the upload settles.
 *
 * @example
 * ```ts
 * import { cleanupClock } from "./cleanup_clock.ts";
 *
 * const caller = new AbortController();
 * const clock = cleanupClock(caller.signal, 10);
 * caller.abort();
 * await new Promise((resolve) => clock.signal.addEventListener("abort", resolve));
 * clock.signal.reason.name; // "TimeoutError"
 * clock.stop();
 * ```
 */
export function cleanupClock(signal: AbortSignal | undefined, ms: number): CleanupClock {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const start = () => {
    timer ??= setTimeout(
      () =>
        controller.abort(
          new DOMException(`The clean-up did not finish within ${ms} ms`, "TimeoutError"),
        ),
      ms,
    );
  };
  signal?.addEventListener("abort", start, { once: true });
  if (signal?.aborted) start();
  return {
    signal: controller.signal,
    start,
    stop() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", start);
    },
  };
}
