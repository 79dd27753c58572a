/**
 * Waits the given time, or less if the signal aborts first; it never
 * rejects, so a caller that must go on after an abort (a clean-up that
 * stops early, an emulator whose client hung up) needs no catch. Its
 * listener goes when the wait ends, however it ends.
 *
 * @param ms How long to wait, in milliseconds.
 * @param signal Cuts the wait short; an already aborted signal ends it at once.
 * @returns A promise that resolves when the time is up or the signal aborts.
 *
 * @example
 * ```ts
 * import { pause } from "./pause.ts";
 *
 * await pause(10_000, AbortSignal.timeout(5)); // resolves after about 5 ms
 * ```
 */
export function pause(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
