import process from "node:process";
import { parseArgs } from "node:util";
import {
  CompleteStatusUnknownError,
  STORAGE_CLASSES,
  type StorageClass,
  upload,
  UploadError,
} from "../../../mod.ts";
import { expectPositionals, parseCommand, parseWholeNumber } from "../args.ts";
import { parseByteSize } from "../byte_size.ts";
import type { Command } from "../command.ts";
import { connect, CONNECTION_OPTIONS, CONNECTION_USAGE } from "../connection.ts";
import { contentTypeFor } from "../content_type.ts";
import { openFileBody } from "../file_body.ts";
import { oneLine, plural, print, printable, warn, writeStderr } from "../output.ts";
import { parsePairs } from "../pairs.ts";
import { createProgressLine } from "../progress_line.ts";
import { shellCommand } from "../shell_quote.ts";
import { onStdoutClosed, onStopSignal, type Stop } from "../stop.ts";
import { parseTarget } from "../target.ts";
import { UsageError } from "../usage_error.ts";

const OPTIONS = {
  "part-size": { type: "string" },
  "min-part-size": { type: "string" },
  concurrency: { type: "string" },
  "content-type": { type: "string" },
  "storage-class": { type: "string" },
  meta: { type: "string", multiple: true },
  "no-md5": { type: "boolean" },
  resume: { type: "string" },
  "keep-parts-on-error": { type: "boolean" },
  ...CONNECTION_OPTIONS,
} as const;

/** Flags that decide where parts go and how the body is cut: a resume must repeat them. */
const RESUME_FLAGS = ["part-size", "min-part-size", "endpoint", "zone", "config"] as const;

const USAGE = `usage: qingstor-multipart upload <file|-> <bucket>/<key> [options]

Uploads a file, or stdin with -, in parts, with a progress line on stderr, and prints one line
when done. Ctrl-C (or SIGTERM, SIGHUP) aborts the upload on the service before exiting (code
130, 143, 129); a second one exits at once.

options:
  --part-size SIZE        part size: 8MiB, 5MB or bytes (default 8MiB, raised to fit 10,000 parts)
  --concurrency N         parts in flight at once (default 4)
  --content-type TYPE     default: by the file's extension (none for stdin)
  --storage-class CLASS   ${STORAGE_CLASSES.join(" or ")}
  --meta NAME=VALUE       user metadata, sent as x-qs-meta-NAME; repeatable
  --no-md5                send no Content-MD5 with the parts
  --resume UPLOAD_ID      resume an upload: parts already there that match are not sent again;
                          parts are kept on failure, as with --keep-parts-on-error; not with
                          --meta, --content-type, --storage-class, which are set at the start
  --keep-parts-on-error   on failure or Ctrl-C, keep the parts and print the resume command
  --min-part-size SIZE    the smallest part the service takes (default 4MiB; lower only for an
                          emulator started with a lower one)
${CONNECTION_USAGE}`;

/** `qingstor-multipart upload`: `upload()` from a file or stdin, with progress and Ctrl-C. */
export const uploadCommand: Command = {
  name: "upload",
  synopsis: "upload <file|-> <bucket>/<key>   upload a file, or stdin, in parts",
  usage: USAGE,
  arguments: {
    bucket: "<bucket>/<key>",
    key: "<bucket>/<key>",
    partSize: "--part-size",
    minPartSize: "--min-part-size",
    concurrency: "--concurrency",
    contentType: "--content-type",
    storageClass: "--storage-class",
    metadata: "--meta",
    uploadId: "--resume",
    size: "<file>",
  },
  run,
};

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(() =>
    parseArgs({ args, options: OPTIONS, allowPositionals: true })
  );
  expectPositionals(positionals, ["<file|->", "<bucket>/<key>"]);
  const [source, target] = positionals;
  const { bucket, key } = parseTarget(target) as { bucket: string; key: string };
  const partSize = parseByteSize(values["part-size"], "--part-size");
  const minPartSize = parseByteSize(values["min-part-size"], "--min-part-size");
  const concurrency = parseWholeNumber(values.concurrency, "--concurrency");
  const metadata = parsePairs(values.meta, "--meta");
  const resuming = values.resume !== undefined;
  if (resuming) {
    // Set once, when an upload starts: a resume could only ignore them.
    for (const flag of ["meta", "content-type", "storage-class"] as const) {
      if (values[flag] !== undefined) {
        throw new UsageError(
          `--${flag} cannot be used with --resume: it is set when an upload starts`,
        );
      }
    }
  }
  const fromStdin = source == "-";
  const { body, size } = fromStdin
    ? { body: process.stdin, size: undefined }
    : await openFileBody(source);
  const contentType = values["content-type"] ??
    (fromStdin || resuming ? undefined : contentTypeFor(source));
  const keepParts = !!values["keep-parts-on-error"] || resuming;

  const resumeCommand = (uploadId: string) =>
    shellCommand([
      "upload",
      "--resume",
      uploadId,
      ...RESUME_FLAGS.flatMap((flag) =>
        values[flag] === undefined ? [] : [`--${flag}`, values[flag]]
      ),
    ], [source, target]) + (fromStdin ? "   # with the same bytes on stdin" : "");

  const progress = createProgressLine({
    tty: !!process.stderr.isTTY,
    write: writeStderr,
    now: () => performance.now(),
    schedule: (callback, ms) => {
      const timer = setTimeout(callback, ms);
      return () => clearTimeout(timer);
    },
  });
  // Verbose lines go through the progress line, so that none breaks into a line being redrawn.
  const { client, transport } = await connect(
    values,
    process.env,
    (line) => progress.note(oneLine(line)),
  );
  if (fromStdin && process.stdin.isTTY) {
    progress.note("reading stdin from the terminal; end with Ctrl-D");
  }

  let uploadId = values.resume;
  let idAnnounced = false;
  let stopped: Stop | undefined;
  const controller = new AbortController();
  const object = printable(`${bucket}/${key}`);
  const listCommand = () => shellCommand(["list", "--prefix", key], [bucket]);
  /** What the upload is doing now, so that a stop says what it waits for. */
  const phase = () =>
    transport.pending("putObject")
      ? "put"
      : transport.pending("completeMultipartUpload")
      ? "complete"
      : transport.pending("initiateMultipartUpload")
      ? "initiate"
      : transport.pending("abortMultipartUpload")
      ? "abort"
      : resuming && !idAnnounced
      ? "listing"
      : "parts";
  const stop = (by: Stop) => {
    if (stopped) {
      // Only a signal again means "now"; stdout closing during the clean-up changes nothing.
      if (!by.again) return;
      // The clean-up itself hangs (a dead network, say): the user wants out now.
      if (process.stderr.isTTY) writeStderr("\n");
      const id = uploadId ?? transport.lastUploadId();
      const upload = `upload ${id === undefined ? "" : printable(id) + " "}`;
      const left = {
        complete: `complete got no answer, so ${object} may exist now, or ${upload}` +
          `may be left in progress; check with: ${listCommand()}`,
        initiate: `initiate got no answer, so an upload of ${object} may have been created; ` +
          `find it with: ${listCommand()}`,
        abort: `the abort got no answer, so ${upload}may be left in progress; ` +
          (id === undefined
            ? `find it with: ${listCommand()}`
            : `abort it with: ${shellCommand(["abort"], [bucket, key, id])}`),
        listing: `${upload}is left in progress with its parts; resume it with: ${
          id === undefined ? "" : resumeCommand(id)
        }`,
        parts: `${upload}may be left in progress`,
        put: `the PUT was cut off, so ${object} may exist now, or not; nothing is left in progress`,
      }[phase()];
      warn(`${by.what} again, exiting at once: ${left}`);
      process.exit(by.code);
    }
    stopped = by;
    const nothingToKeep = !resuming && uploadId !== undefined &&
      transport.partsOnService(uploadId) == 0;
    const doing = {
      complete: `waiting for complete's answer, which says whether ${object} was created`,
      initiate: "waiting for initiate's answer, to abort the upload it creates",
      abort: "waiting for the abort's answer",
      listing: "stopping the listing of the upload's parts; they are kept",
      put: "cancelling the PUT; it leaves no upload behind",
      parts: !keepParts
        ? "aborting the upload"
        : nothingToKeep
        ? "aborting the upload, which has no part on the service yet to keep"
        : "stopping; the parts on the service are kept",
    }[phase()];
    progress.note(
      `${by.what}: ${doing} (${by.again ? `${by.again} again` : "Ctrl-C"} to exit at once)`,
    );
    controller.abort(new Error("Interrupted"));
  };
  const removers = [onStopSignal(stop), onStdoutClosed(stop)];
  try {
    const result = await upload(client, {
      bucket,
      key,
      body,
      size,
      partSize,
      minPartSize,
      concurrency,
      md5: !values["no-md5"],
      contentType,
      storageClass: values["storage-class"] as StorageClass | undefined,
      metadata,
      uploadId: values.resume,
      leavePartsOnError: keepParts,
      signal: controller.signal,
      onProgress: (figures) => {
        // A body sent in one PUT has no upload, and is reported once, when it is done.
        if (figures.uploadId === undefined) return progress.update(figures);
        if (!idAnnounced) {
          // At once, before any part: a crash can still be resumed or cleaned up by this id.
          progress.note(
            `${resuming ? "resuming" : "started"} upload id ${printable(figures.uploadId)}`,
          );
          idAnnounced = true;
        }
        uploadId = figures.uploadId;
        progress.update(figures);
      },
    });
    progress.finish();
    print(
      `uploaded ${printable(`${bucket}/${key}`)}: ${result.size} bytes, ${
        result.uploadId === undefined
          ? "in one PUT"
          : `${plural(result.parts.length, "part")}, upload id ${printable(result.uploadId)}`
      }`,
    );
    return 0;
  } catch (error) {
    progress.finish();
    // An outcome unknown at complete is told even after Ctrl-C: the object may exist.
    if (error instanceof UploadError) {
      warn(error.message);
      if (error.cause instanceof CompleteStatusUnknownError) {
        // Neither abort nor resume fits an upload that may have become the object.
        warn(`${object} may exist now; check before uploading it again`);
      } else if (error.uploadId !== undefined) tellWhatIsLeft(error.uploadId, error.aborted);
      return stopped?.code ?? 1;
    }
    if (!stopped) throw error;
    // An upload that initiate created as the stop came was aborted at once, before any progress.
    const id = uploadId ?? transport.lastUploadId();
    if (id === undefined) warn(`${stopped.what} before the upload started`);
    else tellWhatIsLeft(id, transport.abortsAnswered.has(id));
    return stopped.code;
  } finally {
    for (const remove of removers) remove();
  }

  function tellWhatIsLeft(id: string, aborted: boolean) {
    const upload = `upload ${printable(id)}`;
    // Listed by a resume, or sent: the part numbers the service has, whatever this run did.
    const parts = transport.partsOnService(id);
    if (aborted) {
      warn(
        `${upload} aborted on the service${
          keepParts && parts == 0 && !resuming ? ": it had no part yet, so nothing to keep" : ""
        }`,
      );
    } else if (keepParts) {
      // Stopped while listing, the count would be only the pages read so far.
      const what = resuming && !idAnnounced
        ? "with its parts (stopped while they were listed)"
        : `with ${plural(parts, "part")}`;
      warn(`${upload} kept ${what} on the service; resume it with:`);
      writeStderr(resumeCommand(id) + "\n");
    } else {
      warn(`${upload} could not be aborted; abort it with:`);
      writeStderr(shellCommand(["abort"], [bucket, key, id]) + "\n");
    }
  }
}
