/**
 * Settles as a promise does, or rejects with the signal's reason if the
 * signal aborts first: for waits that cannot be cancelled themselves, such
 * as a source that may wait forever for data. The listener lives only as long
 * as the wait, so nothing piles up on a long-lived signal; the promise is
 * followed to its end all the same, so that its rejection is never unhandled.
 *
 * @param promise What to wait for.
 * @param signal Stops the wait; without one, the promise is returned as is.
 * @returns The promise's value.
 * @throws The signal's reason, when it aborts first; or what the promise rejects with.
 *
 * @example
 * ```ts
 * import { untilAborted } from "./until_aborted.ts";
 *
 * const never = new Promise<never>(() => {});
 * await untilAborted(never, AbortSignal.timeout(10)).catch((error) => error.name); // "TimeoutError"
 * ```
 */
export function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal | null): Promise<T> {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    const abort = () => reject(signal.reason);
    if (signal.aborted) abort();
    else signal.addEventListener("abort", abort, { once: true });
    // Followed even when the signal won, so that its later rejection is never unhandled.
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}
