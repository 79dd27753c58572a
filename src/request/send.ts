import type { Client } from "../client.ts";
import { QingStorError } from "../errors.ts";
import { signature } from "../sign/signature.ts";
import { stringToSign } from "../sign/string_to_sign.ts";
import { type QueryParameter, requestUrl } from "./request_url.ts";

/** One service request, before it is signed. */
export interface ServiceRequest {
  /** The public operation name, for errors. */
  operation: string;
  /** The HTTP method. */
  method: "GET" | "PUT" | "POST" | "DELETE";
  /** The bucket. */
  bucket: string;
  /** The object key; absent for bucket-level requests. */
  key?: string;
  /** Query parameters in wire order. */
  query?: readonly QueryParameter[];
  /** Headers; `undefined` values are not sent. */
  headers?: Record<string, string | undefined>;
  /** The body: known-length only, so the runtime sends Content-Length (spec §11). */
  body?: Uint8Array | Blob | string;
  /** The one status that means success (spec §6). */
  expect: number;
  /** Cancels the request and any backoff wait. */
  signal?: AbortSignal;
  /**
   * Stops retrying, and any backoff wait, but lets an attempt in flight
   * finish: for requests whose outcome must be learnt rather than cut off.
   */
  retrySignal?: AbortSignal;
}

/** A successful response, read. */
export interface ServiceResponse<Body> {
  /** The response headers. */
  headers: Headers;
  /** The `x-qs-request-id`. */
  requestId: string;
  /** The parsed JSON body for operations that answer with one; otherwise `undefined`. */
  body: Body;
}

/**
 * Signs and sends a request, retrying it under the policy of spec §10.3:
 * network failures, 5xx and 429 are retried with exponential backoff and
 * full jitter; `bad_digest` and `incomplete_body` once; `request_expired`
 * once, after the client's clock offset is set from the service's `Date`.
 * Every attempt is signed afresh with a new `X-QS-Date`.
 *
 * @param client The client.
 * @param request The request.
 * @returns The response, whose status is `request.expect`, with its JSON body parsed when the
 * status is 200 (the operations with a body) and drained otherwise, so the connection is reused.
 * @throws {QingStorError} When the service refuses the request, cannot be reached, or answers
 * success with a body that is not JSON.
 * @throws {ValidationError} When a credentials function returns half a key pair.
 * @throws {TypeError} When the body cannot be sent by `fetch` (a SharedArrayBuffer view).
 * @throws The signal's reason, when the signal aborts.
 */
// deno-lint-ignore no-explicit-any
export async function send<Body = any>(
  client: Client,
  request: ServiceRequest,
): Promise<ServiceResponse<Body>> {
  const { operation, method, signal } = request;
  const url = requestUrl(client, request.bucket, request.key, request.query);
  const virtualHostBucket = client.style == "virtual-host" ? request.bucket : undefined;
  let skewCorrected = false;
  let resent = false;
  for (let attempt = 1;; attempt++) {
    signal?.throwIfAborted();
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      if (value !== undefined) headers.set(name, value);
    }
    const credentials = await client.credentials();
    // The credentials were awaited: the caller may have aborted meanwhile.
    signal?.throwIfAborted();
    const attempt$ = attemptSignal(signal, client.timeout);
    let failure: QingStorError;
    let retryable = true;
    try {
      const outgoing = new Request(url, {
        method,
        headers,
        body: request.body as BodyInit | undefined,
        signal: attempt$.signal,
      });
      if (credentials) {
        // Signed from the request as built, so a Content-Type the runtime added for the body
        // (Bun keeps a Blob's type through slice()) is signed as it will be sent.
        const sent = outgoing.headers;
        sent.set("x-qs-date", new Date(Date.now() + client.clockOffset).toUTCString());
        const signed = await signature(
          credentials.secretAccessKey,
          stringToSign({ method, url, headers: sent, virtualHostBucket }),
        );
        sent.set("authorization", `QS ${credentials.accessKeyId}:${signed}`);
        // Signing was awaited too; a transport need not check an aborted signal itself.
        signal?.throwIfAborted();
      }
      let response: Response | undefined;
      try {
        response = await client.fetch(outgoing);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        failure = attempt$.signal.aborted
          ? noAnswer(operation, attempt, client.timeout, error)
          : new QingStorError({
            operation,
            status: 0,
            message: (error as Error)?.message ?? String(error),
            attempts: attempt,
            cause: error,
          });
      }
      if (response?.status == request.expect) {
        try {
          return await readSuccess(response, operation, attempt);
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          // A body that is not JSON is final; one cut off by the deadline is no answer.
          if (!attempt$.signal.aborted) throw error;
          failure = noAnswer(operation, attempt, client.timeout, error);
        }
      } else if (response) {
        failure = await readError(response, operation, attempt);
        const code = failure.code?.toLowerCase();
        const serverDate = Date.parse(response.headers.get("date") ?? "");
        if (code == "request_expired" && !skewCorrected && serverDate) {
          // Our clock is off: adopt the service's, and try again at once.
          skewCorrected = true;
          client.clockOffset = serverDate - Date.now();
          attempt--;
          continue;
        }
        const once: boolean = (code == "bad_digest" || code == "incomplete_body") && !resent;
        resent ||= once;
        retryable = once || failure.status >= 500 || failure.status == 429;
      }
    } finally {
      attempt$.done();
    }
    const { retrySignal } = request;
    if (!retryable || attempt >= client.retry.maxAttempts || retrySignal?.aborted) throw failure!;
    const ceiling = Math.min(client.retry.maxDelay, client.retry.baseDelay * 2 ** (attempt - 1));
    try {
      await sleep(Math.random() * ceiling, signal, retrySignal);
    } catch (reason) {
      // Retries were stopped: the last failure is the answer.
      if (signal?.aborted) throw reason;
      throw failure!;
    }
  }
}

/** A failure for an attempt that got no (whole) answer before its deadline: retried. */
function noAnswer(operation: string, attempts: number, timeout: number, cause: unknown) {
  return new QingStorError({
    operation,
    status: 0,
    message: `no answer within ${timeout} ms`,
    attempts,
    cause,
  });
}

/** Reads a successful response: the JSON body of a 200, nothing otherwise. */
async function readSuccess<Body>(
  response: Response,
  operation: string,
  attempts: number,
): Promise<ServiceResponse<Body>> {
  const requestId = response.headers.get("x-qs-request-id") ?? "";
  let body;
  try {
    // Drained even when empty, so that the connection can be reused.
    body = response.status == 200 ? await response.json() : await response.body?.cancel();
  } catch (error) {
    // Not retried: the request took effect, and trying again could repeat it.
    throw new QingStorError({
      operation,
      status: response.status,
      message: "The service's answer is not valid JSON",
      requestId,
      attempts,
      cause: error,
    });
  }
  return { headers: response.headers, requestId, body };
}

/** Reads an error response, which may be JSON, HTML from a proxy, or empty (spec §10.1). */
async function readError(
  response: Response,
  operation: string,
  attempts: number,
): Promise<QingStorError> {
  const text = await response.text().catch(() => "");
  let body: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed == "object") body = parsed;
  } catch {
    // Not JSON: the raw text is the best message there is.
  }
  const field = (name: string) => typeof body[name] == "string" ? body[name] as string : undefined;
  return new QingStorError({
    operation,
    status: response.status,
    code: field("code"),
    message: field("message") ?? (text.trim().slice(0, 200) || response.statusText ||
      "no error body"),
    requestId: response.headers.get("x-qs-request-id") ?? field("request_id"),
    url: field("url"),
    attempts,
  });
}

/**
 * The signal of one attempt: the caller's abort, or the attempt's deadline.
 * Each attempt has one of its own, so no listener outlives it on the
 * caller's signal: Node's fetch lets go of a request's listeners only when it
 * is garbage-collected, and warns of a leak past ten on one signal.
 * `AbortSignal.any()` follows the caller's signal without a listener.
 */
function attemptSignal(
  caller: AbortSignal | undefined,
  timeout: number,
): { signal: AbortSignal; done(): void } {
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new DOMException(`No answer within ${timeout} ms`, "TimeoutError")),
    timeout,
  );
  if (!caller) return { signal: deadline.signal, done: () => clearTimeout(timer) };
  if (AbortSignal.any) {
    return {
      signal: AbortSignal.any([caller, deadline.signal]),
      done: () => clearTimeout(timer),
    };
  }
  const follow = () => deadline.abort(caller.reason);
  caller.addEventListener("abort", follow, { once: true });
  // An abort before the listener was added would never reach it.
  if (caller.aborted) follow();
  return {
    signal: deadline.signal,
    done: () => {
      clearTimeout(timer);
      caller.removeEventListener("abort", follow);
    },
  };
}

/** Waits, unless one of the signals aborts first; rejects with that signal's reason. */
function sleep(ms: number, ...signals: (AbortSignal | undefined)[]): Promise<void> {
  const watched = signals.filter((signal) => signal !== undefined);
  const aborted = watched.find((signal) => signal.aborted);
  if (aborted) return Promise.reject(aborted.reason);
  return new Promise((resolve, reject) => {
    const stop = (error?: unknown) => {
      clearTimeout(timer);
      for (const signal of watched) signal.removeEventListener("abort", onAbort);
      error === undefined ? resolve() : reject(error);
    };
    const onAbort = (event: Event) => stop((event.target as AbortSignal).reason);
    const timer = setTimeout(stop, ms);
    for (const signal of watched) signal.addEventListener("abort", onAbort, { once: true });
  });
}
