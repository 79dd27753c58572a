import type { Client } from "../client.ts";
import { LeftoverUploadsError, SourceError, type UploadedPart, UploadError } from "../errors.ts";
import { md5 } from "../md5.ts";
import { encodeBase64, encodeHex } from "../encoding.ts";
import { abortMultipartUpload } from "../operations/abort_multipart_upload.ts";
import {
  completeMultipartUpload,
  CompleteStatusUnknownError,
} from "../operations/complete_multipart_upload.ts";
import {
  type InitiateMultipartUploadInput,
  initiateUpload,
} from "../operations/initiate_multipart_upload.ts";
import { iterateParts, type ListedPart } from "../operations/list_parts.ts";
import { uploadPart } from "../operations/upload_part.ts";
import { planUpload, type UploadPlan } from "./plan_upload.ts";
import { cancelBody, SourceFailure, type SourcePart, type UploadBody } from "./read_parts.ts";
import { sendParts, type SendPartsOutcome } from "./send_parts.ts";
import { abortOrphans } from "./abort_orphans.ts";

/** How far an upload has come, as passed to `onProgress`. */
export interface UploadProgress {
  /** The upload's ID, known from the first event on; keep it to resume after a crash. */
  uploadId: string;
  /** Bytes on the service so far. */
  loaded: number;
  /** The body's size, when known. */
  total?: number;
  /** Parts on the service so far. */
  partsDone: number;
  /** How many parts there will be, when the size is known. */
  partsTotal?: number;
}

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
  /** Send Content-MD5 with every part, so the service refuses damaged bytes; default true. */
  md5?: boolean;
  /**
   * Called once the upload ID is known, then after every part, with the
   * progress so far. An exception it throws fails the upload.
   */
  onProgress?: (progress: UploadProgress) => void;
  /** Resume this upload: parts already on the service that match the body are not sent again. */
  uploadId?: string;
  /**
   * On failure, keep the parts on the service (for a later resume) instead of
   * aborting the upload. Default: false for a new upload, true when resuming
   * one given by `uploadId`. A new upload with no part on the service yet is
   * aborted all the same: there is nothing to keep.
   */
  leavePartsOnError?: boolean;
}

/** Result of {@linkcode upload}. */
export interface UploadResult {
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
}

/**
 * Uploads an object of any size as a multipart upload: it cuts the body into
 * parts, sends them in parallel with bounded memory (at most
 * `partSize × (concurrency + 1)` bytes of body held), retries what fails,
 * and completes. On failure or abort, requests in flight are cancelled and
 * the upload is aborted on the service before the promise settles, so
 * nothing is left behind (unless `leavePartsOnError`, the default when
 * resuming). An abort never cuts off an initiate or complete attempt in
 * flight, whose outcome must be known.
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
 * @throws {ValidationError} If the input is invalid; nothing is sent, and a stream body is
 * cancelled, as on every failure: the upload owns the body once called.
 * @throws {QingStorError} If the upload could not be initiated (or listed, to resume); nothing it
 * may have created remains.
 * @throws {LeftoverUploadsError} If the upload could not be initiated and uploads its attempts may
 * have created could not all be aborted: `failure` says why it stopped.
 * @throws {SourceError} If reading the body failed.
 * @throws {UploadError} If a part or the complete request failed for good, or complete's outcome
 * is unknown (its `cause` is then a `CompleteStatusUnknownError`, and nothing was aborted).
 * @throws The signal's reason, when the signal aborts.
 *
 * @example
 * ```ts
 * import { createClient, upload } from "@qingstor-multipart/core";
 * import { createEmulator } from "@qingstor-multipart/core/testing";
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
 * assert.equal(result.parts.length, 5);
 * assert.equal(seen.at(-1), 5000);
 * ```
 */
export async function upload(client: Client, input: UploadInput): Promise<UploadResult> {
  const { bucket, key, signal } = input;
  const resuming = input.uploadId !== undefined;
  const keepParts = input.leavePartsOnError ?? resuming;
  let uploadId: string;
  const existing = new Map<number, ListedPart>();
  let plan: UploadPlan;
  // Uploads that initiate attempts whose answers were lost may have made: looked for and
  // aborted while the parts go out, and awaited before settling.
  let orphans: Promise<LeftoverUploadsError | undefined> | undefined;
  try {
    plan = planUpload(input);
    signal?.throwIfAborted();
    if (resuming) {
      uploadId = input.uploadId!;
      for await (const part of iterateParts(client, { bucket, key, uploadId, signal })) {
        existing.set(part.partNumber, part);
      }
    } else {
      let since: number | undefined;
      let created: string | undefined;
      try {
        uploadId = created = await initiate(client, input, (sentAt) => since = sentAt);
      } finally {
        if (since !== undefined) {
          orphans = abortOrphans(client, { bucket, key, since, keep: created });
        }
      }
    }
  } catch (error) {
    // Nothing was read, the input may even have been refused: release the body, so that a
    // stream does not hold its source open. The upload took it over when it was called.
    cancelBody(input.body, error);
    const left = await orphans;
    if (!left) throw error;
    // No upload ID was learnt, yet uploads may remain: that is what this error says.
    throw new LeftoverUploadsError(`Starting ${key} failed (${describe(error)}). ${left.message}`, {
      ...left,
      failure: error,
      cause: left.cause,
    });
  }

  let loaded = 0;
  let partsDone = 0;
  // Told at once, so that a caller who keeps parts can always find the upload again.
  const report = () =>
    input.onProgress?.({
      uploadId,
      loaded,
      total: plan.size,
      partsDone,
      partsTotal: plan.partsTotal,
    });
  let outcome: SendPartsOutcome;
  try {
    report();
    outcome = await sendParts(plan, {
      signal,
      keepParts,
      send: (part, partSignal) =>
        sendPart(client, input, uploadId, part, existing.get(part.partNumber), partSignal),
      onPart: (part) => {
        loaded += part.size;
        partsDone++;
        report();
      },
    });
  } catch (error) {
    // Only the first report can fail here, before any part was read.
    cancelBody(plan.body, error);
    outcome = { parts: [], failed: true, error };
  }
  const { parts } = outcome;

  let error: unknown = outcome.failed ? outcome.error : undefined;
  if (!outcome.failed && !signal?.aborted) {
    try {
      // An abort stops complete's retries but not an attempt in flight, whose outcome must be
      // learnt: cut off, it would leave the object's existence unknown.
      const { requestId } = await completeMultipartUpload(client, {
        bucket,
        key,
        uploadId,
        parts,
        encryption: input.encryption,
        stopRetries: signal,
      });
      // The object exists: uploads that may remain are told, not a rejection.
      const cleanupError = await orphans;
      return {
        bucket,
        key,
        uploadId,
        size: loaded,
        parts,
        requestId,
        ...cleanupError && { cleanupError },
      };
    } catch (failure) {
      if (failure instanceof CompleteStatusUnknownError) {
        // The object may exist: aborting could not undo it, and would hide what happened. Even
        // after the caller's abort, this is reported rather than the reason: it matters more.
        throw new UploadError(`Completing ${key} may have succeeded: ${describe(failure)}`, {
          uploadId,
          parts,
          aborted: false,
          cleanupError: await orphans,
          cause: failure,
        });
      }
      error = failure;
    }
  }

  // Clean up before settling, so the caller sees the final state. The abort request gets no
  // signal: it must run even when the caller's signal is what stopped the upload. A new upload
  // with no part on the service is aborted even when parts are kept: there is nothing to keep.
  let aborted = false;
  let abortError: unknown;
  if (!keepParts || (!resuming && parts.length == 0)) {
    try {
      await abortMultipartUpload(client, { bucket, key, uploadId });
      aborted = true;
    } catch (failure) {
      abortError = failure;
    }
  }
  const cleanupError = await orphans;
  // The caller's abort wins over the errors it caused in flight, unless something may remain.
  if (signal?.aborted && !cleanupError) throw signal.reason;
  const details = { uploadId, parts, aborted, abortError, cleanupError };
  if (error instanceof SourceFailure) {
    throw new SourceError(`Reading the body of ${key} failed: ${describe(error.cause)}`, {
      ...details,
      cause: error.cause,
    });
  }
  throw new UploadError(`Uploading ${key} failed: ${describe(error)}`, {
    ...details,
    cause: signal?.aborted ? signal.reason : error,
  });
}

/**
 * Initiates the upload. An abort stops initiate's retries but not an attempt
 * in flight: cut off, it could create an upload that nobody knows of. Once
 * the attempt ends, the abort takes effect, aborting the new upload if there
 * is one.
 */
async function initiate(
  client: Client,
  input: UploadInput,
  onUncertain: (sentAt: number) => void,
): Promise<string> {
  const { bucket, key, signal } = input;
  let uploadId: string;
  try {
    ({ uploadId } = await initiateUpload(client, {
      bucket,
      key,
      contentType: input.contentType,
      storageClass: input.storageClass,
      metadata: input.metadata,
      encryption: input.encryption,
      stopRetries: signal,
    }, onUncertain));
  } catch (error) {
    throw signal?.aborted ? signal.reason : error;
  }
  if (signal?.aborted) {
    await abortMultipartUpload(client, { bucket, key, uploadId }).catch(() => {});
    throw signal.reason;
  }
  return uploadId;
}

/** Sends one part, unless resuming finds it on the service already, byte for byte. */
async function sendPart(
  client: Client,
  input: UploadInput,
  uploadId: string,
  { partNumber, bytes }: SourcePart,
  previous: ListedPart | undefined,
  signal: AbortSignal,
): Promise<UploadedPart> {
  const sendMd5 = input.md5 !== false;
  // Hashed once, and only when it is sent or a part of the same size may already be there.
  const digest = sendMd5 || previous?.size == bytes.length ? md5(bytes) : undefined;
  if (previous?.size == bytes.length && previous.etag == encodeHex(digest!)) {
    return { partNumber, size: previous.size, etag: previous.etag };
  }
  const { etag } = await uploadPart(client, {
    bucket: input.bucket,
    key: input.key,
    uploadId,
    partNumber,
    body: bytes,
    md5: sendMd5 ? encodeBase64(digest!) : false,
    encryption: input.encryption,
    signal,
  });
  return { partNumber, size: bytes.length, etag };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
