import { formatBytes } from "./byte_size.ts";

/** The figures a progress line shows; `upload()`'s progress has them all. */
export interface ProgressFigures {
  /** Bytes on the service so far. */
  loaded: number;
  /** The body's size, when known. */
  total?: number;
  /** Parts on the service so far. */
  partsDone: number;
  /** How many parts there will be, when known. */
  partsTotal?: number;
}

/** What {@linkcode createProgressLine} needs from its surroundings, injected so tests control time. */
export interface ProgressLineOptions {
  /** Whether the output is a terminal: redraw one line in place, else print plain lines. */
  tty: boolean;
  /** Writes text (to stderr). */
  write: (text: string) => void;
  /** The current time in milliseconds. */
  now: () => number;
  /** Calls back after a delay in milliseconds; returns a function that cancels it. */
  schedule: (callback: () => void, ms: number) => () => void;
}

/** A progress display for one upload. */
export interface ProgressLine {
  /** Takes new figures; they are shown now, or as soon as the throttle allows. */
  update(figures: ProgressFigures): void;
  /** Prints a line of its own above the progress line (which is redrawn on a terminal). */
  note(text: string): void;
  /** Shows the last figures, ends the line, and cancels any pending redraw. */
  finish(): void;
}

/** Milliseconds between redraws on a terminal: at most 10 a second. */
const TTY_INTERVAL = 100;
/** Milliseconds between lines when not on a terminal (a log): at most one a second. */
const PLAIN_INTERVAL = 1000;
/** Carriage return, then ANSI "erase to end of line": the old line is gone even if longer. */
const REDRAW = "\r\x1b[K";

/**
 * Formats one progress line: bytes, percentage, average rate, ETA and parts
 * when the size is known (`3.0 MiB / 12.0 MiB  25%  1.5 MiB/s  ETA 0:06  parts 3/12`),
 * else bytes, rate and parts.
 *
 * @param figures How far the upload has come.
 * @param elapsed Milliseconds since the upload started, for the rate.
 * @returns The line, without line break.
 */
export function formatProgress(figures: ProgressFigures, elapsed: number): string {
  const { loaded, total, partsDone, partsTotal } = figures;
  // The average since the start: steadier than the last part's rate, which jumps per part.
  const rate = elapsed > 0 ? loaded / (elapsed / 1000) : 0;
  const speed = `${formatBytes(Math.round(rate))}/s`;
  if (total === undefined) return `${formatBytes(loaded)}  ${speed}  parts ${partsDone}`;
  const percent = total == 0 ? 100 : Math.floor((loaded / total) * 100);
  const eta = loaded >= total ? "0:00" : rate > 0 ? clock((total - loaded) / rate) : "--:--";
  return `${formatBytes(loaded)} / ${
    formatBytes(total)
  }  ${percent}%  ${speed}  ETA ${eta}  parts ${partsDone}/${partsTotal ?? "?"}`;
}

function clock(seconds: number): string {
  const whole = Math.ceil(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/**
 * Makes a throttled progress display. Figures that arrive too soon after the
 * last line are not dropped: a redraw is scheduled for when the interval has
 * passed, so a stalled upload (a pipe waiting for data) still shows where it stopped.
 *
 * @param options Terminal or not, the writer, and the clock.
 * @returns The display.
 */
export function createProgressLine(options: ProgressLineOptions): ProgressLine {
  const { tty, write, now, schedule } = options;
  const interval = tty ? TTY_INTERVAL : PLAIN_INTERVAL;
  let started = 0;
  let latest: ProgressFigures | undefined;
  let shownAt = -Infinity;
  let shown = "";
  let cancel: (() => void) | undefined;

  const show = () => {
    cancel?.();
    cancel = undefined;
    const line = formatProgress(latest!, now() - started);
    shownAt = now();
    if (tty) write(REDRAW + line);
    else if (line != shown) write(line + "\n");
    shown = line;
  };

  return {
    update(figures) {
      if (!latest) started = now();
      latest = figures;
      const wait = shownAt + interval - now();
      if (wait <= 0) show();
      else cancel ??= schedule(show, wait);
    },
    note(text) {
      if (tty && shown) write(`${REDRAW}${text}\n${shown}`);
      else write(text + "\n");
    },
    finish() {
      cancel?.();
      cancel = undefined;
      if (!latest) return;
      const line = formatProgress(latest, now() - started);
      if (tty) write(REDRAW + line + "\n");
      else if (line != shown) write(line + "\n");
      // Finished: later notes go on lines of their own.
      latest = undefined;
      shown = "";
    },
  };
}
