import { ValidationError } from "../../mod.ts";
import type { Command } from "./command.ts";
import { abortCommand } from "./commands/abort.ts";
import { emulatorCommand } from "./commands/emulator.ts";
import { listCommand } from "./commands/list.ts";
import { presignCommand } from "./commands/presign.ts";
import { uploadCommand } from "./commands/upload.ts";
import { print, printBlock, PROGRAM, warn } from "./output.ts";
import { UsageError } from "./usage_error.ts";
import { validationMessage } from "./validation_message.ts";
import { VERSION } from "./version.ts";

const COMMANDS: Command[] = [
  uploadCommand,
  listCommand,
  abortCommand,
  presignCommand,
  emulatorCommand,
];

const USAGE = `usage: qingstor-multipart <command> [arguments] [options]

Multipart uploads to QingStor object storage.

commands:
${COMMANDS.map((command) => `  ${command.synopsis}`).join("\n")}

Run "qingstor-multipart <command> --help" for a command's options, "qingstor-multipart --version"
for the version.
Credentials come from QINGSTOR_ACCESS_KEY_ID and QINGSTOR_SECRET_ACCESS_KEY, else from
~/.qingstor/config.yaml; the endpoint from --endpoint or --zone, QINGSTOR_ENDPOINT or
QINGSTOR_ZONE, else the same file.
Exit codes: 0 done, 1 the service failed or the file could not be read, 2 bad arguments,
130/143/129 stopped by SIGINT (Ctrl-C), SIGTERM or SIGHUP, 141 stdout closed.`;

/**
 * Runs one command line: picks the subcommand, prints usage on `--help`,
 * and turns errors into a message and an exit code: 2 for bad arguments
 * (and the library's `ValidationError`), 1 for service and other failures.
 *
 * @param args The arguments after the program's name.
 * @returns The exit code.
 */
export async function run(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name == "--help" || name == "-h") return usage("stdout", USAGE, 0);
  if (name == "--version" || name == "-V") {
    print(`${PROGRAM} ${VERSION}`);
    return 0;
  }
  if (name === undefined) return usage("stderr", USAGE, 2);
  const command = COMMANDS.find((candidate) => candidate.name == name);
  if (!command) {
    warn(`unknown command ${JSON.stringify(name)}`);
    return usage("stderr", USAGE, 2);
  }
  // Before parsing, so that help is there even for a line that would not parse.
  if (asksForHelp(rest)) return usage("stdout", command.usage, 0);
  try {
    return await command.run(rest);
  } catch (error) {
    return report(error, command);
  }
}

/** Prints a usage and returns the exit code to end with. */
function usage(to: "stdout" | "stderr", text: string, code: number): number {
  printBlock(to, text);
  return code;
}

function asksForHelp(args: string[]): boolean {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).some((arg) => arg == "--help" || arg == "-h");
}

function report(error: unknown, command: Command): number {
  if (error instanceof UsageError) {
    warn(error.message);
    return usage("stderr", command.usage, 2);
  }
  if (error instanceof ValidationError) {
    // Named as the user wrote it: --part-size rather than partSize; then the usage, as for any
    // argument refused.
    warn(validationMessage(error.parameter, error.message, command.arguments ?? {}));
    return usage("stderr", command.usage, 2);
  }
  // A QingStorError's message holds the operation, status, code, the service's message and the
  // request id.
  warn(error instanceof Error ? error.message : String(error));
  return 1;
}
