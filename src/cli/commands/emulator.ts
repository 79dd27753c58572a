import { parseArgs } from "node:util";
import { createEmulator, DEVELOPMENT_CREDENTIALS, serveEmulator } from "../../testing/mod.ts";
import { checkBucket } from "../../validate.ts";
import { expectPositionals, parseCommand, parseWholeNumber } from "../args.ts";
import { parseByteSize } from "../byte_size.ts";
import type { Command } from "../command.ts";
import { printBlock, writeStderr } from "../output.ts";
import { onStopSignal, type Stop } from "../stop.ts";
import { UsageError } from "../usage_error.ts";

const OPTIONS = {
  port: { type: "string" },
  "access-key-id": { type: "string" },
  "secret-access-key": { type: "string" },
  "public-bucket": { type: "string", multiple: true },
  "min-part-size": { type: "string" },
  storage: { type: "string" },
  "body-timeout": { type: "string" },
  "request-log-limit": { type: "string" },
} as const;

const USAGE =
  `usage: qingstor-multipart emulator [--port N] [--access-key-id ID --secret-access-key KEY]
                                   [--public-bucket NAME]... [--min-part-size SIZE]
                                   [--storage bytes|digest] [--body-timeout MS]
                                   [--request-log-limit N]

Runs the offline QingStor emulator on 127.0.0.1 in the foreground, until Ctrl-C, SIGTERM or
SIGHUP, then exits 0.
Its first line is "listening on http://127.0.0.1:PORT". Without a key pair it accepts the
public development pair ${DEVELOPMENT_CREDENTIALS.accessKeyId} and prints it, ready for export.
State is kept in memory only.

options:
  --port N                the port (default: any free one)
  --access-key-id ID      accept this key pair instead of the development one
  --secret-access-key KEY
  --public-bucket NAME    a bucket anonymous users may write to; repeatable
  --min-part-size SIZE    the smallest part but the last (default 4MiB); lower it for fast tests,
                          and give uploads the same --min-part-size
  --storage digest        keep only sizes and MD5s, not bytes, for huge uploads
  --body-timeout MS       fail a request whose body stops arriving for this long with 400
                          incomplete_body (default 20000)
  --request-log-limit N   how many recent requests the emulator remembers (default 1000)`;

/** `qingstor-multipart emulator`: the emulator over HTTP, in the foreground. */
export const emulatorCommand: Command = {
  name: "emulator",
  synopsis: "emulator                         run the offline QingStor emulator",
  usage: USAGE,
  arguments: {
    bucket: "--public-bucket",
    minPartSize: "--min-part-size",
    bodyTimeout: "--body-timeout",
    requestLogLimit: "--request-log-limit",
  },
  run,
};

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(() =>
    parseArgs({ args, options: OPTIONS, allowPositionals: true })
  );
  expectPositionals(positionals, []);
  const port = parseWholeNumber(values.port, "--port") ?? 0;
  if (port > 65535) throw new UsageError(`--port: expected 0 to 65535, received ${port}`);
  const accessKeyId = values["access-key-id"];
  const secretAccessKey = values["secret-access-key"];
  if (!accessKeyId != !secretAccessKey) {
    throw new UsageError(
      accessKeyId
        ? "--secret-access-key is missing, --access-key-id is set"
        : "--access-key-id is missing, --secret-access-key is set",
    );
  }
  const storage = values.storage ?? "bytes";
  if (storage != "bytes" && storage != "digest") {
    throw new UsageError(
      `--storage: expected bytes or digest, received ${JSON.stringify(storage)}`,
    );
  }
  // A name no client could send a request to would only make a bucket that cannot be used.
  for (const name of values["public-bucket"] ?? []) checkBucket(name);
  const credentials = accessKeyId && secretAccessKey
    ? { accessKeyId, secretAccessKey }
    : DEVELOPMENT_CREDENTIALS;
  const server = await serveEmulator(
    createEmulator({
      credentials: [credentials],
      publicBuckets: values["public-bucket"],
      minPartSize: parseByteSize(values["min-part-size"], "--min-part-size"),
      storage,
      bodyTimeout: parseWholeNumber(values["body-timeout"], "--body-timeout"),
      requestLogLimit: parseWholeNumber(values["request-log-limit"], "--request-log-limit"),
    }),
    { port },
  );
  // Stopping is how a foreground server ends: exit code 0, not 128 + the signal. Listened for
  // before the first line, so that a script that stops it as soon as it reads the line stops it
  // cleanly.
  const stopped = new Promise<Stop>((resolve) => {
    const remove = onStopSignal((stop) => {
      remove();
      resolve(stop);
    });
  });
  // First, as documented: scripts wait for this line to learn the port.
  const lines = [`listening on ${server.url}`];
  if (credentials == DEVELOPMENT_CREDENTIALS) {
    // Public values, printed so a session can start with a paste; a key pair given by flag is
    // the user's own and is not echoed.
    lines.push(
      `QINGSTOR_ACCESS_KEY_ID=${credentials.accessKeyId}`,
      `QINGSTOR_SECRET_ACCESS_KEY=${credentials.secretAccessKey}`,
    );
  }
  lines.push(`QINGSTOR_ENDPOINT=${server.url}`);
  printBlock("stdout", lines.join("\n"));
  const stop = await stopped;
  writeStderr(`${stop.what}: stopping the emulator\n`);
  await server.close();
  return 0;
}
