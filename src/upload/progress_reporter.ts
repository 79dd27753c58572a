import type { UploadedPart } from "../errors.ts";
import { PROGRESS_INTERVAL, progressDelay } from "./progress_throttle.ts";

/**
 * How far an upload has come, as passed to `onProgress`. A body sent in one
 * PUT has no upload ID, and counts as one part.
 */
export interface UploadProgress {
  /**
   * The upload's ID, known from the first event on; keep it to resume after
   * a crash. Absent for a body sent in one PUT, which has no upload.
   */
  uploadId?: string;
  /**
   * Bytes of the body sent so far: the parts on the service, and what the
   * transport has taken of the parts in flight, where the runtime can count
   * it (see docs/protocol.md#upload-progress-by-runtime). It includes
   * `skipped`. When an attempt fails, its bytes are taken back as its part
   * is sent again, so `loaded` can go down.
   */
  loaded: number;
  /** The body's size, when known. */
  total?: number;
  /** Parts on the service so far, those found there when resuming included. */
  partsDone: number;
  /** How many parts there will be, when the size is known. */
  partsTotal?: number;
  /**
   * Bytes of the parts that resuming found on the service already, byte for
   * byte, and did not send again: counted in `loaded`. 0 for a new upload.
   */
  skipped: number;
}

/** What the reporter needs of the clock: injected in tests, the real one otherwise. */
export interface ReporterClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

const REAL_CLOCK: ReporterClock = {
  now: () => performance.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (timer) => clearTimeout(timer as number),
};

/**
 * Gathers an upload's progress from its parts and tells it to `onProgress`,
 * throttled by {@linkcode progressDelay}: at most every 50 ms, the latest
 * state always told within 50 ms.
 */
export interface ProgressReporter {
  /**
   * The bytes of a part's attempt the transport has taken so far: 0 when an attempt starts (an
   * earlier attempt's are taken back). Ignored once the part is done or failed.
   */
  sending(partNumber: number, sent: number): void;
  /** A part was found on the service when resuming, and is not sent again. */
  skip(partNumber: number): void;
  /** A part is on the service (or was found there). */
  done(part: UploadedPart): void;
  /** A part failed for good: its bytes in flight are taken back. */
  failed(partNumber: number): void;
  /** Tells the state now, if it changed since it was last told, whatever the throttle. */
  flush(): void;
  /** Tells nothing more, and clears any timer. */
  stop(): void;
  /** Aborted, with what it threw, when `onProgress` throws. */
  readonly failure: AbortSignal;
}

/**
 * Makes the reporter of one upload.
 *
 * @param fixed The upload's ID, size and part count, which do not change.
 * @param onProgress The caller's callback.
 * @param clock The clock; the real one by default.
 * @returns The reporter.
 */
export function progressReporter(
  fixed: Pick<UploadProgress, "uploadId" | "total" | "partsTotal">,
  onProgress: (progress: UploadProgress) => void,
  clock: ReporterClock = REAL_CLOCK,
): ProgressReporter {
  const failure = new AbortController();
  const inFlight = new Map<number, number>();
  const skipped = new Set<number>();
  // A transport may call back late, after its part's answer: that must not count it twice.
  const finished = new Set<number>();
  let done = 0;
  let skippedBytes = 0;
  let partsDone = 0;
  let lastTold: number | undefined;
  let last: UploadProgress | undefined;
  let timer: unknown;
  let stopped = false;
  const tell = () => {
    clock.clearTimeout(timer);
    timer = undefined;
    if (stopped) return;
    let loaded = done;
    for (const sent of inFlight.values()) loaded += sent;
    const progress = { ...fixed, loaded, partsDone, skipped: skippedBytes };
    if (
      last && last.loaded == loaded && last.partsDone == partsDone && last.skipped == skippedBytes
    ) return;
    lastTold = clock.now();
    last = progress;
    try {
      onProgress(progress);
    } catch (error) {
      // Thrown from a timer or a transport's callback, it would be lost: the upload fails on it.
      stopped = true;
      failure.abort(error);
    }
  };
  const changed = () => {
    if (stopped) return;
    const delay = progressDelay(clock.now(), lastTold, PROGRESS_INTERVAL);
    if (delay == 0) tell();
    else timer ??= clock.setTimeout(tell, delay);
  };
  return {
    failure: failure.signal,
    sending(partNumber, sent) {
      if (finished.has(partNumber)) return;
      inFlight.set(partNumber, sent);
      changed();
    },
    skip(partNumber) {
      skipped.add(partNumber);
    },
    done({ partNumber, size }) {
      finished.add(partNumber);
      inFlight.delete(partNumber);
      done += size;
      partsDone++;
      if (skipped.has(partNumber)) skippedBytes += size;
      changed();
    },
    failed(partNumber) {
      finished.add(partNumber);
      if (inFlight.delete(partNumber)) changed();
    },
    flush: tell,
    stop() {
      stopped = true;
      clock.clearTimeout(timer);
    },
  };
}
