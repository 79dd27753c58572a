/**
 * The emulator's operations, each with the service's rules (spec §6, §8, §9).
 *
 * @module
 */
import { decodeBase64, encodeBase64, encodeHex as hex } from "../encoding.ts";
import { Md5, md5 } from "../md5.ts";
import {
  MAX_METADATA_NAME,
  MAX_METADATA_SIZE,
  MAX_PART_NUMBER,
  MAX_PARTS,
  MIN_PART_SIZE,
  STORAGE_CLASSES,
} from "../validate.ts";
import {
  DroppedConnection,
  type EmulatorOperation,
  type EmulatorPart,
  type EmulatorUpload,
  errorResponse,
  type RouteContext,
} from "./model.ts";

/** One operation: how it is recognised and how it is answered. */
export interface EmulatorRoute {
  name: EmulatorOperation;
  /** Whether it needs write permission (for anonymous access to public buckets). */
  write: boolean;
  matches(
    method: string,
    key: string | undefined,
    query: Map<string, string>,
    headers: Headers,
  ): boolean;
  handle(context: RouteContext): Response | Promise<Response>;
}

const fail = (context: RouteContext, status: number, code: string, message: string) =>
  errorResponse(status, code, message, context.requestId);
const ok = (
  context: RouteContext,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
) =>
  body === undefined
    ? new Response(null, { status, headers: { "x-qs-request-id": context.requestId, ...headers } })
    : Response.json(body, {
      status,
      headers: { "x-qs-request-id": context.requestId, ...headers },
    });

function findUpload(context: RouteContext): EmulatorUpload | undefined {
  const upload = context.emulator.state.uploads.get(context.query.get("upload_id") ?? "");
  return upload?.bucket == context.bucket && upload.key == context.key ? upload : undefined;
}

const noUpload = (context: RouteContext) =>
  fail(context, 404, "upload_not_exists", "The multipart upload does not exist.");

/** Checks SSE-C headers; returns the key MD5, an error response, or undefined when absent. */
function readEncryption(context: RouteContext, prefix: string): string | Response | undefined {
  const headers = context.request.headers;
  const algorithm = headers.get(prefix + "algorithm");
  const key = headers.get(prefix + "key");
  const keyMd5 = headers.get(prefix + "key-md5");
  if (!algorithm && !key && !keyMd5) return;
  let raw: Uint8Array | undefined;
  try {
    raw = decodeBase64(key ?? "");
  } catch { /* reported below */ }
  if (algorithm != "AES256" || raw?.length != 32 || encodeBase64(md5(raw)) != keyMd5) {
    return fail(
      context,
      400,
      "invalid_argument",
      "The encryption headers are not a valid AES256 key and MD5.",
    );
  }
  return keyMd5;
}

function readMetadata(context: RouteContext): Record<string, string> | Response {
  const metadata: Record<string, string> = {};
  let total = 0;
  for (const [name, value] of context.request.headers) {
    if (!name.startsWith("x-qs-meta-")) continue;
    const short = name.slice("x-qs-meta-".length);
    if (!/^[\w.-]+$/.test(short) || !/^[\x20-\x7e]*$/.test(value)) {
      return fail(context, 400, "invalid_argument", `Metadata ${name} has a bad name or value.`);
    }
    total += short.length + value.length;
    if (short.length > MAX_METADATA_NAME || total > MAX_METADATA_SIZE) {
      return fail(
        context,
        400,
        "metadata_too_large",
        "Metadata exceeds 2 KB, or a name exceeds 512 bytes.",
      );
    }
    metadata[short] = value;
  }
  return metadata;
}

let uploadCounter = 0;

/** In digest storage: the MD5 of an upload's parts received in order so far. */
interface Chain {
  next: number;
  md5: Md5;
  pending: Map<number, Uint8Array>;
  broken: boolean;
}
const chains = new WeakMap<EmulatorUpload, Chain>();

/**
 * In digest storage, feeds parts to the object's MD5 in part-number order,
 * holding parts that arrive early until the gap before them is filled.
 */
function chainPart(chain: Chain, partNumber?: number, data?: Uint8Array): void {
  if (partNumber !== undefined && data) {
    if (partNumber < chain.next || chain.pending.has(partNumber)) chain.broken = true;
    chain.pending.set(partNumber, data);
  }
  for (let part; (part = chain.pending.get(chain.next));) {
    chain.md5.update(part);
    chain.pending.delete(chain.next++);
  }
}

const initiate: EmulatorRoute = {
  name: "initiateMultipartUpload",
  write: true,
  matches: (method, key, query) => method == "POST" && !!key && query.has("uploads"),
  handle(context) {
    const headers = context.request.headers;
    const storageClass = headers.get("x-qs-storage-class") ?? "STANDARD";
    if (!STORAGE_CLASSES.includes(storageClass)) {
      return fail(context, 400, "invalid_request", `Storage class ${storageClass} is not valid.`);
    }
    const metadata = readMetadata(context);
    if (metadata instanceof Response) return metadata;
    const encryptionKeyMd5 = readEncryption(context, "x-qs-encryption-customer-");
    if (encryptionKeyMd5 instanceof Response) return encryptionKeyMd5;
    // A counter first, then randomness: IDs sort by creation, as listing pages need.
    const uploadId = (++uploadCounter).toString(16).padStart(8, "0") +
      crypto.randomUUID().replaceAll("-", "").slice(0, 24);
    const upload: EmulatorUpload = {
      bucket: context.bucket,
      key: context.key!,
      uploadId,
      created: new Date(context.emulator.now()),
      contentType: headers.get("content-type") ?? undefined,
      storageClass,
      metadata,
      encryptionKeyMd5,
      parts: new Map(),
    };
    context.emulator.state.uploads.set(uploadId, upload);
    if (context.emulator.options.storage == "digest") {
      chains.set(upload, { next: 0, md5: new Md5(), pending: new Map(), broken: false });
    }
    return ok(context, 200, { bucket: context.bucket, key: context.key, upload_id: uploadId });
  },
};

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
  return ok(context, 201, undefined, { etag: `"${part.etag}"` });
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

const uploadPart: EmulatorRoute = {
  name: "uploadPart",
  write: true,
  matches: (method, key, query, headers) =>
    method == "PUT" && !!key && query.has("upload_id") && !headers.has("x-qs-copy-source"),
  async handle(context) {
    const target = partTarget(context);
    if (target instanceof Response) return target;
    const { partNumber, upload } = target;
    let data: Uint8Array;
    try {
      data = await context.body();
    } catch (error) {
      if (error instanceof DroppedConnection) throw error;
      return fail(
        context,
        400,
        "incomplete_body",
        "The body ended before Content-Length bytes arrived.",
      );
    }
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

const uploadPartCopy: EmulatorRoute = {
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

const listParts: EmulatorRoute = {
  name: "listParts",
  write: false,
  matches: (method, key, query) => method == "GET" && !!key && query.has("upload_id"),
  handle(context) {
    const upload = findUpload(context);
    if (!upload) return noUpload(context);
    const marker = Number(context.query.get("part_number_marker") ?? -1);
    const limit = Math.min(Number(context.query.get("limit") ?? 1000) || 1000, 1000);
    const parts = [...upload.parts.values()]
      .sort((a, b) => a.partNumber - b.partNumber)
      .filter((part) => part.partNumber > marker)
      .slice(0, limit);
    return ok(context, 200, {
      count: parts.length,
      object_parts: parts.map((part) => ({
        part_number: part.partNumber,
        size: part.size,
        created: part.created.toISOString(),
        etag: part.etag,
      })),
    });
  },
};

const complete: EmulatorRoute = {
  name: "completeMultipartUpload",
  write: true,
  matches: (method, key, query) => method == "POST" && !!key && query.has("upload_id"),
  async handle(context) {
    const upload = findUpload(context);
    if (!upload) return noUpload(context);
    let text: string;
    try {
      text = new TextDecoder().decode(await context.body());
    } catch (error) {
      if (error instanceof DroppedConnection) throw error;
      return fail(
        context,
        400,
        "incomplete_body",
        "The body ended before Content-Length bytes arrived.",
      );
    }
    let listed: { part_number?: unknown; etag?: unknown }[];
    try {
      listed = JSON.parse(text).object_parts;
    } catch {
      return fail(context, 400, "invalid_json", "The request body is not valid JSON.");
    }
    if (!Array.isArray(listed) || !listed.length) {
      return fail(context, 400, "invalid_request", "object_parts must be a non-empty array.");
    }
    if (listed.length > MAX_PARTS) {
      return fail(context, 400, "max_parts_exceeded", `An object has at most ${MAX_PARTS} parts.`);
    }
    const parts: EmulatorPart[] = [];
    for (const [index, entry] of listed.entries()) {
      const part = upload.parts.get(entry?.part_number as number);
      if (!part) {
        return fail(
          context,
          400,
          "invalid_request",
          `Part ${entry?.part_number} was not uploaded.`,
        );
      }
      if (index && part.partNumber <= parts[index - 1].partNumber) {
        return fail(context, 400, "invalid_request", "object_parts must ascend by part_number.");
      }
      if (entry.etag !== undefined && String(entry.etag).replaceAll('"', "") != part.etag) {
        return fail(
          context,
          400,
          "invalid_request",
          `The etag of part ${part.partNumber} does not match.`,
        );
      }
      if (
        index < listed.length - 1 &&
        part.size < (context.emulator.options.minPartSize ?? MIN_PART_SIZE)
      ) {
        return fail(
          context,
          400,
          "entity_too_small",
          `Part ${part.partNumber} is smaller than the minimum part size.`,
        );
      }
      parts.push(part);
    }
    const size = parts.reduce((sum, part) => sum + part.size, 0);
    let data: Uint8Array | undefined;
    let digest: string | undefined;
    const chain = chains.get(upload);
    if (chain) {
      // Numbering may start at 1 instead of 0.
      if (chain.next == 0 && parts[0].partNumber == 1) {
        chain.next = 1;
        chainPart(chain);
      }
      // The in-order digest covers exactly the listed parts only when they are the ones it hashed.
      const first = parts[0].partNumber;
      const contiguous = parts.every((part, index) => part.partNumber == first + index);
      if (
        !chain.broken && contiguous && chain.pending.size == 0 && chain.next == first + parts.length
      ) {
        digest = hex(chain.md5.digest());
      }
    } else {
      data = new Uint8Array(size);
      let offset = 0;
      for (const part of parts) {
        data.set(part.data!, offset);
        offset += part.size;
      }
      digest = hex(md5(data));
    }
    context.emulator.state.uploads.delete(upload.uploadId);
    context.emulator.state.objects.set(`${upload.bucket}/${upload.key}`, {
      bucket: upload.bucket,
      key: upload.key,
      size,
      md5: digest,
      etag: context.request.headers.get("etag") ?? undefined,
      contentType: upload.contentType,
      storageClass: upload.storageClass,
      metadata: upload.metadata,
      data,
    });
    return ok(context, 201);
  },
};

const abort: EmulatorRoute = {
  name: "abortMultipartUpload",
  write: true,
  matches: (method, key, query) => method == "DELETE" && !!key && query.has("upload_id"),
  handle(context) {
    const upload = findUpload(context);
    if (upload) context.emulator.state.uploads.delete(upload.uploadId);
    return ok(context, 204);
  },
};

const listUploads: EmulatorRoute = {
  name: "listMultipartUploads",
  write: false,
  matches: (method, key, query) => method == "GET" && !key && query.has("uploads"),
  handle(context) {
    const q = context.query;
    const prefix = q.get("prefix") ?? "";
    const delimiter = q.get("delimiter") ?? "";
    const keyMarker = q.get("key_marker") ?? "";
    const idMarker = q.get("upload_id_marker") ?? "";
    const limit = Math.min(Number(q.get("limit") ?? 200) || 200, 1000);
    const all = [...context.emulator.state.uploads.values()]
      .filter((upload) => upload.bucket == context.bucket && upload.key.startsWith(prefix))
      // By key, then by creation, which upload IDs sort by.
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.uploadId < b.uploadId ? -1 : 1));
    // Entries are uploads, or common prefixes standing for all uploads under them.
    type Entry = { marker: string; uploadId: string; prefix?: string; upload?: EmulatorUpload };
    const entries: Entry[] = [];
    for (const upload of all) {
      const cut = delimiter ? upload.key.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) {
        const common = upload.key.slice(0, cut + delimiter.length);
        if (entries.at(-1)?.prefix != common) {
          entries.push({ marker: common, uploadId: "", prefix: common });
        }
      } else entries.push({ marker: upload.key, uploadId: upload.uploadId, upload });
    }
    let start = 0;
    if (keyMarker) {
      // After (key marker, upload ID marker) in listing order, even if that upload is gone since.
      start = entries.findIndex((entry) =>
        entry.marker > keyMarker ||
        (entry.marker == keyMarker && !entry.prefix && !!idMarker && entry.uploadId > idMarker)
      );
      if (start < 0) start = entries.length;
    }
    const page = entries.slice(start, start + limit);
    const hasMore = start + limit < entries.length;
    return ok(context, 200, {
      name: context.bucket,
      prefix,
      delimiter,
      limit,
      marker: keyMarker,
      next_key_marker: hasMore ? page.at(-1)!.marker : "",
      next_upload_id_marker: hasMore ? page.at(-1)!.uploadId : "",
      has_more: hasMore,
      uploads: page.filter((entry) => entry.upload).map(({ upload }) => ({
        key: upload!.key,
        upload_id: upload!.uploadId,
        created: upload!.created.toISOString(),
      })),
      common_prefixes: page.filter((entry) => entry.prefix).map((entry) => entry.prefix),
    });
  },
};

const getObject: EmulatorRoute = {
  name: "getObject",
  write: false,
  matches: (method, key, query) =>
    (method == "GET" || method == "HEAD") && !!key && !query.has("upload_id"),
  handle(context) {
    const object = context.emulator.state.objects.get(`${context.bucket}/${context.key}`);
    if (!object) return fail(context, 404, "object_not_exists", "The object does not exist.");
    const headers: Record<string, string> = {
      "x-qs-request-id": context.requestId,
      "content-length": String(object.size),
      "content-type": object.contentType ?? "application/octet-stream",
      "x-qs-storage-class": object.storageClass,
    };
    if (object.etag) headers.etag = object.etag;
    for (const [name, value] of Object.entries(object.metadata)) {
      headers["x-qs-meta-" + name] = value;
    }
    const body = context.request.method == "HEAD" ? null : object.data ?? new Uint8Array(0);
    return new Response(body as BodyInit | null, { status: 200, headers });
  },
};

/** Every operation, in the order requests are matched against them. */
export const OPERATIONS: EmulatorRoute[] = [
  initiate,
  uploadPartCopy,
  uploadPart,
  listParts,
  complete,
  abort,
  listUploads,
  getObject,
];
