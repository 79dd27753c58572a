import { parseArgs } from "node:util";
import { presign, type PresignInput } from "../../../mod.ts";
import { expectPositionals, isWholeNumber, parseCommand, parseWholeNumber } from "../args.ts";
import type { Command } from "../command.ts";
import { connect, CONNECTION_OPTIONS, CONNECTION_USAGE } from "../connection.ts";
import { parseDuration } from "../duration.ts";
import { print } from "../output.ts";
import { parsePairs } from "../pairs.ts";
import { parseTarget } from "../target.ts";
import { UsageError } from "../usage_error.ts";

const METHODS = ["GET", "PUT", "POST", "DELETE", "HEAD"] as const;

const OPTIONS = {
  expires: { type: "string" },
  query: { type: "string", multiple: true },
  ...CONNECTION_OPTIONS,
} as const;

const USAGE = `usage: qingstor-multipart presign <METHOD> <bucket>[/<key>] [--expires SECONDS]
                                  [--query NAME=VALUE]...

Prints a presigned URL: whoever holds it may send that one request until it expires, without
the secret. METHOD is GET, PUT, POST, DELETE or HEAD.

options:
  --expires SECONDS       lifetime, 1 to 604800 (7 days), or 15m, 12h, 7d (default 3600)
  --query NAME=VALUE      a query parameter of the request, signed; repeatable; a lone NAME is
                          sent bare. E.g. --query part_number=3 --query upload_id=ID for a part
${CONNECTION_USAGE}`;

/** `qingstor-multipart presign`: a presigned URL for one request. */
export const presignCommand: Command = {
  name: "presign",
  synopsis: "presign <METHOD> <bucket>/<key>  print a presigned URL",
  usage: USAGE,
  arguments: {
    bucket: "<bucket>/<key>",
    key: "<bucket>/<key>",
    expiresIn: "--expires",
    credentials: "credentials (QINGSTOR_ACCESS_KEY_ID, QINGSTOR_SECRET_ACCESS_KEY)",
  },
  run,
};

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(() =>
    parseArgs({ args, options: OPTIONS, allowPositionals: true })
  );
  expectPositionals(positionals, ["<METHOD>", "<bucket>/<key>"]);
  const method = positionals[0].toUpperCase() as PresignInput["method"];
  if (!METHODS.includes(method)) {
    throw new UsageError(
      `<METHOD>: expected ${METHODS.slice(0, -1).join(", ")} or ${METHODS.at(-1)}, received ${
        JSON.stringify(positionals[0])
      }`,
    );
  }
  const { bucket, key } = parseTarget(positionals[1], false);
  const expires = values.expires ?? "3600";
  // Seconds as the flag's name says; a duration is accepted too, as list and abort take them.
  const expiresIn = isWholeNumber(expires)
    ? parseWholeNumber(expires, "--expires")!
    : Math.round(parseDuration(expires, "--expires")! / 1000);
  const query = parsePairs(values.query, "--query", true);
  const { client } = await connect(values);
  const url = await presign(client, { method, bucket, key, query, expiresIn });
  print(url);
  return 0;
}
