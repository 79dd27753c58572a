import type { Client } from "../client.ts";
import {
  CompleteStatusUnknownError,
  LeftoverUploadsError,
  QingStorError,
  type ResumeStoreError,
  SourceError,
  type UploadedPart,
  UploadError,
} from "../errors.ts";
import { describeError, hasCode } from "../inspect_error.ts";
import { encodeBase64, encodeHex } from "../encoding.ts";
import { abortMultipartUpload } from "../operations/abort_multipart_upload.ts";
import { sendComplete } from "../operations/complete_multipart_upload.ts";
import {
  type InitiateMultipartUploadInput,
  initiateUpload,
} from "../operations/initiate_multipart_upload.ts";
import type { ListedPart } from "../operations/list_parts.ts";
import { uploadPart } from "../operations/upload_part.ts";
import { objectHeaders } from "../request/object_headers.ts";
import { planUpload, type UploadPlan } from "./plan_upload.ts";
import { BodyReadFailure, type SourcePart } from "./read_parts.ts";
import { cancelBody, runIgnoringOutcome, type UploadBody } from "./upload_body.ts";
import { type OpenedParts, type PartPoolOutcome, runPartPool } from "./part_pool.ts";
import { openBody } from "./open_body.ts";
import { untilAborted } from "../until_aborted.ts";
import type { ResumeEntry, ResumeStore } from "./resume_store.ts";
import type { OrphanSearch } from "./abort_orphans.ts";
import { type CleanupClock, cleanupClock, CREATION_SLACK } from "./cleanup_clock.ts";
import type { ProgressReporter, UploadProgress } from "./progress_reporter.ts";

export type { UploadProgress };

/** Input of {@linkcode upload}. */
export interface UploadInput extends Omit<InitiateMultipartUploadInput, "stopRetries"> {
  /** The object's bytes, of any size. A stream is read only as fast as parts go out. */
  body: UploadBody;
  /** The body's size in bytes, when the caller knows it and the body does not (a stream). */
  size?: number;
  /**
   * The part size; default 8 MiB. It is raised as needed so the object fits
   * in 10,000 parts; with an unknown size, parts double in size every 1000 parts.
   */
  partSize?: number;
  /** The smallest part the service accepts; 4 MiB. Lower it only for an emulator set up so. */
  minPartSize?: number;
  /** How many parts are in flight at once; default 4. */
  concurrency?: number;
  /** Send Content-MD5 with every part (or the PUT), so the service refuses damaged bytes; default true. */
  md5?: boolean;
  /**
   * Called with the progress so far: once the upload ID is known, then as
   * the body's bytes go out and parts reach the service, at most every 50 ms
   * (20 times a second), and with the final state once every part is there.
   * Bytes are counted as the transport takes them where the runtime allows
   * (Node, Deno, Bun, browsers; with a client's own `fetch`, or in Workers,
   * as each part is answered; see docs/protocol.md#upload-progress-by-runtime).
   * Without it, requests go through the client's `fetch` unchanged. An
   * exception it throws fails the upload.
   */
  onProgress?: (progress: UploadProgress) => void;
  /**
   * Resume this upload: parts already on the service that match the body are
   * not sent again. A resumed upload is always multipart, whatever the size.
   */
  uploadId?: string;
  /**
   * Remember the upload's ID here, under `fingerprint`, so that a later run
   * with the same fingerprint resumes it by itself (see
   * {@linkcode ResumeStore}); a stored upload that is gone from the service
   * (aborted, completed, expired) is replaced by a new one. Not used for a
   * body sent in one PUT (its known size is at most `partSize`), and not with `uploadId`.
   */
  resumeStore?: ResumeStore;
  /**
   * The body's key in `resumeStore`. Default: bucket, key and size, and for
   * a `File` its name and last-modified time; a stream of unknown size has
   * none, so it needs one (or `size`).
   */
  fingerprint?: string;
  /**
   * On failure, keep the parts on the service (for a later resume) instead of
   * aborting the upload. Default: false for a new upload, true when resuming
   * one (given by `uploadId`, or found in `resumeStore`). A new upload with no
   * part on the service yet is aborted all the same: there is nothing to keep.
   */
  leavePartsOnError?: boolean;
  /**
   * How long the clean-up may take in total, in milliseconds, from the
   * caller's abort or from the moment the outcome is known: waiting for an
   * initiate or complete attempt in flight, aborting the upload, aborting
   * orphans. Default 10000. What it did not get to is reported (see
   * {@linkcode upload}); 0 waits for nothing.
   */
  cleanupTimeout?: number;
}

/**
 * Result of {@linkcode upload}: a multipart upload's, or, for a body sent in
 * one PUT, one without `uploadId` and `parts` (test `uploadId !== undefined`
 * to tell them apart).
 */
export type UploadResult = MultipartUploadResult | SinglePutResult;

/** Result of {@linkcode upload} when the body went as a multipart upload. */
export interface MultipartUploadResult {
  /** The bucket. */
  bucket: string;
  /** The object key. */
  key: string;
  /** The upload's ID. */
  uploadId: string;
  /** The object's size in bytes. */
  size: number;
  /** The parts the object is made of. */
  parts: UploadedPart[];
  /** The `x-qs-request-id` of the complete request. */
  requestId: string;
  /**
   * Set when the object was made, but other uploads of the key that lost
   * initiate answers may have created could not all be aborted: what may
   * remain, and why. The upload succeeded all the same, so this is no
   * rejection; check it, or they take space until aborted.
   */
  cleanupError?: LeftoverUploadsError;
  /**
   * Set when the object was made, but `resumeStore.delete` failed: the entry
   * stays, and costs a later run with its fingerprint one List Parts request.
   */
  resumeStoreError?: ResumeStoreError;
}

/** Result of {@linkcode upload} when the body fitted in one part and went in one PUT. */
export interface SinglePutResult {
  /** The bucket. */
  bucket: string;
  /** The object key. */
  key: string;
  /** Absent: a PUT makes no upload. */
  uploadId?: undefined;
  /** Absent: a PUT has no parts. */
  parts?: undefined;
  /** The object's size in bytes. */
  size: number;
  /** The object's ETag, its MD5 in hex; absent if a browser may not read it. */
  etag?: string;
  /** The SSE-C algorithm the service echoes for an encrypted object (`"AES256"`); else absent. */
  encryptionAlgorithm?: string;
  /** The `x-qs-request-id` of the PUT. */
  requestId: string;
  /** Absent: a PUT creates no upload that could be left behind. */
  cleanupError?: undefined;
  /** Absent: a body sent in one PUT does not use the resume store. */
  resumeStoreError?: undefined;
}

/**
 * Uploads an object of any size. A body that fits in one part (a known size
 * of at most `partSize`, or a stream that ends within its first part) goes
 * in one PUT Object request, retried as a part is; the result then has no
 * `uploadId` and nothing is ever left behind, though a PUT cancelled after
 * its body arrived whole may still have made the object. A larger body goes
 * as a multipart upload: it cuts the body into
 * parts, sends them in parallel with bounded memory (at most
 * `partSize × (concurrency + 1)` bytes of body held), retries what fails,
 * and completes. On failure or abort, requests in flight are cancelled and
 * the upload is aborted on the service before the promise settles, so
 * nothing is left behind (unless `leavePartsOnError`, the default when
 * resuming). An abort does not cut off an initiate or complete attempt in
 * flight, whose outcome must be known, except at the end of the clean-up time.
 *
 * The clean-up is bounded: from the caller's abort (or from the moment the
 * outcome is known) it gets `cleanupTimeout` milliseconds, 10 s by default,
 * whatever the service does; an initiate in flight gets at most that long
 * to reveal its upload ID. After an abort, `upload()` rejects with the
 * signal's reason when the clean-up finished. When it did not, it rejects
 * with an `UploadError` whose `cause` is the reason, and `aborted === false`
 * with `abortError` (the upload, whose ID `onProgress` was told, may remain),
 * or `cleanupError` (orphans may remain); or, if no upload ID was learnt,
 * with a `LeftoverUploadsError` whose `failure` is the reason.
 *
 * Initiate is not idempotent: an attempt whose answer is lost (a dropped
 * connection, the timeout, a 5xx) may have created an upload all the same,
 * and so may every retry. When that happens, `upload()` lists the key's
 * uploads while the parts go out, aborts every one created since that
 * attempt (on the service's clock) other than its own, and waits for that
 * before settling. The trade-off: another client's upload of the same key
 * started in that same window is aborted too. When this clean-up cannot
 * finish, what may remain is said by a {@linkcode LeftoverUploadsError}: as
 * `cleanupError` of the result (the object exists, so this is no rejection)
 * or of the `UploadError`; or as the rejection itself when no upload ID was
 * ever learnt.
 *
 * @param client The client.
 * @param input The object, its body, and how to upload it.
 * @returns The object's upload ID, size and parts.
 * With a `resumeStore`, the upload's ID is stored as soon as it is known and
 * deleted once the upload no longer exists (completed, or aborted on the
 * service), so a run that died midway is resumed by the next with the same
 * fingerprint, sending only the parts that are missing.
 *
 * @throws {ValidationError} If the input is invalid; nothing is sent, and a stream body is
 * cancelled, as on every failure: the upload owns the body once called.
 * @throws {QingStorError} If the upload could not be initiated (or listed, to resume), or the
 * single PUT failed; nothing it may have created remains, but for a PUT whose answer was lost.
 * @throws {ResumeStoreError} If `resumeStore.get` failed; nothing was sent.
 * @throws {LeftoverUploadsError} If the upload could not be initiated and uploads its attempts may
 * have created could not all be aborted: `failure` says why it stopped.
 * @throws {SourceError} If reading the body failed (with no `uploadId` when no upload was
 * started yet).
 * @throws {UploadError} If a part or the complete request failed for good, or complete's outcome
 * is unknown (its `cause` is then a `CompleteStatusUnknownError`, and nothing was aborted).
 * @throws The signal's reason, when the signal aborts.
 *
 * @example
 * ```ts
 * import { createClient, upload } from "qingstor-multipart";
 * import { createEmulator } from "qingstor-multipart/testing";
 * import assert from "node:assert/strict";
 *
 * // The emulator stands in for QingStor; for the service, give `zone` and your keys instead.
 * const credentials = { accessKeyId: "AKID", secretAccessKey: "secret" };
 * const emulator = createEmulator({ credentials: [credentials], minPartSize: 1024 });
 * const client = createClient({ endpoint: "http://localhost", credentials, fetch: emulator.fetch });
 *
 * // Any ReadableStream: a file, a fetch response's body, a generated stream.
 * const body = new Blob([new Uint8Array(5000)]).stream();
 * const seen: number[] = [];
 * const result = await upload(client, {
 *   bucket: "mybucket",
 *   key: "isos/big.iso",
 *   body,
 *   partSize: 1024, // 8 MiB by default; the service wants at least 4 MiB
 *   minPartSize: 1024, // only because this emulator was told so
 *   onProgress: ({ loaded }) => seen.push(loaded),
 * });
 * assert.equal(result.size, 5000);
 * assert.equal(result.parts?.length, 5); // absent for a body that fits in one part: one PUT
 * assert.equal(seen.at(-1), 5000);
 * ```
 */
export async function upload(client: Client, input: UploadInput): Promise<UploadResult> {
  const { signal } = input;
  let plan: UploadPlan;
  let entry: ResumeEntry | undefined;
  let stored: string | undefined;
  try {
    plan = planUpload(input);
    // Resume's code is loaded only by uploads that ask for it (see scripts/size.ts).
    if (input.resumeStore !== undefined || input.fingerprint !== undefined) {
      entry = (await loadResume(signal)).resumeEntry(input, plan.size);
    }
    // Checked now, before any byte is read: PUT and initiate would check them only later. This
    // loads metadata's and SSE-C's code when given, for every later request: an abort ends a
    // load that stalls.
    await untilAborted(objectHeaders(input), signal);
    signal?.throwIfAborted();
    // A body that fits in one part goes in one PUT: it has nothing to remember.
    const fits = plan.size !== undefined && plan.size <= plan.partSize;
    if (entry && !fits) {
      stored = await (await loadResume(signal)).storedUploadId(entry, signal);
    }
  } catch (error) {
    // The input may have been refused: the body is released all the same, so that a stream
    // does not hold its source open. The upload took it over when it was called.
    cancelBody(input.body, error);
    throw error;
  }
  let opened: OpenedParts | undefined;
  if (input.uploadId === undefined && stored === undefined) {
    let opening;
    try {
      opening = await openBody(plan, signal);
    } catch (error) {
      if (!(error instanceof BodyReadFailure) || signal?.aborted) throw error;
      throw new SourceError(
        `Reading the body of ${input.key} failed: ${describeError(error.cause)}`,
        {
          parts: [],
          aborted: false,
          cause: error.cause,
        },
      );
    }
    if (opening && "whole" in opening) {
      // Its code is loaded only for a body that fits in one part (see scripts/size.ts).
      return await (await untilAborted(import("./put_whole.ts"), signal)).putWhole(
        client,
        input,
        opening.whole,
      );
    }
    opened = opening;
  }
  // From the caller's abort, or from when the outcome is known, the clean-up has this long.
  const clock = cleanupClock(signal, plan.cleanupTimeout);
  try {
    const started = await start(client, input, clock, { stored, entry, opened });
    return await transfer(client, input, plan, started, clock);
  } finally {
    clock.stop();
  }
}

/** How an upload starts, besides its input: what the store holds, and the parts read already. */
interface Beginning {
  /** The upload ID the resume store held. */
  stored?: string;
  /** The resume store and the body's fingerprint in it. */
  entry?: ResumeEntry;
  /** The body's parts, when reading them began to tell whether it fits in one PUT. */
  opened?: OpenedParts;
}

/** An upload under way: its ID, the parts already there when resuming, the search for orphans. */
interface Started extends Beginning {
  uploadId: string;
  /** Whether an upload that existed is resumed (given by `uploadId`, or found in the store). */
  resumed: boolean;
  existing: Map<number, ListedPart>;
  /** Uploads that initiate attempts whose answers were lost may have made, being aborted. */
  orphans?: Promise<LeftoverUploadsError | undefined>;
}

/**
 * Initiates the upload, or lists the parts of the one being resumed. When
 * an initiate attempt may have created an upload unseen, the search for such
 * orphans starts here, and runs while the parts go out. An abort stops
 * initiate's retries but not an attempt in flight, which the clean-up time
 * alone cuts off: cut off, it could create an upload that nobody knows of.
 */
async function start(
  client: Client,
  input: UploadInput,
  clock: CleanupClock,
  beginning: Beginning,
): Promise<Started> {
  const { bucket, key, signal } = input;
  const { stored, entry, opened } = beginning;
  let existing = new Map<number, ListedPart>();
  let uploadId = input.uploadId ?? stored;
  let resumed = uploadId !== undefined;
  let orphans: Promise<LeftoverUploadsError | undefined> | undefined;
  try {
    if (uploadId !== undefined) {
      try {
        existing = await (await loadResume(signal)).existingParts(client, {
          bucket,
          key,
          uploadId,
          signal,
        });
      } catch (error) {
        // A stored upload that is gone (aborted, completed, expired) is replaced by a new one.
        if (stored === undefined || signal?.aborted || !isGone(error)) throw error;
        [uploadId, resumed] = [undefined, false];
      }
    }
    if (uploadId === undefined) {
      let since: number | undefined;
      try {
        uploadId = await initiate(client, input, clock.signal, (sentAt) => since = sentAt);
      } finally {
        // An attempt's answer was lost: what it may have made is sought while the parts go out.
        if (since !== undefined) {
          orphans = searchOrphans(client, {
            bucket,
            key,
            since,
            keep: uploadId,
            signal: clock.signal,
          });
        }
      }
      // An abort during initiate takes effect now that its outcome is known.
      signal?.throwIfAborted();
      // Remembered before any part goes, so that a crash from now on can be resumed.
      if (entry) {
        await (await loadResume()).callStore(
          entry,
          "set",
          (store) => store.set(entry.fingerprint, uploadId!),
          signal,
        );
      }
    }
    return { ...beginning, uploadId, resumed, existing, orphans };
  } catch (error) {
    // No part was sent: release the body, so that a stream does not hold its source open.
    releaseBody(input.body, opened, error);
    if (uploadId !== undefined && !resumed) {
      // Made here, then aborted by the caller (or not remembered): it has no part, so there is
      // nothing to keep.
      throw await settleFailure(client, input, clock, {
        uploadId,
        parts: [],
        error,
        abort: true,
        orphans,
        entry,
      });
    }
    clock.start();
    const left = await orphans;
    if (!left) throw error;
    // No upload ID was learnt, yet uploads may remain: that is what this error says.
    throw new LeftoverUploadsError(
      `Starting ${key} failed (${describeError(error)}). ${left.message}`,
      {
        ...left,
        failure: error,
        cause: left.cause,
      },
    );
  }
}

/** Sends the parts and completes the upload; on failure, cleans up and rejects. */
async function transfer(
  client: Client,
  input: UploadInput,
  plan: UploadPlan,
  { uploadId, resumed: resuming, existing, orphans, entry, opened }: Started,
  clock: CleanupClock,
): Promise<MultipartUploadResult> {
  const { bucket, key, signal } = input;
  const keepParts = input.leavePartsOnError ?? resuming;
  let reporter: ProgressReporter | undefined;
  let outcome: PartPoolOutcome;
  try {
    // Its code is loaded only by uploads with an onProgress (see scripts/size.ts), here, where
    // a failure to load it is the upload's failure, and the upload is cleaned up; the caller's
    // abort ends a load that stalls, as it ends every other wait.
    reporter = input.onProgress &&
      (await untilAborted(import("./progress_reporter.ts"), signal)).progressReporter(
        { uploadId, total: plan.size, partsTotal: plan.partsTotal },
        input.onProgress,
      );
    // Told at once, so that a caller who keeps parts can always find the upload again.
    reporter?.flush();
    reporter?.failure.throwIfAborted();
    outcome = await runPartPool(plan, {
      signal,
      keepParts,
      stop: reporter?.failure,
      opened,
      send: (part, partSignal) =>
        sendPart(client, input, part, {
          uploadId,
          previous: existing.get(part.partNumber),
          signal: partSignal,
          reporter,
        }),
      onPart: (part) => reporter?.done(part),
    });
    // The final state, told before completing rather than up to 50 ms later.
    if (!outcome.failed) reporter?.flush();
    if (reporter?.failure.aborted) {
      outcome = { ...outcome, failed: true, error: reporter.failure.reason };
    }
  } catch (error) {
    // Only loading the reporter, or the first report, can fail here, before any part was read.
    releaseBody(plan.body, opened, error);
    outcome = { parts: [], failed: true, error };
  } finally {
    reporter?.stop();
  }
  const { parts } = outcome;

  let error: unknown = outcome.failed ? outcome.error : undefined;
  if (!outcome.failed && !signal?.aborted) {
    try {
      // An abort stops complete's retries but not an attempt in flight, whose outcome must be
      // learnt: cut off, it would leave the object's existence unknown. Only the clean-up
      // time, once the caller aborted, cuts it off.
      const { requestId } = await sendComplete(client, {
        bucket,
        key,
        uploadId,
        parts,
        encryption: input.encryption,
        signal: clock.signal,
        stopRetries: signal,
      });
      // The object exists: uploads that may remain, and a store that failed, are told, not a
      // rejection.
      clock.start();
      const forgotten = entry && forget(entry, clock.signal);
      const cleanupError = await orphans;
      const resumeStoreError = await forgotten;
      return {
        bucket,
        key,
        uploadId,
        // The parts' sizes, not plan.size: a stream's size is known only once it is read.
        size: parts.reduce((sum, part) => sum + part.size, 0),
        parts,
        requestId,
        ...cleanupError && { cleanupError },
        ...resumeStoreError && { resumeStoreError },
      };
    } catch (failure) {
      const cutOff = clock.signal.aborted && failure === clock.signal.reason;
      if (failure instanceof CompleteStatusUnknownError || cutOff) {
        // The object may exist: aborting could not undo it, and would hide what happened. Even
        // after the caller's abort, this is reported rather than the reason: it matters more.
        clock.start();
        const unknown = failure instanceof CompleteStatusUnknownError
          ? failure
          : new CompleteStatusUnknownError({
            operation: "completeMultipartUpload",
            status: 0,
            message:
              "its attempt was cut off when the clean-up time after the abort ran out: the object may exist",
            attempts: 1,
            mayHaveTakenEffect: true,
            cause: failure,
          });
        throw new UploadError(`Completing ${key} may have succeeded: ${describeError(unknown)}`, {
          uploadId,
          parts,
          aborted: false,
          cleanupError: await orphans,
          cause: unknown,
        });
      }
      error = failure;
    }
  }
  // A new upload with no part on the service is aborted even when parts are kept: there is
  // nothing to keep.
  const abort = !keepParts || (!resuming && parts.length == 0);
  throw await settleFailure(client, input, clock, {
    uploadId,
    parts,
    error,
    abort,
    orphans,
    entry,
  });
}

/**
 * Starts the search for uploads that initiate attempts whose answers were
 * lost may have made, to run while the parts go out. Its code is loaded only
 * now, by an upload that lost such an answer, within the clean-up time. If it
 * does not load in time, what may remain is said as when the search cannot
 * list: every upload of the key since the first uncertain attempt.
 */
function searchOrphans(
  client: Client,
  search: OrphanSearch & { signal: AbortSignal },
): Promise<LeftoverUploadsError | undefined> {
  return untilAborted(import("./abort_orphans.ts"), search.signal).then(
    ({ abortOrphans }) => abortOrphans(client, search),
    (error) => {
      const since = new Date(search.since + client.clockOffset - CREATION_SLACK);
      return new LeftoverUploadsError(
        `Uploads of ${search.key} created since ${since.toISOString()} may remain (${
          describeError(error)
        })`,
        { ...search, uploadIds: [], since, cause: error },
      );
    },
  );
}

/**
 * Resume's code, loaded only by uploads that ask for it (see scripts/size.ts);
 * a load that stalls ends when the signal aborts, as every other wait does.
 */
function loadResume(signal?: AbortSignal) {
  return untilAborted(import("./resume_store.ts"), signal);
}

/**
 * Lets go of the body when no part will be sent, so that a stream does not
 * hold its source open: the body, and the parts already opened on it.
 */
function releaseBody(body: UploadBody, opened: OpenedParts | undefined, reason: unknown): void {
  cancelBody(body, reason);
  if (opened) runIgnoringOutcome(() => opened.rest.return());
}

/** Whether listing a stored upload's parts failed because the upload is gone. */
function isGone(error: unknown): boolean {
  return hasCode(error, "upload_not_exists") ||
    (error instanceof QingStorError && error.status == 404);
}

/** Deletes an upload's entry from the resume store, once the upload no longer exists. */
async function forget(
  entry: ResumeEntry,
  signal: AbortSignal,
): Promise<ResumeStoreError | undefined> {
  return (await loadResume()).forgetUpload(entry, signal);
}

/** What a failed upload leaves to clean up, and why it failed. */
interface Failure {
  uploadId: string;
  parts: UploadedPart[];
  error: unknown;
  /** Whether the upload is to be aborted on the service. */
  abort: boolean;
  orphans?: Promise<LeftoverUploadsError | undefined>;
  /** The resume store entry, deleted when the upload is aborted. */
  entry?: ResumeEntry;
}

/**
 * Cleans up after a failure, within the clean-up time, so that the caller
 * sees the final state: aborts the upload unless its parts are kept, and
 * waits for the search for orphans. Returns the error to reject with: the
 * caller's abort reason when the clean-up finished, otherwise an error that
 * says what may remain.
 */
async function settleFailure(
  client: Client,
  input: UploadInput,
  clock: CleanupClock,
  { uploadId, parts, error, abort, orphans, entry }: Failure,
): Promise<unknown> {
  const { bucket, key, signal } = input;
  clock.start();
  let aborted = false;
  let abortError: unknown;
  if (abort) {
    try {
      // The clean-up's own signal: it must run even when the caller's is what stopped the upload.
      await abortMultipartUpload(client, { bucket, key, uploadId, signal: clock.signal });
      aborted = true;
      // Gone from the service, so forgotten; a store that fails leaves an entry that the next
      // run finds gone and replaces.
      if (entry) await forget(entry, clock.signal);
    } catch (thrown) {
      abortError = thrown;
    }
  }
  const cleanupError = await orphans;
  // The caller's abort wins over the errors it caused in flight, once nothing may remain.
  if (signal?.aborted && abortError === undefined && !cleanupError) return signal.reason;
  const source = error instanceof BodyReadFailure && !signal?.aborted;
  const cause = signal?.aborted ? signal.reason : source ? (error as BodyReadFailure).cause : error;
  const message =
    (signal?.aborted
      ? `Uploading ${key} was aborted (${describeError(cause)}), and its clean-up did not finish`
      : `${source ? "Reading the body of" : "Uploading"} ${key} failed: ${describeError(cause)}`) +
    (abortError === undefined
      ? ""
      : `; aborting upload ${uploadId} failed: ${describeError(abortError)}`) +
    (cleanupError ? `; ${cleanupError.message}` : "");
  const details = { uploadId, parts, aborted, abortError, cleanupError, cause };
  return source ? new SourceError(message, details) : new UploadError(message, details);
}

/**
 * Initiates the upload. The caller's signal stops initiate's retries but not
 * an attempt in flight; `cutOff`, the end of the clean-up time, does.
 */
async function initiate(
  client: Client,
  input: UploadInput,
  cutOff: AbortSignal,
  onUncertain: (sentAt: number) => void,
): Promise<string> {
  const { signal } = input;
  try {
    const { uploadId } = await initiateUpload(client, {
      bucket: input.bucket,
      key: input.key,
      contentType: input.contentType,
      storageClass: input.storageClass,
      metadata: input.metadata,
      encryption: input.encryption,
      signal: cutOff,
      stopRetries: signal,
    }, onUncertain);
    return uploadId;
  } catch (error) {
    throw signal?.aborted ? signal.reason : error;
  }
}

/** How one part goes: to which upload, what resuming found under its number, what cancels it. */
interface PartSending {
  uploadId: string;
  /** The part of that number already on the service, when resuming. */
  previous?: ListedPart;
  signal: AbortSignal;
  reporter?: ProgressReporter;
}

/**
 * Sends one part, unless resuming finds it on the service already, byte for
 * byte; tells the reporter, if any, of its bytes as they go out.
 */
async function sendPart(
  client: Client,
  input: UploadInput,
  { partNumber, bytes }: SourcePart,
  { uploadId, previous, signal, reporter }: PartSending,
): Promise<UploadedPart> {
  const sendMd5 = input.md5 !== false;
  // The part of that number on the service, if it has this part's size: maybe these very bytes.
  const sameSize = previous?.size == bytes.length ? previous : undefined;
  // Hashed once, and only when it is sent or a part of the same size may already be there; in
  // slices, so that the thread (a page's, too) is never held for the whole part.
  // MD5's code is loaded on demand, at the first part; an abort ends a load that stalls, which
  // the pool, waiting for every part in flight, would otherwise wait for.
  const digest = sendMd5 || sameSize
    ? await (await untilAborted(import("../md5_sliced.ts"), signal)).md5Sliced(bytes, { signal })
    : undefined;
  if (sameSize && sameSize.etag == encodeHex(digest!)) {
    reporter?.skip(partNumber);
    return { partNumber, size: bytes.length, etag: sameSize.etag };
  }
  try {
    const { etag } = await uploadPart(client, {
      bucket: input.bucket,
      key: input.key,
      uploadId,
      partNumber,
      body: bytes,
      md5: sendMd5 ? encodeBase64(digest!) : false,
      encryption: input.encryption,
      signal,
      onProgress: reporter && ((sent) => reporter.sending(partNumber, sent)),
    });
    return { partNumber, size: bytes.length, etag };
  } catch (error) {
    reporter?.failed(partNumber);
    throw error;
  }
}
