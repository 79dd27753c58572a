/**
 * Upload Part and Upload Part Copy (see docs/protocol.md#upload-part and
 * docs/protocol.md#upload-part-copy), as the service answers them.
 *
 * @module
 */
import { encodeBase64, encodeHex as hex } from "../../encoding.ts";
import { md5 } from "../../md5.ts";
import { MAX_PART_NUMBER } from "../../validate.ts";
import type { EmulatorPart, EmulatorUpload, RouteContext } from "../model.ts";
import {
  type EmulatorRoute,
  fail,
  findUpload,
  noUpload,
  ok,
  readBody,
  readEncryption,
} from "./route.ts";
import { chainPart, chains } from "./digest_chain.ts";

function partNumberOf(context: RouteContext): number | Response {
  const text = context.query.get("part_number") ?? "";
  const partNumber = Number(text);
  if (!/^\d+$/.test(text) || partNumber > MAX_PART_NUMBER) {
    return fail(
      context,
      400,
      "invalid_argument",
      `Part number ${text} is not between 0 and ${MAX_PART_NUMBER}.`,
    );
  }
  return partNumber;
}

function storePart(
  context: RouteContext,
  upload: EmulatorUpload,
  partNumber: number,
  data: Uint8Array,
  digest = md5(data),
) {
  const part: EmulatorPart = {
    partNumber,
    size: data.length,
    etag: hex(digest),
    created: new Date(context.emulator.now()),
    data: chains.has(upload) ? undefined : data,
  };
  upload.parts.set(partNumber, part);
  const chain = chains.get(upload);
  if (chain) chainPart(chain, partNumber, data);
  return ok(201, undefined, { etag: `"${part.etag}"` });
}

function checkPartEncryption(context: RouteContext, upload: EmulatorUpload): Response | undefined {
  const keyMd5 = readEncryption(context, "x-qs-encryption-customer-");
  if (keyMd5 instanceof Response) return keyMd5;
  if (keyMd5 != upload.encryptionKeyMd5) {
    return fail(
      context,
      400,
      "invalid_argument",
      "The encryption key differs from the one given at initiate.",
    );
  }
  return undefined;
}

/** What every part request is checked for first: its number, its upload, the upload's key. */
function partTarget(
  context: RouteContext,
): { partNumber: number; upload: EmulatorUpload } | Response {
  const partNumber = partNumberOf(context);
  if (partNumber instanceof Response) return partNumber;
  const upload = findUpload(context);
  if (!upload) return noUpload(context);
  return checkPartEncryption(context, upload) ?? { partNumber, upload };
}

/** Stores a part sent in the body, checking its length and Content-MD5. */
export const uploadPart: EmulatorRoute = {
  name: "uploadPart",
  write: true,
  matches: (method, key, query, headers) =>
    method == "PUT" && !!key && query.has("upload_id") && !headers.has("x-qs-copy-source"),
  async handle(context) {
    const target = partTarget(context);
    if (target instanceof Response) return target;
    const { partNumber, upload } = target;
    const data = await readBody(context);
    if (data instanceof Response) return data;
    const declared = context.request.headers.get("content-length");
    if (declared === null && context.request.headers.has("transfer-encoding")) {
      return fail(context, 400, "invalid_request", "Upload Part needs a Content-Length.");
    }
    if (declared !== null && Number(declared) != data.length) {
      return fail(context, 400, "incomplete_body", "The body is shorter than Content-Length.");
    }
    // The service's own limit, 5 GiB; the client stops at 5 GB, valid under either reading.
    if (data.length > 5 * 1024 ** 3) {
      return fail(context, 400, "entity_too_large", "A part may not exceed 5 GB.");
    }
    // Hashed once, for both the Content-MD5 check and the ETag: benchmarks run through here.
    const digest = md5(data);
    const contentMd5 = context.request.headers.get("content-md5");
    if (contentMd5 !== null && contentMd5 != encodeBase64(digest)) {
      return fail(context, 400, "bad_digest", "The Content-MD5 does not match the body.");
    }
    return storePart(context, upload, partNumber, data, digest);
  },
};

/** Stores a part copied from a range of an existing object. */
export const uploadPartCopy: EmulatorRoute = {
  name: "uploadPartCopy",
  write: true,
  matches: (method, key, query, headers) =>
    method == "PUT" && !!key && query.has("upload_id") && headers.has("x-qs-copy-source"),
  handle(context) {
    const target = partTarget(context);
    if (target instanceof Response) return target;
    const { partNumber, upload } = target;
    let source: string;
    try {
      source = decodeURIComponent(context.request.headers.get("x-qs-copy-source")!).slice(1);
    } catch {
      return fail(
        context,
        400,
        "invalid_argument",
        "X-QS-Copy-Source is not valid percent-encoding.",
      );
    }
    const object = context.emulator.state.objects.get(source);
    if (!object) {
      return fail(context, 404, "object_not_exists", `The source object ${source} does not exist.`);
    }
    if (!object.data) {
      return fail(context, 400, "invalid_request", "Digest storage keeps no data to copy.");
    }
    const range = context.request.headers.get("x-qs-copy-range");
    let first = 0;
    let last = object.size - 1;
    if (range !== null) {
      const match = /^bytes=(\d+)-(\d+)$/.exec(range);
      if (!match || Number(match[1]) > Number(match[2]) || Number(match[1]) >= object.size) {
        return fail(context, 416, "invalid_range", `The copy range ${range} is not satisfiable.`);
      }
      first = Number(match[1]);
      last = Math.min(Number(match[2]), object.size - 1);
    }
    const response = storePart(context, upload, partNumber, object.data.slice(first, last + 1));
    if (range !== null) {
      response.headers.set("x-qs-content-copy-range", `bytes ${first}-${last}/${object.size}`);
    }
    return response;
  },
};
