import { type Client, serviceNow } from "../client.ts";
import { QingStorError, type QingStorErrorInit } from "../errors.ts";
import { signRequest } from "./sign_request.ts";
import { type QueryParameter, requestUrl } from "./request_url.ts";
import { untilAborted } from "../until_aborted.ts";
import { redactError, redactText } from "./redact.ts";
import { backoffDelay, type RetryDecision, retryDecision } from "./retry_policy.ts";

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
  /**
   * The body: known-length only, so the runtime sends Content-Length (see
   * docs/protocol.md#known-length-bodies); Deno's fetch drops a Content-Length
   * given for a stream and sends it chunked
   * (https://github.com/denoland/deno/issues/24197).
   */
  body?: Uint8Array | Blob | string;
  /** The one status that means success (see docs/protocol.md#conventions). */
  expect: number;
  /** Cancels the request and any backoff wait. */
  signal?: AbortSignal;
  /**
   * Stops retrying, and any backoff wait, but lets an attempt in flight
   * finish: for requests whose outcome must be learnt rather than cut off.
   * An attempt not sent yet (getting credentials, signing) stops too; with no
   * earlier failure to report, the call then rejects with the signal's reason.
   */
  stopRetries?: AbortSignal;
  /**
   * Told once, with the local time it was sent at, of the first attempt
   * that may have taken effect unseen: it went out and got no answer (a
   * network failure, the deadline, the caller's abort) or a 5xx, which a
   * gateway answers when it gave up waiting for a service that may finish.
   * For a request that is not idempotent, such as initiate, that is when
   * a retry may repeat it.
   */
  onUncertain?: (sentAt: number) => void;
  /**
   * The transport for this request instead of the client's `fetch`, called
   * once per attempt: upload progress gives one that counts the body as it
   * goes out (see docs/protocol.md#upload-progress-by-runtime).
   */
  fetch?: (request: Request) => Promise<Response>;
}

/** A successful response, read. */
export interface ServiceResponse<Body> {
  /** The response headers. */
  headers: Headers;
  /** The `x-qs-request-id`. */
  requestId: string;
  /** The parsed JSON body for operations that answer with one; otherwise `undefined`. */
  body: Body;
  /** How many attempts it took, for errors found in the answer afterwards. */
  attempts: number;
}

/**
 * Signs and sends a request, retrying it under the policy described in
 * docs/protocol.md#retries, as decided by {@linkcode retryDecision} and
 * {@linkcode backoffDelay}: network failures, the timeout, 5xx and 429 are
 * retried with exponential backoff and full jitter; `bad_digest` and
 * `incomplete_body` once; `request_expired` once, after the client's clock
 * offset is set from the service's `Date`. Every attempt is signed afresh with
 * a new `X-QS-Date`, by the client's credentials or by its signer (see
 * docs/protocol.md#remote-signing), whose failure is retried or final as its
 * status says. Other failures before the request goes out, the timeout aside
 * (a credentials function that rejects, half a key pair), and a success whose
 * body is not JSON (it took effect) are final.
 *
 * @param client The client.
 * @param request The request.
 * @param random The backoff's jitter, a number in [0, 1): internal, for tests.
 * @param wait The backoff's wait, which ends early, rejecting with its reason, when one of the
 * signals aborts: internal, for tests.
 * @returns The response, whose status is `request.expect`, with its JSON body parsed when the
 * status is 200 (the operations with a body) and drained otherwise, so the connection is reused.
 * @throws {QingStorError} When the service refuses the request, cannot be reached, or answers
 * success with a body that is not JSON; or when no attempt got its credentials (or was signed)
 * within the timeout; or when the signer failed (with its status and code).
 * @throws {ValidationError} When a credentials function returns half a key pair.
 * @throws {TypeError} When the body cannot be sent by `fetch` (a SharedArrayBuffer view).
 * @throws The signal's reason, when the signal aborts.
 */
// deno-lint-ignore no-explicit-any
export async function send<Body = any>(
  client: Client,
  request: ServiceRequest,
  random: () => number = Math.random,
  wait: (ms: number, ...signals: (AbortSignal | undefined)[]) => Promise<void> = sleep,
): Promise<ServiceResponse<Body>> {
  const { operation, method, signal, stopRetries } = request;
  const { retry, timeout } = client;
  const url = requestUrl(client, request.bucket, request.key, request.query);
  const headers = Object.entries(request.headers ?? {}).filter(([, value]) => value !== undefined);
  // What no error may show: SSE-C keys, and each attempt's secret key and signature.
  const secrets = headers.filter(([name]) => name.endsWith("-customer-key")).map(([, key]) => key!);
  const decisions: RetryDecision[] = [];
  let failure: QingStorError | undefined;
  let uncertain = false;
  const unsure = (sentAt: number) => {
    if (!uncertain) request.onUncertain?.(sentAt);
    uncertain = true;
  };
  for (let attempt = 1;; attempt++) {
    // Every text in an error is the service's, a proxy's or a runtime's: it may quote a secret.
    const fail = (status: number, message: string, more: Partial<QingStorErrorInit> = {}) =>
      new QingStorError({
        operation,
        status,
        attempts: attempt,
        ...more,
        message: redactText(message, secrets),
        url: more.url && redactText(more.url, secrets),
        cause: redactError(more.cause, secrets),
        mayHaveTakenEffect: uncertain,
      });
    signal?.throwIfAborted();
    // Each attempt has a signal of its own, so no listener outlives it on the caller's signal
    // (Node's fetch keeps a request's listeners until it is collected, and warns past ten:
    // https://github.com/nodejs/undici/issues/3157).
    // Made by AbortSignal.any even without a caller's signal, so that a runtime without it
    // fails on the first request rather than on the first retry.
    const deadline = new AbortController();
    const attemptSignal = AbortSignal.any(
      [deadline.signal, signal].filter((given) => given != undefined),
    );
    // The deadline covers the whole attempt, getting credentials and signing included: a
    // provider that never settles is an attempt that failed, not a call that hangs.
    let stage = "credentials were not obtained";
    const timer = setTimeout(
      () => deadline.abort(new DOMException(`${stage} within ${timeout} ms`, "TimeoutError")),
      timeout,
    );
    let serverDate: number | undefined;
    let sentAt: number | undefined;
    let unsigned: QingStorError | undefined;
    try {
      // Every await of the attempt ends when its signal aborts, whatever the awaited does.
      const response = await untilAborted(
        (async () => {
          // Until the request goes out, stopping retries stops the attempt too: nothing is in
          // flight whose outcome could be lost.
          const credentials = await untilAborted(client.credentials(), stopRetries);
          // Settled late, or the caller aborted meanwhile: nothing more may go out.
          attemptSignal.throwIfAborted();
          const outgoing = new Request(url, {
            method,
            headers: headers as [string, string][],
            body: request.body as BodyInit | undefined,
            signal: attemptSignal,
          });
          if (credentials) {
            stage = "the request was not signed";
            // Signed from the request as built, so a Content-Type the runtime added for the body
            // (Bun keeps a Blob's type through slice()) is signed as it will be sent.
            const signing = outgoing.headers;
            signing.set("x-qs-date", new Date(serviceNow(client)).toUTCString());
            secrets.push(credentials.secretAccessKey);
            const signed = await untilAborted(
              signRequest(client, credentials.secretAccessKey, {
                method,
                url,
                headers: signing,
                bucket: request.bucket,
              }),
              stopRetries,
            );
            secrets.push(signed);
            signing.set("authorization", `QS ${credentials.accessKeyId}:${signed}`);
            // A transport need not check an aborted signal itself.
            attemptSignal.throwIfAborted();
          } else if (client.signer) {
            stage = "the request was not signed";
            // Loaded only by clients with a signer, as SSE-C's code is (see scripts/size.ts).
            const { signRemotely } = await import("../signer/sign_remotely.ts");
            unsigned = await signRemotely(client, request, url, outgoing.headers, {
              signal: attemptSignal,
              fail,
              secrets,
            });
            if (unsigned) throw unsigned;
          }
          stopRetries?.throwIfAborted();
          stage = "no answer";
          sentAt = Date.now();
          return (request.fetch ?? client.fetch)(outgoing);
        })(),
        attemptSignal,
      );
      if (response.status == request.expect) {
        const requestId = response.headers.get("x-qs-request-id") ?? "";
        let body;
        try {
          // Drained even when empty, so that the connection can be reused.
          body = await untilAborted(
            Promise.resolve(response.status == 200 ? response.json() : response.body?.cancel()),
            attemptSignal,
          );
        } catch (error) {
          // Not retried: the request took effect, and trying again could repeat it.
          unsure(sentAt!);
          throw fail(response.status, "The service's answer is not valid JSON", {
            requestId,
            cause: error,
          });
        }
        return { headers: response.headers, requestId, body, attempts: attempt };
      }
      if (response.status >= 500) unsure(sentAt!);
      failure = await readError(response, attemptSignal, fail);
      serverDate = Date.parse(response.headers.get("date")!);
    } catch (error) {
      // Told even when the caller aborted: what went out may have taken effect all the same.
      if (sentAt !== undefined) unsure(sentAt);
      if (signal?.aborted) throw signal.reason;
      // Retries were stopped before this attempt went out: the last failure is the answer.
      if (sentAt === undefined && stopRetries?.aborted) throw failure ?? error;
      // Before sending, only the deadline is a failure to retry: a provider that rejects, or
      // half a key pair, is final; a signer's failure counts as its status says. After sending:
      // a network failure, or an answer (even a success's body) cut off by the deadline.
      if (
        error !== unsigned && !deadline.signal.aborted &&
        (sentAt === undefined || error instanceof QingStorError)
      ) {
        throw error;
      }
      failure = unsigned ?? fail(
        0,
        deadline.signal.aborted
          ? `${stage} within ${timeout} ms`
          : (error as Error)?.message ?? String(error),
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
    const decision = retryDecision(attempt, failure!, serverDate, retry, decisions);
    decisions.push(decision);
    if (decision == "clock") {
      // Our clock is off: adopt the service's, and try again at once.
      client.clockOffset = serverDate! - Date.now();
      attempt--;
      continue;
    }
    if (decision == "stop") throw failure;
    try {
      await wait(backoffDelay(attempt, retry, random), signal, stopRetries);
    } catch {
      if (signal?.aborted) throw signal.reason;
      // Retries were stopped: the last failure is the answer.
      throw failure;
    }
  }
}

/**
 * Waits, unless one of the signals aborts first. Its listeners go when the
 * wait ends, however it ends: the caller's signal may live for many requests.
 */
function sleep(ms: number, ...signals: (AbortSignal | undefined)[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const already = signals.find((signal) => signal?.aborted);
    if (already) return reject(already.reason);
    const end = (aborted?: AbortSignal) => {
      clearTimeout(timer);
      for (const signal of signals) signal?.removeEventListener("abort", onAbort);
      aborted ? reject(aborted.reason) : resolve();
    };
    const onAbort = (event: Event) => end(event.target as AbortSignal);
    const timer = setTimeout(end, ms);
    for (const signal of signals) signal?.addEventListener("abort", onAbort);
  });
}

/**
 * Reads an error response, which may be JSON, HTML from a proxy, or empty (see
 * docs/protocol.md#error-shape).
 */
async function readError(
  response: Response,
  signal: AbortSignal,
  fail: (status: number, message: string, more: Partial<QingStorErrorInit>) => QingStorError,
): Promise<QingStorError> {
  const text = await untilAborted(response.text(), signal).catch(() => "");
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) ?? {};
  } catch {
    // Not JSON: the raw text is the best message there is.
  }
  const field = (name: string) => typeof body[name] == "string" ? body[name] as string : undefined;
  return fail(
    response.status,
    field("message") ?? (text.trim().slice(0, 200) || response.statusText || "no error body"),
    {
      code: field("code"),
      requestId: response.headers.get("x-qs-request-id") ?? field("request_id"),
      url: field("url"),
    },
  );
}
