/**
 * The service's limits (see docs/protocol.md#limits) and the checks shared by
 * several operations (bucket, key, upload ID, part number and size, header
 * values), run before a request is sent; user metadata's checks are in
 * `request/metadata_headers.ts` and the SSE-C key's in
 * `request/customer_key_headers.ts`, each loaded only when given. A check
 * that belongs to one call alone stays beside it: the client's options in
 * `client.ts`; in `operations/`, a body's type and size (Upload Part, PUT
 * Object), complete's part list, a copy's source and conditions, list limits,
 * presign's method, headers and lifetime, presignParts' part numbers; a
 * body's `md5` and `onProgress` in `request/content_md5.ts` and
 * `request/counting_fetch.ts`; the remote signer's in `signer/`; and
 * `upload()`'s plan, body and resume store in `upload/`. All of them fail
 * through `check()` here, with the same ValidationError.
 *
 * @module
 */
import { ValidationError } from "./errors.ts";

/** The smallest part, except the last, that the service accepts: 4 MiB. */
export const MIN_PART_SIZE = 4 * 1024 * 1024;
/** The largest part the client sends: 5 GB, valid whether the docs mean GB or GiB. */
export const MAX_PART_SIZE = 5_000_000_000;
/** The most parts one upload may have. */
export const MAX_PARTS = 10_000;
/** The highest part number; numbering may start at 0. */
export const MAX_PART_NUMBER = 10_000;
/** The most bytes of user metadata, names (without `x-qs-meta-`) and values together. */
export const MAX_METADATA_SIZE = 2048;
/** The longest user metadata name, without `x-qs-meta-`. */
export const MAX_METADATA_NAME = 512;

const encoder = new TextEncoder();

/** Shows a received value in a message: quoted, and cut short when long. */
function show(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 80 ? text.slice(0, 77) + "..." : text;
}

/** Throws a {@linkcode ValidationError} unless `ok`. */
export function check(ok: unknown, parameter: string, rule: string, value: unknown): asserts ok {
  if (!ok) throw new ValidationError(parameter, `${rule}, received ${show(value)}`);
}

/** Whether `value` is a string that `pattern` matches: a non-string never does. */
export function matches(pattern: RegExp, value: unknown): value is string {
  return typeof value == "string" && pattern.test(value);
}

/**
 * Checks a bucket name: 6–63 of `a-z 0-9 -`, alphanumeric at both ends
 * (which also rules out an IP address).
 */
export function checkBucket(bucket: string, parameter = "bucket"): void {
  check(
    matches(/^[a-z0-9][a-z0-9-]{4,61}[a-z0-9]$/, bucket),
    parameter,
    "Bucket name must be 6 to 63 of a-z 0-9 -, starting and ending with a letter or digit",
    bucket,
  );
}

/**
 * Checks an object key: 1–1023 UTF-8 bytes, no leading `/`, no `.` or `..` segment (see
 * docs/protocol.md#object-key-encoding).
 */
export function checkKey(key: string, parameter = "key"): void {
  check(
    typeof key == "string" && key.length > 0 && key.isWellFormed(),
    parameter,
    "Key must be non-empty Unicode text",
    key,
  );
  const bytes = encoder.encode(key).length;
  check(bytes < 1024, parameter, "Key must be at most 1023 UTF-8 bytes", bytes);
  // fetch's URL parser would drop dot segments, so the request would reach another key.
  check(
    !/^\/|(^|\/)\.\.?(\/|$)/.test(key),
    parameter,
    'Key must not start with "/" nor have a "." or ".." segment',
    key,
  );
}

/** Checks that a header value is printable ASCII, which every runtime's `fetch` can send as is. */
export function checkHeaderValue(parameter: string, value: string, max = 2048): void {
  check(
    matches(/^[\x20-\x7e]+$/, value) && value.length <= max,
    parameter,
    `${parameter} must be 1 to ${max} printable ASCII characters`,
    value,
  );
}

/**
 * The characters of a user metadata name, without `x-qs-meta-` (see
 * docs/protocol.md#user-metadata).
 */
export const METADATA_NAME = /^[\w.-]+$/;

/**
 * A base64 MD5, as `Content-MD5` and the SSE-C key MD5 carry it: the 16 bytes
 * in 24 characters, the last two `==` (so the 22nd holds only 2 bits).
 */
export const BASE64_MD5 = /^[A-Za-z0-9+/]{21}[AQgw]==$/;

/** The storage classes the service knows. */
export const STORAGE_CLASSES = ["STANDARD", "STANDARD_IA"] as const;

/** The storage classes an object can be created in. */
export type StorageClass = typeof STORAGE_CLASSES[number];

/** Whether the service knows a storage class. */
export function isStorageClass(name: string): name is StorageClass {
  return (STORAGE_CLASSES as readonly string[]).includes(name);
}

/** Checks a storage class against those the service knows. */
export function checkStorageClass(storageClass: string): void {
  check(
    isStorageClass(storageClass),
    "storageClass",
    `Storage class must be ${STORAGE_CLASSES.map((name) => `"${name}"`).join(" or ")}`,
    storageClass,
  );
}

/** Checks an upload ID: printable ASCII, as the service's hex IDs are, at most 1024 characters. */
export function checkUploadId(uploadId: string): void {
  checkHeaderValue("uploadId", uploadId, 1024);
}

/** Checks the parts of an upload's address: bucket, key and upload ID. */
export function checkUpload(input: { bucket: string; key: string; uploadId: string }): void {
  checkBucket(input.bucket);
  checkKey(input.key);
  checkUploadId(input.uploadId);
}

/** Checks a part number: a whole number from 0 to 10000. */
export function checkPartNumber(partNumber: number, parameter = "partNumber"): void {
  check(
    Number.isInteger(partNumber) && partNumber >= 0 && partNumber <= MAX_PART_NUMBER,
    parameter,
    `Part number must be a whole number from 0 to ${MAX_PART_NUMBER}`,
    partNumber,
  );
}

/** Checks a part's size: at most 5 GB (the 4 MiB minimum applies to all parts but the last). */
export function checkPartSize(size: number, parameter = "body"): void {
  check(size <= MAX_PART_SIZE, parameter, `A part must be at most ${MAX_PART_SIZE} bytes`, size);
}

/** Checks a listing's page size: a whole number from 1 to 1000. */
export function checkLimit(limit: number | undefined): void {
  check(
    limit === undefined || (Number.isInteger(limit) && limit >= 1 && limit <= 1000),
    "limit",
    "Limit must be a whole number from 1 to 1000",
    limit,
  );
}

/** Checks that bytes do not live in shared memory, which `fetch` cannot send. */
export function checkNotShared(body: unknown): void {
  check(
    !(body instanceof Uint8Array && !(body.buffer instanceof ArrayBuffer)),
    "body",
    "Bytes must not live in shared memory, which fetch cannot send",
    "a view of a SharedArrayBuffer",
  );
}

/** Checks a `fetch` option: a function, or nothing for the runtime's own. */
export function checkFetch(transport: unknown): void {
  check(
    !transport || typeof transport == "function",
    "fetch",
    "fetch must be a function (request: Request) => Promise<Response>",
    `a ${typeof transport}`,
  );
}

/** Checks a time in milliseconds from `min`: setTimeout's limit bounds every delay. */
export function checkMilliseconds(parameter: string, value: number, min = 0): void {
  check(
    Number.isFinite(value) && value >= min && value < 2 ** 31,
    parameter,
    `${parameter} must be from ${min} to 2147483647 ms`,
    value,
  );
}
