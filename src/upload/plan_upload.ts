import {
  check,
  checkBucket,
  checkKey,
  checkMilliseconds,
  checkNotShared,
  checkUploadId,
  MAX_PART_SIZE,
  MAX_PARTS,
  MIN_PART_SIZE,
} from "../validate.ts";
import { knownLength, type UploadBody } from "./upload_body.ts";

/** The part size `upload()` uses unless told otherwise. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

/** How long `upload()` gives its clean-up unless told otherwise, in milliseconds. */
export const DEFAULT_CLEANUP_TIMEOUT = 10_000;

/** What `upload()` is asked, as far as planning goes. */
export interface PlanInput {
  bucket: string;
  key: string;
  uploadId?: string;
  body: UploadBody;
  size?: number;
  partSize?: number;
  minPartSize?: number;
  concurrency?: number;
  onProgress?: unknown;
  cleanupTimeout?: number;
}

/** An upload's plan: its input checked, and its part sizes settled. */
export interface UploadPlan {
  /** The body, a string already encoded as UTF-8. */
  body: Exclude<UploadBody, string>;
  /** The body's size, when known. */
  size?: number;
  /** The (first) part size. */
  partSize: number;
  /** How many parts there will be, when the size is known. */
  partsTotal?: number;
  /** Parts in flight at once. */
  concurrency: number;
  /** The clean-up's time limit in milliseconds. */
  cleanupTimeout: number;
}

/**
 * Checks an upload's input and settles its part sizes: a known size raises
 * the part size so the object fits in 10,000 parts; an unknown size makes
 * part sizes grow instead (see `partSizeAt`).
 *
 * @param input The upload's input.
 * @returns The plan.
 * @throws {ValidationError} If any input breaks a rule; nothing has been sent.
 */
export function planUpload(input: PlanInput): UploadPlan {
  const { concurrency = 4, minPartSize = MIN_PART_SIZE } = input;
  const { cleanupTimeout = DEFAULT_CLEANUP_TIMEOUT } = input;
  checkBucket(input.bucket);
  checkKey(input.key);
  if (input.uploadId !== undefined) checkUploadId(input.uploadId);
  check(
    Number.isInteger(minPartSize) && minPartSize >= 1 && minPartSize <= MIN_PART_SIZE,
    "minPartSize",
    `Minimum part size must be a whole number from 1 to ${MIN_PART_SIZE}`,
    minPartSize,
  );
  // The default is above MIN_PART_SIZE, and so above any minPartSize allowed.
  const requested = input.partSize ?? DEFAULT_PART_SIZE;
  check(
    Number.isInteger(requested) && requested >= minPartSize && requested <= MAX_PART_SIZE,
    "partSize",
    `Part size must be a whole number from ${minPartSize} (minPartSize) to ${MAX_PART_SIZE}`,
    requested,
  );
  check(
    Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 64,
    "concurrency",
    "Concurrency must be a whole number from 1 to 64",
    concurrency,
  );
  // setTimeout's limit; 0 leaves no time, so nothing is waited for after an abort.
  checkMilliseconds("cleanupTimeout", cleanupTimeout);
  check(
    input.onProgress === undefined || typeof input.onProgress == "function",
    "onProgress",
    "onProgress must be a function",
    `a ${typeof input.onProgress}`,
  );
  // TextEncoder would store a lone surrogate as U+FFFD: the object would not be the text given.
  check(
    typeof input.body != "string" || input.body.isWellFormed(),
    "body",
    "A string body must be well-formed Unicode, with no lone surrogate",
    "a string with a lone surrogate",
  );
  const body = typeof input.body == "string" ? new TextEncoder().encode(input.body) : input.body;
  check(
    body instanceof ReadableStream || body instanceof Blob || body instanceof Uint8Array ||
      body instanceof ArrayBuffer || (body != null && Symbol.asyncIterator in Object(body)),
    "body",
    "Body must be a ReadableStream, Blob, Uint8Array, ArrayBuffer, string or async iterable",
    Object.prototype.toString.call(body),
  );
  checkNotShared(body);
  check(
    !(body instanceof ReadableStream && body.locked),
    "body",
    "Body stream must not be locked (another reader is reading it)",
    "a locked ReadableStream",
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
  const partSize = size === undefined
    ? requested
    : Math.max(requested, Math.ceil(size / MAX_PARTS));
  return {
    body,
    size,
    partSize,
    partsTotal: size === undefined ? undefined : Math.max(1, Math.ceil(size / partSize)),
    concurrency,
    cleanupTimeout,
  };
}
