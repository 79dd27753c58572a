/**
 * Settles as a promise does, or rejects with the signal's reason if the
 * signal aborts first: for waits that cannot be cancelled themselves, such
 * as a source that may wait forever for data. The listener lives only as long
 * as the wait, so nothing piles up on a long-lived signal.
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
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}
