/**
 * The QingStor emulator: it routes each request to an operation, after
 * authenticating it (`authenticate.ts`) and letting injected faults
 * (`faults.ts`) have their way. The operations are in `operations/`.
 *
 * @module
 */
import { untilAborted } from "../until_aborted.ts";
import { authenticate } from "./authenticate.ts";
import { OPERATIONS } from "./operations/mod.ts";
import { faultPicker, STATUS_CODES } from "./faults.ts";
import { readChunks } from "./read_body.ts";
import {
  DroppedConnection,
  type Emulator,
  type EmulatorInternals,
  type EmulatorOptions,
  type EmulatorRequestRecord,
  errorResponse,
} from "./model.ts";

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
 * import { createEmulator } from "qingstor-multipart/testing";
 * import { createClient, initiateMultipartUpload } from "qingstor-multipart";
 *
 * const credentials = { accessKeyId: "AKID", secretAccessKey: "secret" };
 * const emulator = createEmulator({ credentials: [credentials] });
 * const client = createClient({ endpoint: "http://localhost", credentials, fetch: emulator.fetch });
 * const { uploadId } = await initiateMultipartUpload(client, { bucket: "mybucket", key: "a.bin" });
 * emulator.state.uploads.has(uploadId); // true
 * ```
 */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const hosts = ["localhost", ...(options.hosts ?? [])];
  const internals: EmulatorInternals = { uploadsInitiated: 0 };
  const emulator: Emulator = {
    state: { uploads: new Map(), objects: new Map(), requests: [], errors: [] },
    faults: options.faults ?? [],
    options,
    now: () => Date.now() + (options.clockOffset ?? 0),
    // Like fetch, an aborted request rejects at once; the handler goes on, as a server would.
    fetch: (request) => untilAborted(serve(request), request.signal),
  };

  async function serve(request: Request): Promise<Response> {
    const requestId = crypto.randomUUID().replaceAll("-", "");
    const url = new URL(request.url);
    const record: EmulatorRequestRecord = {
      method: request.method,
      target: url.pathname + url.search,
      headers: Object.fromEntries(request.headers),
      auth: "anonymous",
      status: 0,
      responseHeaders: {},
      requestId,
    };
    const log = emulator.state.requests;
    log.push(record);
    // Only the most recent are kept, so that a long-running emulator stays flat.
    const limit = options.requestLogLimit ?? 1000;
    if (log.length > limit) log.splice(0, log.length - limit);
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
    // Every answer carries its request ID, the preflight's too, as the service's do.
    headers.set("x-qs-request-id", requestId);
    const origin = request.headers.get("origin");
    if (origin) {
      headers.set("access-control-allow-origin", origin);
      headers.set(
        "access-control-expose-headers",
        "ETag, x-qs-request-id, Date, X-QS-Content-Copy-Range, X-QS-Encryption-Customer-Algorithm, Content-Range, Last-Modified",
      );
    }
    record.responseHeaders = Object.fromEntries(headers);
    // An answer to HEAD has headers only, errors included.
    const body = request.method == "HEAD" ? null : response.body;
    return new Response(body, { status: response.status, headers });
  }

  const pickFault = faultPicker(emulator);

  async function answer(
    request: Request,
    url: URL,
    record: EmulatorRequestRecord,
    requestId: string,
  ): Promise<Response> {
    const fail = (status: number, code: string, message: string) =>
      errorResponse(status, code, message, requestId);
    if (request.method == "OPTIONS") return preflight(request);

    const query = new Map(new URLSearchParams(url.search));
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
      return fail(
        405,
        "method_not_allowed",
        `The emulator does not implement ${request.method} on this resource.`,
      );
    }
    record.operation = operation.name;

    // Authenticate before anything else, as the service does.
    const denied = await authenticate(emulator, {
      request,
      url,
      query,
      bucket,
      virtualHostBucket,
      operation: operation.name,
      write: operation.write,
    }, record);
    if (denied) return fail(...denied);
    if (options.buckets && !options.buckets.includes(bucket)) {
      return fail(404, "bucket_not_exists", `The bucket ${bucket} does not exist.`);
    }

    // Upload IDs are random: the part of the target that replays is the object and part number.
    const fault = pickFault(
      operation.name,
      `${operation.name} ${bucket}/${key ?? ""} ${query.get("part_number") ?? ""}`,
    );
    if (fault?.delay) await pause(fault.delay, request.signal);
    // A request with no body to drop a connection in the middle of is dropped before it.
    const hasBody = request.body !== null && request.headers.get("content-length") !== "0";
    if (fault?.drop == "before-body" || (fault?.drop == "mid-body" && !hasBody)) {
      throw new DroppedConnection("Injected fault: connection dropped");
    }
    if (fault?.status) {
      return fail(fault.status, STATUS_CODES[fault.status] ?? "internal_error", "Injected fault.");
    }
    const reading = {
      timeout: options.bodyTimeout ?? 20_000,
      // Read about half of what was announced, then hang up on the sender.
      // In-process requests carry no Content-Length: then a first chunk stands for half.
      dropAfter: fault?.drop == "mid-body"
        ? Number(request.headers.get("content-length") ?? 1) / 2
        : undefined,
      signal: request.signal,
    };
    const stream = (onChunk: (chunk: Uint8Array) => void) => readChunks(request, onChunk, reading);
    const body = async () => {
      const chunks: Uint8Array[] = [];
      const length = await stream((chunk) => chunks.push(chunk));
      if (chunks.length == 1) return chunks[0];
      const whole = new Uint8Array(length);
      chunks.reduce((offset, chunk) => (whole.set(chunk, offset), offset + chunk.length), 0);
      return whole;
    };
    const response = await operation.handle({
      emulator,
      internals,
      request,
      bucket,
      key,
      query,
      requestId,
      body,
      stream,
    });
    if (fault?.delayAnswer) await pause(fault.delayAnswer, request.signal);
    if (fault?.drop == "after-handling") {
      throw new DroppedConnection(
        "Injected fault: connection dropped after the request took effect",
      );
    }
    return response;
  }

  return emulator;
}

/** Waits, or stops waiting when the request is aborted: no timer outlives its request. */
function pause(ms: number, signal: AbortSignal | null): Promise<void> {
  return new Promise((resolve) => {
    // Aborted already (while it was authenticated, say): its abort event has come and gone.
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Answers a CORS preflight with 200, as the service's OPTIONS Object does. */
function preflight(request: Request): Response {
  return new Response(null, {
    status: 200,
    headers: {
      "access-control-allow-methods": "GET, PUT, POST, DELETE, HEAD",
      "access-control-allow-headers": request.headers.get("access-control-request-headers") ?? "*",
      "access-control-max-age": "600",
    },
  });
}
