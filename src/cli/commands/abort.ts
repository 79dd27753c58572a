import { parseArgs } from "node:util";
import { abortMultipartUpload } from "../../../mod.ts";
import { expectPositionals, parseCommand } from "../args.ts";
import type { Command } from "../command.ts";
import { connect, CONNECTION_OPTIONS, CONNECTION_USAGE } from "../connection.ts";
import { parseDuration } from "../duration.ts";
import { findUploads, formatUpload } from "../find_uploads.ts";
import { plural, print, printable, stdoutClosed, warn } from "../output.ts";
import { UsageError } from "../usage_error.ts";

const OPTIONS = {
  "older-than": { type: "string" },
  prefix: { type: "string" },
  "dry-run": { type: "boolean" },
  ...CONNECTION_OPTIONS,
} as const;

const USAGE = `usage: qingstor-multipart abort <bucket> <key> <uploadId>
       qingstor-multipart abort <bucket> --older-than AGE [--prefix P] [--dry-run]

Aborts one upload, or every upload in progress at least AGE old (30s, 15m, 12h, 7d), freeing
the space its parts take. Prints a line per upload aborted, then a total. For one upload, the
service answers alike whether or not it existed; the sweep aborts only uploads it listed.

options:
  --older-than AGE        abort the uploads at least this old; 0 means all
  --prefix P              only those whose key starts with P
  --dry-run               print what would be aborted, abort nothing
${CONNECTION_USAGE}`;

/** `qingstor-multipart abort`: one upload by its id, or the stale ones of a bucket. */
export const abortCommand: Command = {
  name: "abort",
  synopsis: "abort <bucket> <key> <uploadId>  abort an upload; or --older-than AGE to clean up",
  usage: USAGE,
  arguments: { bucket: "<bucket>", key: "<key>", uploadId: "<uploadId>", prefix: "--prefix" },
  run,
};

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(() =>
    parseArgs({ args, options: OPTIONS, allowPositionals: true })
  );
  const sweep = values["older-than"] !== undefined;
  if (positionals.length == 1 && !sweep) {
    // Never all of a bucket's uploads by a forgotten argument: the sweep asks for an age.
    throw new UsageError("missing <key> <uploadId>, or --older-than AGE to abort stale uploads");
  }
  expectPositionals(positionals, sweep ? ["<bucket>"] : ["<bucket>", "<key>", "<uploadId>"]);
  const olderThan = parseDuration(values["older-than"], "--older-than");
  if (!sweep) {
    for (const flag of ["prefix", "dry-run"] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} needs --older-than`);
    }
  }
  const { client } = await connect(values);
  const [bucket, key, uploadId] = positionals;
  if (!sweep) {
    await abortMultipartUpload(client, { bucket, key, uploadId });
    // The service answers 204 whether or not the upload existed: say no more than that.
    print(
      `abort sent for upload ${printable(uploadId)} of ${
        printable(key)
      }; the service answered 204 (it does not say whether the upload existed)`,
    );
    return 0;
  }

  const dryRun = !!values["dry-run"];
  const uploads = await findUploads(client, { bucket, prefix: values.prefix, olderThan });
  let done = 0;
  let failed = 0;
  for (const upload of uploads) {
    // Nobody reads what is done any more (`| head -1`): stop, as SIGPIPE would have.
    if (stdoutClosed.aborted) break;
    if (!dryRun) {
      try {
        await abortMultipartUpload(client, { bucket, key: upload.key, uploadId: upload.uploadId });
      } catch (error) {
        // One refusal does not stop the clean-up of the others; the exit code tells.
        failed++;
        warn(
          `could not abort ${printable(upload.uploadId)} (${printable(upload.key)}): ${
            (error as Error).message
          }`,
        );
        continue;
      }
    }
    done++;
    print(`${dryRun ? "would abort" : "aborted"}  ${formatUpload(upload)}`);
  }
  print(
    (dryRun
      ? `${plural(done, "upload")} would be aborted (dry run)`
      : `${plural(done, "upload")} aborted`) +
      (failed ? `, ${failed} failed` : ""),
  );
  return failed ? 1 : 0;
}
