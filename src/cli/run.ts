import process from "node:process";
import { QingStorError, ValidationError } from "../../mod.ts";
import type { Command } from "./command.ts";
import { abortCommand } from "./commands/abort.ts";
import { emulatorCommand } from "./commands/emulator.ts";
import { listCommand } from "./commands/list.ts";
import { presignCommand } from "./commands/presign.ts";
import { uploadCommand } from "./commands/upload.ts";
import { UsageError } from "./usage_error.ts";

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

Run "qingstor-multipart <command> --help" for a command's options.
Credentials come from QINGSTOR_ACCESS_KEY_ID and QINGSTOR_SECRET_ACCESS_KEY, else from
~/.qingstor/config.yaml; the endpoint from --endpoint or --zone, QINGSTOR_ENDPOINT or
QINGSTOR_ZONE, else the same file.
Exit codes: 0 done, 1 the service or a file failed, 2 bad arguments, 130 interrupted.`;

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
  if (name == "--help" || name == "-h") return say("out", USAGE, 0);
  if (name === undefined) return say("err", USAGE, 2);
  const command = COMMANDS.find((candidate) => candidate.name == name);
  if (!command) {
    return say("err", `qingstor-multipart: unknown command ${JSON.stringify(name)}\n${USAGE}`, 2);
  }
  // Before parsing, so that help is there even for a line that would not parse.
  if (asksForHelp(rest)) return say("out", command.usage, 0);
  try {
    return await command.run(rest);
  } catch (error) {
    return report(error, command);
  }
}

function say(to: "out" | "err", text: string, code: number): number {
  (to == "out" ? process.stdout : process.stderr).write(text + "\n");
  return code;
}

function asksForHelp(args: string[]): boolean {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).some((arg) => arg == "--help" || arg == "-h");
}

function report(error: unknown, command: Command): number {
  const line = (text: string) => `qingstor-multipart: ${text.replace(/\s*\n\s*/g, " ")}`;
  if (error instanceof UsageError) return say("err", `${line(error.message)}\n${command.usage}`, 2);
  if (error instanceof ValidationError) {
    // Named as the user wrote it: --part-size rather than partSize.
    const argument = command.arguments?.[error.parameter] ?? error.parameter;
    return say("err", line(`${argument}: ${error.message}`), 2);
  }
  // Its message holds the operation, status, code, the service's message and the request id.
  if (error instanceof QingStorError) return say("err", line(error.message), 1);
  return say("err", line(error instanceof Error ? error.message : String(error)), 1);
}
