/**
 * The core of the QingStor emulator: state, routing, authentication,
 * injected faults and error responses. The operations themselves are in
 * `emulator_operations.ts`.
 *
 * @module
 */
import type { Credentials } from "../client.ts";
import { canonicalizedResource } from "../sign/canonicalized_resource.ts";
import { parseQuery } from "../sign/parse_query.ts";
import { signature } from "../sign/signature.ts";
import { stringToSign } from "../sign/string_to_sign.ts";
import { OPERATIONS } from "./emulator_operations.ts";

/** The operations the emulator understands, by the client's names. */
export type EmulatorOperation =
  | "initiateMultipartUpload"
  | "uploadPart"
  | "uploadPartCopy"
  | "listParts"
  | "completeMultipartUpload"
  | "abortMultipartUpload"
  | "listMultipartUploads"
  | "getObject";

/** A fault to inject into matching requests. */
export interface FaultRule {
  /** The operations it applies to; all when absent. */
  operations?: EmulatorOperation[];
  /** The chance, from 0 to 1, that a matching request is hit (from the seeded source). Default 1. */
  probability?: number;
  /** How many requests it may hit at most; unlimited when absent. */
  times?: number;
  /** Wait this many milliseconds before answering (or before dropping). */
  delay?: number;
  /** Answer with this status and a fitting error code instead of handling the request. */
  status?: number;
  /**
   * Drop the connection without an answer: before reading the body, part way
   * through it, or after the request took effect (so the client cannot know it did).
   */
  drop?: "before-body" | "mid-body" | "after-handling";
}

/** Options of {@linkcode createEmulator}. */
export interface EmulatorOptions {
  /** Key pairs the emulator accepts; none means every request must be anonymous. */
  credentials?: Credentials[];
  /** Buckets that anonymous users may read and write. */
  publicBuckets?: string[];
  /** Buckets that exist; when absent, every valid bucket name exists. */
  buckets?: string[];
  /** Milliseconds the emulator's clock runs ahead of the local clock (negative: behind). */
  clockOffset?: number;
  /** The smallest part, except the last, that complete accepts. Default 4 MiB, as the service. */
  minPartSize?: number;
  /** `"bytes"` (default) keeps object data; `"digest"` keeps only sizes and MD5s, for huge tests. */
  storage?: "bytes" | "digest";
  /** Faults to inject; the list stays live on `emulator.faults`. */
  faults?: FaultRule[];
  /** Seed of the random source that decides probabilistic faults, so failures replay. */
  seed?: number;
  /** Host names under which `<bucket>.<host>` is virtual-host style; `localhost` and `<zone>.qingstor.com` always are. */
  hosts?: string[];
}

/** A part held by the emulator. */
export interface EmulatorPart {
  /** The part number. */
  partNumber: number;
  /** Size in bytes. */
  size: number;
  /** MD5 of the part, hex. */
  etag: string;
  /** When it arrived. */
  created: Date;
  /** The bytes, in `"bytes"` storage. */
  data?: Uint8Array;
}

/** An upload in progress. */
export interface EmulatorUpload {
  /** The bucket. */
  bucket: string;
  /** The key. */
  key: string;
  /** The upload ID. */
  uploadId: string;
  /** When it was initiated. */
  created: Date;
  /** Headers given at initiate that describe the object. */
  contentType?: string;
  /** The storage class. */
  storageClass: string;
  /** User metadata, names lower-cased. */
  metadata: Record<string, string>;
  /** The SSE-C key MD5 every part must repeat. */
  encryptionKeyMd5?: string;
  /** Parts received, by number. */
  parts: Map<number, EmulatorPart>;
}

/** An object made by a completed upload. */
export interface EmulatorObject {
  /** The bucket. */
  bucket: string;
  /** The key. */
  key: string;
  /** Size in bytes. */
  size: number;
  /** MD5 of the whole object, hex; absent when `"digest"` storage could not follow the parts. */
  md5?: string;
  /** The ETag given at complete. */
  etag?: string;
  /** The Content-Type given at initiate. */
  contentType?: string;
  /** The storage class. */
  storageClass: string;
  /** User metadata. */
  metadata: Record<string, string>;
  /** The bytes, in `"bytes"` storage. */
  data?: Uint8Array;
}

/** One request the emulator answered, for tests to inspect. */
export interface EmulatorRequestRecord {
  /** The operation, when the request was routed. */
  operation?: EmulatorOperation;
  /** The method. */
  method: string;
  /** The path and query exactly as received. */
  target: string;
  /** The request headers (the Authorization value included: these are test credentials). */
  headers: Record<string, string>;
  /** How the request was authenticated. */
  auth: "header" | "query" | "anonymous";
  /** The status answered, or 0 for a dropped connection. */
  status: number;
  /** The request ID answered. */
  requestId: string;
}

/** The emulator's state, open for tests to read. */
export interface EmulatorState {
  /** Uploads in progress, by upload ID. */
  uploads: Map<string, EmulatorUpload>;
  /** Objects, by `bucket/key`. */
  objects: Map<string, EmulatorObject>;
  /** Every request answered, oldest first. */
  requests: EmulatorRequestRecord[];
  /** Errors thrown while handling requests (answered as 500): emulator bugs, to be none. */
  errors: unknown[];
}

/** An in-process QingStor emulator. */
export interface Emulator {
  /** Answers one request; pass it as a client's `fetch`, or serve it over HTTP with `serveEmulator`. */
  fetch: (request: Request) => Promise<Response>;
  /** The state. */
  state: EmulatorState;
  /** The live list of fault rules. */
  faults: FaultRule[];
  /** The options in force. */
  options: Readonly<EmulatorOptions>;
  /** The emulator's current time in milliseconds (the local clock plus `clockOffset`). */
  now(): number;
}

/** A request thrown instead of answered: the HTTP server drops the connection. */
export class DroppedConnection extends Error {
  /** Always `"DroppedConnection"`. */
  override name = "DroppedConnection";
}

/** The context an operation handler works in. */
export interface RouteContext {
  emulator: Emulator;
  request: Request;
  bucket: string;
  key?: string;
  query: Map<string, string>;
  requestId: string;
  /** Reads the body, honouring a mid-body drop fault. */
  body(): Promise<Uint8Array>;
}

/** Answers with QingStor's error body. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  requestId: string,
): Response {
  return Response.json({ code, message, request_id: requestId }, {
    status,
    headers: { "x-qs-request-id": requestId },
  });
}

const STATUS_CODES: Record<number, string> = {
  400: "invalid_request",
  401: "signature_not_matched",
  403: "permission_denied",
  404: "upload_not_exists",
  429: "fetch_throttled",
  500: "internal_error",
  502: "internal_error",
  503: "service_unavailable",
  504: "internal_error",
};

const FIFTEEN_MINUTES = 15 * 60 * 1000;
const RFC_1123 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/;

/**
 * A number in [0, 1) that depends only on the seed and the text: a fault is
 * decided by what is asked for (operation, object, part, which attempt), not
 * by the order concurrent requests happen to arrive in, so a run replays.
 */
function seededRandom(seed: number, text: string): number {
  // FNV-1a over the text, then murmur3's finaliser.
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/**
 * Finds bucket and key. Path-style requests are routed by the raw path alone,
 * whatever the Host header says; virtual-host style is recognised by a
 * `<bucket>.` in front of a known service host.
 */
function route(
  url: URL,
  host: string,
  hosts: string[],
): { bucket?: string; rawKey?: string; virtualHostBucket?: string } {
  const hostname = host.replace(/:\d+$/, "").toLowerCase();
  const match = /^([^.]+)\.(.+)$/.exec(hostname);
  if (
    match && !/^\d+\.\d+\.\d+\.\d+$/.test(hostname) &&
    // `<zone>.qingstor.com` is a path-style host; `<bucket>.<zone>.qingstor.com` is virtual-host.
    (hosts.includes(match[2]) || /^[^.]+\.qingstor\.com$/.test(match[2]))
  ) {
    const rawKey = url.pathname.slice(1);
    return { bucket: match[1], rawKey: rawKey || undefined, virtualHostBucket: match[1] };
  }
  const [, bucket, ...rest] = url.pathname.split("/");
  const rawKey = rest.join("/");
  return { bucket: bucket || undefined, rawKey: rawKey || undefined };
}

/**
 * Creates an in-process emulator of QingStor's multipart API. It checks
 * header and query signatures, dates and permissions, and answers with the
 * service's statuses, error codes and JSON bodies.
 *
 * @param options Accepted credentials, public buckets, clock, limits and faults.
 * @returns The emulator; pass `emulator.fetch` to `createClient`, or serve it over HTTP.
 *
 * @example
 * ```ts
 * import { createEmulator } from "@qingstor-multipart/core/testing";
 * import { createClient, initiateMultipartUpload } from "@qingstor-multipart/core";
 *
 * const credentials = { accessKeyId: "AKID", secretAccessKey: "secret" };
 * const emulator = createEmulator({ credentials: [credentials] });
 * const client = createClient({ endpoint: "http://localhost", credentials, fetch: emulator.fetch });
 * const { uploadId } = await initiateMultipartUpload(client, { bucket: "mybucket", key: "a.bin" });
 * emulator.state.uploads.has(uploadId); // true
 * ```
 */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const seen = new Map<string, number>();
  const hosts = ["localhost", ...(options.hosts ?? [])];
  const fired = new Map<FaultRule, number>();
  const emulator: Emulator = {
    state: { uploads: new Map(), objects: new Map(), requests: [], errors: [] },
    faults: options.faults ?? [],
    options,
    now: () => Date.now() + (options.clockOffset ?? 0),
    fetch: async (request) => {
      const requestId = crypto.randomUUID().replaceAll("-", "");
      const url = new URL(request.url);
      const record: EmulatorRequestRecord = {
        method: request.method,
        target: url.pathname + url.search,
        headers: Object.fromEntries(request.headers),
        auth: "anonymous",
        status: 0,
        requestId,
      };
      emulator.state.requests.push(record);
      const response = await answer(request, url, record, requestId).catch((error) => {
        if (error instanceof DroppedConnection) throw error;
        // A bug in the emulator, not a fault of the service: kept for tests to check.
        emulator.state.errors.push(error);
        return errorResponse(500, "internal_error", String(error), requestId);
      });
      record.status = response.status;
      const headers = new Headers(response.headers);
      headers.set("date", new Date(emulator.now()).toUTCString());
      headers.set("server", "QingStor");
      const origin = request.headers.get("origin");
      if (origin) {
        headers.set("access-control-allow-origin", origin);
        headers.set(
          "access-control-expose-headers",
          "ETag, x-qs-request-id, Date, X-QS-Content-Copy-Range",
        );
      }
      return new Response(response.body, { status: response.status, headers });
    },
  };

  function pickFault(operation: EmulatorOperation, target: string): FaultRule | undefined {
    const attempt = (seen.get(target) ?? 0) + 1;
    seen.set(target, attempt);
    for (const [index, rule] of emulator.faults.entries()) {
      if (rule.operations && !rule.operations.includes(operation)) continue;
      if ((fired.get(rule) ?? 0) >= (rule.times ?? Infinity)) continue;
      const chance = seededRandom(options.seed ?? 1, `${index} ${target} ${attempt}`);
      if (chance >= (rule.probability ?? 1)) continue;
      fired.set(rule, (fired.get(rule) ?? 0) + 1);
      return rule;
    }
    return undefined;
  }

  async function answer(
    request: Request,
    url: URL,
    record: EmulatorRequestRecord,
    requestId: string,
  ): Promise<Response> {
    const fail = (status: number, code: string, message: string) =>
      errorResponse(status, code, message, requestId);
    if (request.method == "OPTIONS") return preflight(request);

    const query = new Map(parseQuery(url.search));
    const { bucket, rawKey, virtualHostBucket } = route(
      url,
      request.headers.get("host") ?? url.host,
      hosts,
    );
    let key: string | undefined;
    try {
      key = rawKey === undefined ? undefined : decodeURIComponent(rawKey);
    } catch {
      return fail(400, "invalid_object_name", "The object key is not valid percent-encoding.");
    }
    const operation = bucket
      ? OPERATIONS.find((op) => op.matches(request.method, key, query, request.headers))
      : undefined;
    if (!bucket || !operation) {
      return fail(405, "method_not_allowed", "The method is not allowed on this resource.");
    }
    record.operation = operation.name;

    // Authenticate before anything else, as the service does.
    const denied = await authenticate(
      request,
      url,
      query,
      virtualHostBucket,
      record,
      bucket,
      operation.name,
      operation.write,
    );
    if (denied) return fail(...denied);
    if (options.buckets && !options.buckets.includes(bucket)) {
      return fail(404, "bucket_not_exists", `The bucket ${bucket} does not exist.`);
    }

    // Upload IDs are random: the part of the target that replays is the object and part number.
    const fault = pickFault(
      operation.name,
      `${operation.name} ${bucket}/${key ?? ""} ${query.get("part_number") ?? ""}`,
    );
    if (fault?.delay) await new Promise((resolve) => setTimeout(resolve, fault.delay));
    if (fault?.drop == "before-body") {
      throw new DroppedConnection("Injected fault: connection dropped");
    }
    if (fault?.status) {
      return fail(fault.status, STATUS_CODES[fault.status] ?? "internal_error", "Injected fault.");
    }
    const body = async () => {
      if (fault?.drop != "mid-body") return new Uint8Array(await request.arrayBuffer());
      // Read about half of what was announced, then hang up on the sender.
      const half = Number(request.headers.get("content-length") ?? 0) / 2;
      const reader = request.body?.getReader();
      for (let seen = 0; reader && seen < half;) {
        const { done, value } = await reader.read();
        if (done) break;
        seen += value.length;
      }
      throw new DroppedConnection("Injected fault: connection dropped mid-body");
    };
    const response = await operation.handle({
      emulator,
      request,
      bucket,
      key,
      query,
      requestId,
      body,
    });
    if (fault?.drop == "after-handling") {
      throw new DroppedConnection(
        "Injected fault: connection dropped after the request took effect",
      );
    }
    return response;
  }

  async function authenticate(
    request: Request,
    url: URL,
    query: Map<string, string>,
    virtualHostBucket: string | undefined,
    record: EmulatorRequestRecord,
    bucket: string,
    operation: EmulatorOperation,
    write: boolean,
  ): Promise<[number, string, string] | undefined> {
    const authorization = request.headers.get("authorization");
    const queryKeyId = query.get("access_key_id");
    if (!authorization && queryKeyId === undefined) {
      // Listing a bucket's uploads anonymously would need a bucket policy (spec §13.20).
      if (options.publicBuckets?.includes(bucket) && operation != "listMultipartUploads") {
        return undefined;
      }
      return [
        403,
        "permission_denied",
        `Anonymous users may not ${write ? "write to" : "read"} bucket ${bucket}.`,
      ];
    }
    record.auth = authorization ? "header" : "query";
    const [, keyId, given] = authorization
      ? /^QS ([^:]+):(.+)$/.exec(authorization) ?? []
      : [, queryKeyId, query.get("signature")];
    const secret = options.credentials?.find((pair) => pair.accessKeyId == keyId)?.secretAccessKey;
    if (!keyId || !secret) return [401, "invalid_access_key_id", "The access key ID is not known."];
    const now = emulator.now();
    let expires: number | undefined;
    if (authorization) {
      const text = request.headers.get("x-qs-date") || request.headers.get("date");
      if (!text) {
        return [401, "signature_not_matched", "The request has neither Date nor X-QS-Date."];
      }
      if (!RFC_1123.test(text)) {
        return [400, "invalid_argument", `The date ${text} is not in the RFC 1123 GMT form.`];
      }
      const date = Date.parse(text);
      if (Math.abs(date - now) > FIFTEEN_MINUTES) {
        return [
          403,
          "request_expired",
          "The request date is more than 15 minutes from the server's time.",
        ];
      }
    } else {
      expires = Number(query.get("expires"));
      if (!Number.isInteger(expires)) {
        return [400, "invalid_argument", "The expires parameter must be whole seconds."];
      }
      if (expires * 1000 < now) return [403, "request_expired", "The presigned URL has expired."];
    }
    const expected = await signature(
      secret,
      stringToSign(
        { method: request.method, url, headers: request.headers, virtualHostBucket },
        expires,
      ),
    );
    if (expected != given) {
      return [
        401,
        "signature_not_matched",
        `The signature does not match; the canonical resource is ${
          canonicalizedResource(url, virtualHostBucket)
        }.`,
      ];
    }
    return undefined;
  }

  return emulator;
}

function preflight(request: Request): Response {
  return new Response(null, {
    status: 204,
    headers: {
      "access-control-allow-methods": "GET, PUT, POST, DELETE, HEAD",
      "access-control-allow-headers": request.headers.get("access-control-request-headers") ?? "*",
      "access-control-max-age": "600",
    },
  });
}
