/**
 * The QingStor emulator. Each request goes through small steps, each in its
 * own file: the request log (`request_log.ts`), CORS (`cors.ts`), addressing
 * (`address.ts`: bucket and key), matching an operation (`operations/`),
 * authentication (`authenticate.ts`), and injected faults (`faults.ts`),
 * applied before handling, during the body and after handling.
 *
 * @module
 */
import { untilAborted } from "../until_aborted.ts";
import { addressOf } from "./address.ts";
import { authenticate } from "./authenticate.ts";
import { allowOrigin, preflight } from "./cors.ts";
import { faultInjector } from "./faults.ts";
import {
  DroppedConnection,
  type Emulator,
  type EmulatorInternals,
  type EmulatorOptions,
  type EmulatorRequestRecord,
  errorResponse,
  type Refusal,
} from "./model.ts";
import { OPERATIONS } from "./operations/mod.ts";
import { bodyReaders } from "./read_body.ts";
import { logAnswer, logRequest } from "./request_log.ts";

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
  const faultsOf = faultInjector(emulator);

  async function serve(request: Request): Promise<Response> {
    const requestId = crypto.randomUUID().replaceAll("-", "");
    const url = new URL(request.url);
    const record = logRequest(emulator, request, url, requestId);
    const response = await answer(request, url, record, requestId).catch((error) => {
      if (error instanceof DroppedConnection) throw error;
      // A bug in the emulator, not a fault of the service: kept for tests to check.
      emulator.state.errors.push(error);
      return errorResponse(500, "internal_error", String(error), requestId);
    });
    const headers = new Headers(response.headers);
    headers.set("date", new Date(emulator.now()).toUTCString());
    headers.set("server", "QingStor");
    // Every answer carries its request ID, the preflight's too, as the service's do.
    headers.set("x-qs-request-id", requestId);
    allowOrigin(request, headers);
    logAnswer(record, response.status, headers);
    // An answer to HEAD has headers only, errors included.
    const body = request.method == "HEAD" ? null : response.body;
    return new Response(body, { status: response.status, headers });
  }

  async function answer(
    request: Request,
    url: URL,
    record: EmulatorRequestRecord,
    requestId: string,
  ): Promise<Response> {
    const refuse = (refusal: Refusal) => errorResponse(...refusal, requestId);
    if (request.method == "OPTIONS") return preflight(request);

    const query = new Map(new URLSearchParams(url.search));
    const address = addressOf(request, url, hosts);
    if (Array.isArray(address)) return refuse(address);
    const { bucket, key, virtualHostBucket } = address;
    const operation = bucket
      ? OPERATIONS.find((op) => op.matches(request.method, key, query, request.headers))
      : undefined;
    if (!bucket || !operation) {
      return refuse([
        405,
        "method_not_allowed",
        `The emulator does not implement ${request.method} on this resource.`,
      ]);
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
    if (denied) return refuse(denied);
    if (options.buckets && !options.buckets.includes(bucket)) {
      return refuse([404, "bucket_not_exists", `The bucket ${bucket} does not exist.`]);
    }

    // Upload IDs are random: the part of the target that replays is the object and part number.
    const faults = faultsOf(
      operation.name,
      `${operation.name} ${bucket}/${key ?? ""} ${query.get("part_number") ?? ""}`,
      request,
    );
    const injected = await faults.beforeHandling();
    if (injected) return refuse(injected);
    const response = await operation.handle({
      emulator,
      internals,
      request,
      bucket,
      key,
      query,
      requestId,
      ...bodyReaders(request, {
        timeout: options.bodyTimeout ?? 20_000,
        dropAfter: faults.duringBody(),
        signal: request.signal,
      }),
    });
    await faults.afterHandling();
    return response;
  }

  return emulator;
}
