import process from "node:process";
import { flushOutput, STDOUT_CLOSED_EXIT, stdoutClosed } from "./output.ts";

/**
 * Ends the process with a code once stdout and stderr have taken what was
 * written. Exiting explicitly matters: stdin may still be open (an upload
 * from a pipe that was interrupted) and would keep the process alive. The
 * wait matters too: `process.exit` drops writes that are still queued. A
 * command that succeeded but could not write all it had to a closed stdout
 * exits with 141, as a process SIGPIPE ended would.
 *
 * @param code The command's exit code.
 * @returns Never: the process ends.
 */
export async function exit(code: number): Promise<never> {
  await flushOutput();
  process.exit(code == 0 && stdoutClosed.aborted ? STDOUT_CLOSED_EXIT : code);
}
