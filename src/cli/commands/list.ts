import { parseArgs } from "node:util";
import { expectPositionals, parseCommand } from "../args.ts";
import type { Command } from "../command.ts";
import { connect, CONNECTION_OPTIONS, CONNECTION_USAGE } from "../connection.ts";
import { parseDuration } from "../duration.ts";
import { findUploads, formatUpload } from "../find_uploads.ts";
import { jsonText, print, printable, printBlock, writeStderr } from "../output.ts";

const OPTIONS = {
  prefix: { type: "string" },
  "older-than": { type: "string" },
  json: { type: "boolean" },
  ...CONNECTION_OPTIONS,
} as const;

const USAGE = `usage: qingstor-multipart list <bucket> [--prefix P] [--older-than AGE] [--json]

Lists a bucket's multipart uploads in progress, one per line: created, age, upload id, key.

options:
  --prefix P              only keys that start with P
  --older-than AGE        only uploads at least this old: 30s, 15m, 12h, 7d
  --json                  print one JSON array of { key, uploadId, created, ageSeconds }
${CONNECTION_USAGE}`;

/** `qingstor-multipart list`: the uploads in progress, as lines or JSON. */
export const listCommand: Command = {
  name: "list",
  synopsis: "list <bucket>                    list uploads in progress",
  usage: USAGE,
  arguments: { bucket: "<bucket>", prefix: "--prefix" },
  run,
};

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(() =>
    parseArgs({ args, options: OPTIONS, allowPositionals: true })
  );
  expectPositionals(positionals, ["<bucket>"]);
  const olderThan = parseDuration(values["older-than"], "--older-than");
  const { client } = await connect(values);
  const uploads = await findUploads(client, {
    bucket: positionals[0],
    prefix: values.prefix,
    olderThan,
  });
  if (values.json) {
    const rows = uploads.map(({ key, uploadId, created, age }) => ({
      key,
      uploadId,
      created: created.toISOString(),
      ageSeconds: Math.floor(age / 1000),
    }));
    printBlock("stdout", jsonText(rows));
  } else {
    for (const upload of uploads) print(formatUpload(upload));
    // On stderr: stdout stays one line per upload, for scripts.
    if (!uploads.length) {
      const filters = [
        ...(values.prefix === undefined ? [] : ["--prefix", printable(values.prefix)]),
        ...(values["older-than"] === undefined ? [] : ["--older-than", values["older-than"]]),
      ];
      writeStderr(
        `no uploads in progress${filters.length ? ` match ${filters.join(" ")}` : ""}\n`,
      );
    }
  }
  return 0;
}
