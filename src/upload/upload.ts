import type { Client } from "../client.ts";
import { SourceError, type UploadedPart, UploadError } from "../errors.ts";
import { Md5 } from "../md5.ts";
import { encodeBase64 } from "../base64.ts";
import { abortMultipartUpload } from "../operations/abort_multipart_upload.ts";
import { completeMultipartUpload } from "../operations/complete_multipart_upload.ts";
import {
  initiateMultipartUpload,
  type InitiateMultipartUploadInput,
} from "../operations/initiate_multipart_upload.ts";
import { iterateParts, type ListedPart } from "../operations/list_parts.ts";
import { uploadPart } from "../operations/upload_part.ts";
import {
  check,
  checkBucket,
  checkKey,
  MAX_PART_SIZE,
  MAX_PARTS,
  MIN_PART_SIZE,
} from "../validate.ts";
import { knownLength, readParts, SourceFailure, type UploadBody } from "./read_parts.ts";

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
export interface UploadInput extends InitiateMultipartUploadInput {
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
  /** Called after every part with the progress so far. */
  onProgress?: (progress: UploadProgress) => void;
  /** Resume this upload: parts already on the service that match the body are not sent again. */
  uploadId?: string;
  /** On failure, keep the parts on the service (for a later resume) instead of aborting. */
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
}

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * Uploads an object of any size as a multipart upload: it cuts the body into
 * parts, sends them in parallel with bounded memory (at most
 * `partSize × (concurrency + 1)` bytes of body held), retries what fails,
 * and completes. On failure or abort, requests in flight are cancelled and
 * the upload is aborted on the service before the promise settles, so
 * nothing is left behind (unless `leavePartsOnError`).
 *
 * @param client The client.
 * @param input The object, its body, and how to upload it.
 * @returns The object's upload ID, size and parts.
 * @throws {ValidationError} If the input is invalid; nothing is sent.
 * @throws {QingStorError} If the upload could not be initiated (or listed, to resume).
 * @throws {SourceError} If reading the body failed.
 * @throws {UploadError} If a part or the complete request failed for good.
 * @throws The signal's reason, when the signal aborts.
 *
 * @example
 * ```ts ignore
 * import { createClient, upload } from "@qingstor-multipart/core";
 *
 * const client = createClient({ zone: "pek3a", credentials: { accessKeyId: "AKID", secretAccessKey: "secret" } });
 * const file = await fetch("https://example.com/big.iso");
 * const result = await upload(client, {
 *   bucket: "mybucket",
 *   key: "isos/big.iso",
 *   body: file.body!,
 *   onProgress: ({ loaded, total }) => console.log(loaded, total),
 * });
 * console.log(result.size, result.parts.length);
 * ```
 */
export async function upload(client: Client, input: UploadInput): Promise<UploadResult> {
  const { bucket, key, signal, concurrency = 4, minPartSize = MIN_PART_SIZE } = input;
  checkBucket(bucket);
  checkKey(key);
  check(
    Number.isInteger(minPartSize) && minPartSize >= 1 && minPartSize <= MIN_PART_SIZE,
    "minPartSize",
    `Minimum part size must be a whole number from 1 to ${MIN_PART_SIZE}`,
    minPartSize,
  );
  let partSize = input.partSize ?? Math.max(8 * 1024 * 1024, minPartSize);
  check(
    Number.isInteger(partSize) && partSize >= minPartSize && partSize <= MAX_PART_SIZE,
    "partSize",
    `Part size must be a whole number from ${minPartSize} (minPartSize) to ${MAX_PART_SIZE}`,
    partSize,
  );
  check(
    Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 64,
    "concurrency",
    "Concurrency must be a whole number from 1 to 64",
    concurrency,
  );
  const body = typeof input.body == "string" ? new TextEncoder().encode(input.body) : input.body;
  check(
    body instanceof ReadableStream || body instanceof Blob || body instanceof Uint8Array ||
      body instanceof ArrayBuffer || (body != null && Symbol.asyncIterator in Object(body)),
    "body",
    "Body must be a ReadableStream, Blob, Uint8Array, ArrayBuffer, string or async iterable",
    Object.prototype.toString.call(body),
  );
  const length = knownLength(body);
  const size = input.size ?? length;
  check(
    size === undefined ||
      (Number.isSafeInteger(size) && size >= 0 && size <= MAX_PARTS * MAX_PART_SIZE &&
        (length === undefined || size == length)),
    "size",
    `Size must be a whole number up to ${MAX_PARTS * MAX_PART_SIZE} and match the body's length`,
    size,
  );
  // Grow the part size so that a known size fits in 10,000 parts.
  if (size !== undefined) partSize = Math.max(partSize, Math.ceil(size / MAX_PARTS));
  const partsTotal = size === undefined ? undefined : Math.max(1, Math.ceil(size / partSize));
  signal?.throwIfAborted();

  const uploadId = input.uploadId ??
    (await initiateMultipartUpload(client, { ...input, signal })).uploadId;
  const existing = new Map<number, ListedPart>();
  if (input.uploadId) {
    for await (const part of iterateParts(client, { bucket, key, uploadId, signal })) {
      existing.set(part.partNumber, part);
    }
  }

  // One controller stops every request: the caller's abort, or the first failure.
  const controller = new AbortController();
  const stop = () => controller.abort(signal?.reason);
  signal?.addEventListener("abort", stop, { once: true });
  if (signal?.aborted) stop();
  const done: UploadedPart[] = [];
  const inFlight = new Set<Promise<void>>();
  let loaded = 0;
  let failure: unknown;
  const report = () =>
    input.onProgress?.({ uploadId, loaded, total: size, partsDone: done.length, partsTotal });

  const sendPart = async (partNumber: number, bytes: Uint8Array) => {
    const needsMd5 = input.md5 !== false || existing.has(partNumber);
    const digest = needsMd5 ? new Md5().update(bytes).digest() : undefined;
    const previous = existing.get(partNumber);
    let etag = previous?.etag;
    if (!previous || previous.size != bytes.length || previous.etag != hex(digest!)) {
      ({ etag } = await uploadPart(client, {
        bucket,
        key,
        uploadId,
        partNumber,
        body: bytes,
        md5: input.md5 === false ? false : encodeBase64(digest!),
        encryption: input.encryption,
        signal: controller.signal,
      }));
    }
    done.push({ partNumber, size: bytes.length, etag });
    loaded += bytes.length;
    report();
  };

  // On failure, parts in flight are cancelled, since the upload will be aborted; when its parts
  // are to be kept, they may finish instead, so the error lists exactly what is on the service.
  const fail = (error: unknown) => {
    failure ??= error;
    if (!input.leavePartsOnError) controller.abort(error);
  };
  const parts = readParts(body as Exclude<UploadBody, string>, partSize, size === undefined, size);
  try {
    for await (const { partNumber, bytes } of parts) {
      check(
        partNumber < MAX_PARTS,
        "body",
        `The body needs more than ${MAX_PARTS} parts`,
        partNumber,
      );
      while (inFlight.size >= concurrency && failure === undefined) await Promise.race(inFlight);
      if (failure !== undefined || controller.signal.aborted) break;
      const task: Promise<void> = sendPart(partNumber, bytes)
        .catch(fail)
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
  } catch (error) {
    fail(error);
  }
  await Promise.allSettled(inFlight);
  // The caller's abort wins over the errors it caused in flight.
  if (signal?.aborted) failure = new Aborted(signal.reason);

  let requestId = "";
  if (failure === undefined) {
    done.sort((a, b) => a.partNumber - b.partNumber);
    try {
      ({ requestId } = await completeMultipartUpload(client, {
        bucket,
        key,
        uploadId,
        parts: done,
        encryption: input.encryption,
        signal,
      }));
    } catch (error) {
      failure = signal?.aborted ? new Aborted(signal.reason) : error;
    }
  }
  signal?.removeEventListener("abort", stop);
  if (failure === undefined) {
    return { bucket, key, uploadId, size: loaded, parts: done, requestId };
  }

  // Clean up before settling, so the caller sees the final state. The abort request gets no
  // signal: it must run even when the caller's signal is what stopped the upload.
  let aborted = false;
  let abortError: unknown;
  if (!input.leavePartsOnError) {
    try {
      await abortMultipartUpload(client, { bucket, key, uploadId });
      aborted = true;
    } catch (error) {
      abortError = error;
    }
  }
  if (failure instanceof Aborted) throw failure.reason;
  const details = {
    uploadId,
    parts: done.sort((a, b) => a.partNumber - b.partNumber),
    aborted,
    abortError,
  };
  if (failure instanceof SourceFailure) {
    throw new SourceError(`Reading the body of ${key} failed: ${describe(failure.cause)}`, {
      ...details,
      cause: failure.cause,
    });
  }
  throw new UploadError(`Uploading ${key} failed: ${describe(failure)}`, {
    ...details,
    cause: failure,
  });
}

/** Marks the caller's abort, so its reason is thrown as it is. */
class Aborted {
  constructor(readonly reason: unknown) {}
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
