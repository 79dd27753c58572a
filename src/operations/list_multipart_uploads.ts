import type { Client } from "../client.ts";
import { send } from "../request/send.ts";
import { check, checkBucket, checkLimit } from "../validate.ts";

/** Input of {@linkcode listMultipartUploads}. */
export interface ListMultipartUploadsInput {
  /** The bucket. */
  bucket: string;
  /** List only keys that start with this. */
  prefix?: string;
  /** One character that groups keys into common prefixes ("directories"), e.g. `"/"`. */
  delimiter?: string;
  /** Start after this key (paging; from `nextKeyMarker`). */
  keyMarker?: string;
  /** Start after this upload of `keyMarker` (paging; from `nextUploadIdMarker`). */
  uploadIdMarker?: string;
  /** Entries per page, 1 to 1000; the service's default is 200. */
  limit?: number;
  /** Cancels the request. */
  signal?: AbortSignal;
}

/** An upload in progress. */
export interface ListedUpload {
  /** The object key. */
  key: string;
  /** The upload ID. */
  uploadId: string;
  /** When it was initiated. */
  created: Date;
}

/** One page of {@linkcode listMultipartUploads}. */
export interface ListMultipartUploadsResult {
  /** The bucket's name, as the service echoes it (absent when it does not). */
  name?: string;
  /** The prefix asked for, as echoed. */
  prefix?: string;
  /** The delimiter asked for, as echoed. */
  delimiter?: string;
  /** The page size in force, as echoed. */
  limit?: number;
  /** The key marker asked for, as echoed (the service's field is `marker`). */
  marker?: string;
  /** Uploads in progress, by key, then by creation time. */
  uploads: ListedUpload[];
  /** Key prefixes up to the delimiter that stand for the uploads under them. */
  commonPrefixes: string[];
  /** Whether another page follows. */
  hasMore: boolean;
  /** The `keyMarker` for the next page, or `""` at the end. */
  nextKeyMarker: string;
  /** The `uploadIdMarker` for the next page. */
  nextUploadIdMarker: string;
  /** The `x-qs-request-id` of the response. */
  requestId: string;
  /**
   * The service's time when it answered (its `Date` header, whole seconds),
   * to compare `created` with on the service's own clock; absent if none came.
   */
  date?: Date;
}

interface WireUploads {
  name?: string;
  prefix?: string;
  delimiter?: string;
  limit?: number;
  marker?: string;
  uploads?: { key: string; upload_id: string; created: string }[];
  common_prefixes?: string[] | string;
  has_more?: boolean;
  next_key_marker?: string;
  next_upload_id_marker?: string;
}

/**
 * Lists one page of a bucket's multipart uploads in progress (see
 * docs/protocol.md#list-multipart-uploads), for example to find and abort
 * forgotten ones. {@linkcode iterateMultipartUploads} pages through all of them.
 *
 * @param client The client.
 * @param input The bucket, and optional prefix, delimiter and paging.
 * @returns The page.
 * @throws {ValidationError} If the bucket, delimiter or limit is invalid; nothing is sent.
 * @throws {QingStorError} If the service refuses.
 *
 * @example
 * ```ts
 * import {
 *   createClient,
 *   initiateMultipartUpload,
 *   listMultipartUploads,
 * } from "qingstor-multipart";
 * import { createEmulator } from "qingstor-multipart/testing";
 * import assert from "node:assert/strict";
 *
 * // The emulator stands in for QingStor; for the service, give `zone` and your keys instead.
 * const credentials = { accessKeyId: "AKID", secretAccessKey: "secret" };
 * const emulator = createEmulator({ credentials: [credentials] });
 * const client = createClient({ endpoint: "http://localhost", credentials, fetch: emulator.fetch });
 *
 * for (const key of ["videos/a.mp4", "videos/2024/b.mp4", "notes.txt"]) {
 *   await initiateMultipartUpload(client, { bucket: "mybucket", key });
 * }
 * const { uploads, commonPrefixes } = await listMultipartUploads(client, {
 *   bucket: "mybucket",
 *   prefix: "videos/",
 *   delimiter: "/",
 * });
 * assert.deepEqual(uploads.map((upload) => upload.key), ["videos/a.mp4"]);
 * assert.deepEqual(commonPrefixes, ["videos/2024/"]);
 * ```
 */
export async function listMultipartUploads(
  client: Client,
  input: ListMultipartUploadsInput,
): Promise<ListMultipartUploadsResult> {
  checkBucket(input.bucket);
  checkLimit(input.limit);
  check(
    input.delimiter === undefined || input.delimiter.length == 1,
    "delimiter",
    "Delimiter must be a single character",
    input.delimiter,
  );
  const { body, requestId, headers } = await send<WireUploads>(client, {
    operation: "listMultipartUploads",
    method: "GET",
    bucket: input.bucket,
    query: [
      ["uploads"],
      ["prefix", input.prefix],
      ["delimiter", input.delimiter],
      ["key_marker", input.keyMarker],
      ["upload_id_marker", input.uploadIdMarker],
      ["limit", input.limit],
    ],
    expect: 200,
    signal: input.signal,
  });
  // Parsed leniently (see docs/protocol.md#lenient-list-multipart-uploads-answers): fields may
  // be missing, and common_prefixes may be a string.
  const prefixes = body.common_prefixes ?? [];
  const nextKeyMarker = body.next_key_marker ?? "";
  return {
    name: body.name,
    prefix: body.prefix,
    delimiter: body.delimiter,
    limit: body.limit,
    marker: body.marker,
    uploads: (body.uploads ?? []).map((upload) => ({
      key: upload.key,
      uploadId: upload.upload_id,
      created: new Date(upload.created),
    })),
    commonPrefixes: typeof prefixes == "string" ? [prefixes] : prefixes,
    hasMore: body.has_more ?? nextKeyMarker != "",
    nextKeyMarker,
    nextUploadIdMarker: body.next_upload_id_marker ?? "",
    requestId,
    date: headers.has("date") ? new Date(headers.get("date")!) : undefined,
  };
}

/**
 * Iterates over all of a bucket's uploads in progress, page after page.
 *
 * @param client The client.
 * @param input The bucket and optional prefix; `limit` sets the page size.
 * @returns The uploads, by key, then by creation time.
 * @throws {ValidationError} If the input is invalid.
 * @throws {QingStorError} If a page request fails.
 *
 * @example
 * ```ts
 * import {
 *   abortMultipartUpload,
 *   createClient,
 *   initiateMultipartUpload,
 *   iterateMultipartUploads,
 * } from "qingstor-multipart";
 * import { createEmulator } from "qingstor-multipart/testing";
 * import assert from "node:assert/strict";
 *
 * // The emulator stands in for QingStor; for the service, give `zone` and your keys instead.
 * const credentials = { accessKeyId: "AKID", secretAccessKey: "secret" };
 * const emulator = createEmulator({ credentials: [credentials] });
 * const client = createClient({ endpoint: "http://localhost", credentials, fetch: emulator.fetch });
 *
 * await initiateMultipartUpload(client, { bucket: "mybucket", key: "forgotten.bin" });
 * // Abort every upload left in progress: list them all first, so that no page shifts under
 * // the listing while uploads go away.
 * const forgotten = [];
 * for await (const upload of iterateMultipartUploads(client, { bucket: "mybucket" })) {
 *   forgotten.push(upload);
 * }
 * for (const upload of forgotten) {
 *   await abortMultipartUpload(client, { bucket: "mybucket", ...upload });
 * }
 * assert.equal(emulator.state.uploads.size, 0);
 * ```
 */
export async function* iterateMultipartUploads(
  client: Client,
  input: ListMultipartUploadsInput,
): AsyncGenerator<ListedUpload, void, undefined> {
  let { keyMarker, uploadIdMarker } = input;
  for (;;) {
    const page = await listMultipartUploads(client, { ...input, keyMarker, uploadIdMarker });
    yield* page.uploads;
    if (!page.hasMore || !page.nextKeyMarker) return;
    keyMarker = page.nextKeyMarker;
    uploadIdMarker = page.nextUploadIdMarker;
  }
}
