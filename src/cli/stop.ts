import process from "node:process";
import { STDOUT_CLOSED_EXIT, stdoutClosed } from "./output.ts";

/** Something from outside that asks a command to stop, and how it is told and exits. */
export interface Stop {
  /** What happened, for messages: `interrupted`, `terminated (SIGTERM)`, ... */
  what: string;
  /**
   * How to ask again, for `… again to exit at once`: `Ctrl-C`, `SIGTERM`;
   * absent for what cannot be asked again (stdout closing).
   */
  again?: string;
  /** The exit code: 128 + the signal's number, as a shell shows a process a signal ended. */
  code: number;
}

/**
 * The signals that stop a command: Ctrl-C, a `kill` (or a service manager
 * stopping it), and a terminal that closed. Each is handled like the others:
 * the command cleans up, then exits with 128 + the signal's number.
 */
const SIGNALS = {
  SIGINT: { what: "interrupted", again: "Ctrl-C", code: 130 },
  SIGTERM: { what: "terminated (SIGTERM)", again: "SIGTERM", code: 143 },
  SIGHUP: { what: "hung up (SIGHUP)", again: "SIGHUP", code: 129 },
} as const satisfies Record<string, Stop>;

/**
 * Calls `handler` on each SIGINT, SIGTERM or SIGHUP until the returned
 * function is called. While a handler is installed, the signal no longer
 * ends the process by itself: the handler decides.
 *
 * @param handler Told which signal came.
 * @returns A function that removes the handler.
 */
export function onStopSignal(handler: (stop: Stop) => void): () => void {
  const removers: (() => void)[] = [];
  for (const [name, stop] of Object.entries(SIGNALS)) {
    const listener = () => handler(stop);
    try {
      process.on(name, listener);
      removers.push(() => process.off(name, listener));
    } catch {
      // A platform without that signal (Deno on Windows has only SIGINT and SIGBREAK).
    }
  }
  return () => removers.forEach((remove) => remove());
}

/**
 * Calls `handler` once if stdout closes (see `stdoutClosed`) before the
 * returned function is called: the command is stopped as SIGPIPE would stop
 * it, exit code 141.
 *
 * @param handler Told that stdout closed.
 * @returns A function that removes the handler.
 */
export function onStdoutClosed(handler: (stop: Stop) => void): () => void {
  const listener = () => handler({ what: "stdout closed", code: STDOUT_CLOSED_EXIT });
  if (stdoutClosed.aborted) queueMicrotask(listener);
  else stdoutClosed.addEventListener("abort", listener, { once: true });
  return () => stdoutClosed.removeEventListener("abort", listener);
}
