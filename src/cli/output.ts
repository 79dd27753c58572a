import { fstatSync } from "node:fs";
import process from "node:process";

/** The command's name: the prefix of its own messages, and the first word of printed commands. */
export const PROGRAM = "qingstor-multipart";

/** C0 controls, DEL and C1 controls: what a terminal may act on rather than show. */
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;
const CONTROLS = new RegExp(CONTROL.source, "g");

/**
 * Whether text holds a control character (C0, DEL or C1).
 *
 * @param text The text.
 * @returns True if it does.
 */
export function hasControl(text: string): boolean {
  return CONTROL.test(text);
}

function escapeControl(char: string): string {
  // JSON's short forms where it has them (\n, \t, ...), else \u00XX, which JSON reads back too.
  const json = JSON.stringify(char).slice(1, -1);
  return json.length > 1 ? json : `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * A value from the user or the service (a key, a file name, an upload id) as
 * it may be shown: as is when it holds no control character, else quoted as
 * a JSON string with every control character escaped, so that nothing in it
 * moves the cursor, rings, or starts a line of its own. A value that starts
 * with `"` is quoted too, so a quoted value is never mistaken for a plain one.
 *
 * @param value The value.
 * @returns The text to print.
 */
export function printable(value: string): string {
  if (!hasControl(value) && !value.startsWith('"')) return value;
  return JSON.stringify(value).replace(CONTROLS, escapeControl);
}

/**
 * A message as one line of plain text: every control character in it,
 * line breaks included, escaped as in JSON. Messages of the library and the
 * runtime may hold a key or a service's text; this keeps each failure one
 * line of a log and keeps them from reaching the terminal as commands.
 *
 * @param text The message.
 * @returns The text, on one line.
 */
export function oneLine(text: string): string {
  return text.replace(CONTROLS, escapeControl);
}

/**
 * JSON for stdout: `JSON.stringify`, with DEL and C1 characters escaped too
 * (JSON leaves them raw), which reads back as the same value.
 *
 * @param value The value.
 * @returns The JSON text.
 */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\x7f-\x9f]/g, escapeControl);
}

/**
 * A count and its noun: `1 part`, `3 parts`.
 *
 * @param count The count.
 * @param noun The noun, singular; `s` makes the plural.
 * @returns The text.
 */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count == 1 ? "" : "s"}`;
}

const closed = { stdout: false, stderr: false };
/** Whether stdout and stderr are one pipe (`2>&1 |`), so that either closing closes both. */
let shared = false;
const stdoutController = new AbortController();

/**
 * Aborts when stdout is closed (its reader went away: `… | head -1`). A
 * command then ends as if SIGPIPE had stopped it: an upload in progress is
 * aborted and cleaned up as on Ctrl-C, and the exit code is
 * {@linkcode STDOUT_CLOSED_EXIT}.
 */
export const stdoutClosed: AbortSignal = stdoutController.signal;

/** The exit code when stdout was closed: 128 + SIGPIPE (13), as for a process SIGPIPE ended. */
export const STDOUT_CLOSED_EXIT = 141;

function close(name: "stdout" | "stderr"): void {
  closed[name] = true;
  if (shared) closed.stdout = closed.stderr = true;
  if (closed.stdout && !stdoutClosed.aborted) stdoutController.abort();
}

/** A write's callback: an error means that the stream is closed for good. */
const onWritten = (name: "stdout" | "stderr") => (error?: Error | null) => {
  if (error) close(name);
};

/**
 * Makes a closed stdout or stderr harmless. Node, Deno and Bun ignore
 * SIGPIPE and report a write to a closed pipe as an `EPIPE` error on the
 * stream, which, unhandled, ends the process with a stack trace and leaves an
 * upload in progress on the service. Here a closed stderr only drops what is
 * written to it after (an upload goes on); a closed stdout aborts
 * {@linkcode stdoutClosed}. When stdout and stderr are one pipe, either
 * closing closes both. Any error counts, not only `EPIPE`: a terminal that
 * hung up answers `EIO`, and nothing more can go there either.
 */
export function guardOutput(): void {
  shared = samePipe();
  process.stdout.on("error", () => close("stdout"));
  process.stderr.on("error", () => close("stderr"));
}

function samePipe(): boolean {
  try {
    const out = fstatSync(1);
    const err = fstatSync(2);
    return (out.isFIFO() || out.isSocket()) && out.dev == err.dev && out.ino == err.ino;
  } catch {
    // A runtime that cannot tell: each stream stands alone.
    return false;
  }
}

/**
 * Writes a line to stdout, unless it is closed.
 *
 * @param line One line, without line break; control characters are escaped.
 */
export function print(line: string): void {
  write("stdout", oneLine(line) + "\n");
}

function write(name: "stdout" | "stderr", text: string): void {
  if (!closed[name]) process[name].write(text, onWritten(name));
}

/**
 * Writes text to stderr as given (a progress line's redraw), unless it is closed.
 *
 * @param text The text.
 */
export function writeStderr(text: string): void {
  write("stderr", text);
}

/**
 * Tells the user something on stderr: one line, prefixed with the program's
 * name, control characters escaped.
 *
 * @param message The message.
 */
export function warn(message: string): void {
  writeStderr(`${PROGRAM}: ${oneLine(message)}\n`);
}

/**
 * Prints a block of text as is (a usage, the emulator's variables) to stdout
 * or stderr, unless that stream is closed.
 *
 * @param to Which stream.
 * @param text The text; a line break is added.
 */
export function printBlock(to: "stdout" | "stderr", text: string): void {
  write(to, text + "\n");
}

/**
 * Waits until stdout and stderr have taken what was written to them (those
 * still open), so that exiting drops nothing; a write that failed meanwhile
 * marks its stream closed.
 */
export async function flushOutput(): Promise<void> {
  await Promise.all(
    (["stdout", "stderr"] as const).filter((name) => !closed[name]).map((name) =>
      new Promise<void>((resolve) =>
        process[name].write("", (error?: Error | null) => {
          onWritten(name)(error);
          resolve();
        })
      )
    ),
  );
}
