import type { Client } from "../client.ts";
import { unquoteEtag } from "../request/etag.ts";
import { send } from "../request/send.ts";
import { check, checkLimit, checkUpload } from "../validate.ts";
import type { UploadAddress } from "./upload_address.ts";

/** Input of {@linkcode listParts}. */
export interface ListPartsInput extends UploadAddress {
  /** Parts per page, 1 to 1000. */
  limit?: number;
  /** List only parts numbered after this one (paging). */
  partNumberMarker?: number;
}

/** A part the service holds. */
export interface ListedPart {
  /** The part number. */
  partNumber: number;
  /** Its size in bytes. */
  size: number;
  /** Its ETag (the part's MD5, hex), without quotes. */
  etag: string;
  /** When it was uploaded. */
  created: Date;
}

/** One page of {@linkcode listParts}. */
export interface ListPartsResult {
  /** The parts on this page, by ascending part number. */
  parts: ListedPart[];
  /**
   * The `count` the service reports (the docs do not say whether it counts
   * this page or all the parts); this page's length when it sends none.
   */
  count: number;
  /** The `x-qs-request-id` of the response. */
  requestId: string;
}

interface WireParts {
  count?: number;
  object_parts?: { part_number: number; size: number; etag: string; created: string }[];
}

/**
 * Lists one page of an upload's parts (see docs/protocol.md#list-parts). The
 * service reports no "more" flag: a full page (as many parts as `limit`) may
 * have a next page, asked for with `partNumberMarker` set to its last part number.
 * {@linkcode iterateParts} does that paging for you.
 *
 * @param client The client.
 * @param input The upload, and optionally the page.
 * @returns The page of parts.
 * @throws {ValidationError} If the address, limit or marker is invalid; nothing is sent.
 * @throws {QingStorError} If the service refuses (`upload_not_exists` for an unknown upload).
 *
 * @example
 * ```ts
 * import { createClient, initiateMultipartUpload, listParts, uploadPart } from "qingstor-multipart";
 * import { createEmulator } from "qingstor-multipart/testing";
 * import assert from "node:assert/strict";
 *
 * // The emulator stands in for QingStor; for the service, give `zone` and your keys instead.
 * const credentials = { accessKeyId: "AKID", secretAccessKey: "secret" };
 * const emulator = createEmulator({ credentials: [credentials] });
 * const client = createClient({ endpoint: "http://localhost", credentials, fetch: emulator.fetch });
 *
 * const target = { bucket: "mybucket", key: "big.bin" };
 * const { uploadId } = await initiateMultipartUpload(client, target);
 * await uploadPart(client, { ...target, uploadId, partNumber: 0, body: new Uint8Array(10) });
 * const { parts } = await listParts(client, { ...target, uploadId, limit: 100 });
 * assert.deepEqual(parts.map((part) => [part.partNumber, part.size]), [[0, 10]]);
 * ```
 */
export async function listParts(client: Client, input: ListPartsInput): Promise<ListPartsResult> {
  checkUpload(input);
  checkLimit(input.limit);
  const marker = input.partNumberMarker;
  check(
    marker === undefined || Number.isInteger(marker),
    "partNumberMarker",
    "Part number marker must be a whole number",
    marker,
  );
  const { body, requestId } = await send<WireParts>(client, {
    operation: "listParts",
    method: "GET",
    bucket: input.bucket,
    key: input.key,
    query: [["upload_id", input.uploadId], ["limit", input.limit], ["part_number_marker", marker]],
    expect: 200,
    signal: input.signal,
  });
  const parts = (body.object_parts ?? []).map((part) => ({
    partNumber: part.part_number,
    size: part.size,
    etag: unquoteEtag(String(part.etag ?? "")),
    created: new Date(part.created),
  }));
  return { parts, count: typeof body.count == "number" ? body.count : parts.length, requestId };
}

/**
 * Iterates over all of an upload's parts, fetching page after page.
 *
 * @param client The client.
 * @param input The upload; `limit` sets the page size (default 1000).
 * @returns The parts, by ascending part number.
 * @throws {ValidationError} If the address is invalid.
 * @throws {QingStorError} If a page request fails.
 *
 * @example
 * ```ts
 * import { createClient, initiateMultipartUpload, iterateParts, uploadPart } from "qingstor-multipart";
 * import { createEmulator } from "qingstor-multipart/testing";
 * import assert from "node:assert/strict";
 *
 * // The emulator stands in for QingStor; for the service, give `zone` and your keys instead.
 * const credentials = { accessKeyId: "AKID", secretAccessKey: "secret" };
 * const emulator = createEmulator({ credentials: [credentials] });
 * const client = createClient({ endpoint: "http://localhost", credentials, fetch: emulator.fetch });
 *
 * const target = { bucket: "mybucket", key: "big.bin" };
 * const { uploadId } = await initiateMultipartUpload(client, target);
 * for (const partNumber of [0, 1, 2]) {
 *   await uploadPart(client, { ...target, uploadId, partNumber, body: new Uint8Array(10) });
 * }
 * const numbers = [];
 * for await (const part of iterateParts(client, { ...target, uploadId, limit: 2 })) {
 *   numbers.push(part.partNumber);
 * }
 * assert.deepEqual(numbers, [0, 1, 2]);
 * ```
 */
export async function* iterateParts(
  client: Client,
  input: ListPartsInput,
): AsyncGenerator<ListedPart, void, undefined> {
  const limit = input.limit ?? 1000;
  let marker = input.partNumberMarker;
  for (;;) {
    const { parts } = await listParts(client, { ...input, limit, partNumberMarker: marker });
    yield* parts;
    if (parts.length < limit) return;
    marker = parts[parts.length - 1].partNumber;
  }
}
