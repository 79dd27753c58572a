import { untilAborted } from "../until_aborted.ts";
import { check, checkFetch, checkMilliseconds } from "../validate.ts";
import type { Signer, SigningRequest, SigningResult } from "./signer.ts";
import {
  MAX_SIGNING_ENTRIES,
  SIGNING_PROTOCOL_VERSION,
  type WireSigningAnswer,
  type WireSigningBatch,
  type WireSigningEntry,
} from "./wire.ts";

/** Options of {@linkcode remoteSigner}. */
export interface RemoteSignerOptions {
  /**
   * Headers sent with every signing request, e.g. a bearer token; or a
   * function called before each, so a refreshed token is picked up.
   * `content-type` is always `application/json`.
   */
  headers?: HeadersInit | (() => HeadersInit | Promise<HeadersInit>);
  /** The transport; defaults to the global `fetch` at the time of each request. */
  fetch?: (request: Request) => Promise<Response>;
  /**
   * Milliseconds to wait for more requests before a batch goes out; default
   * 0 (those of the same turn of the event loop). While a batch is out,
   * new requests wait and go together in the next.
   */
  batchWindow?: number;
}

/** A request waiting for its signature. */
interface Waiting {
  request: SigningRequest;
  resolve: (result: SigningResult) => void;
  reject: (error: unknown) => void;
  done: boolean;
  /** Told when this entry is settled, so a batch nobody waits for any more is aborted. */
  settled?: () => void;
}

/** The error a signer rejects with: `send()` reads its `status` and `code`. */
function signerError(status: number, code: string, message: string): Error {
  return Object.assign(new Error(message), { name: "SignerError", status, code });
}

/**
 * The error for a refusal the signing server answered (a batch's or an
 * entry's), from what it said: its status if a 4xx or 5xx, otherwise 502 (a 0
 * would read as no answer, a 2xx as no failure); its code and message if
 * strings, otherwise `sign_answer_invalid` and `fallback`.
 */
function answeredError(refusal: unknown, fallback: string, status?: number): Error {
  const { status: given = status, code, message } = Object(refusal);
  return signerError(
    Number.isInteger(given) && given >= 400 && given <= 599 ? given : 502,
    typeof code == "string" ? code : "sign_answer_invalid",
    typeof message == "string" ? message : fallback,
  );
}

/**
 * Makes a signer that asks a server running {@linkcode handleSignRequest}
 * (JSON over POST, see docs/protocol.md#remote-signing), for a client that
 * holds no secret: `createClient({ endpoint, signer: remoteSigner("/sign") })`.
 *
 * Requests that need signing at the same moment (parts going out in
 * parallel) go in one POST, of at most 32, all of one bucket; while one POST
 * is out, the requests that come meanwhile wait and go together in the next.
 * Each request gets its own answer: one refused, or one whose caller
 * aborted, leaves the others be; a POST whose requests were all given up is
 * aborted.
 *
 * Its failures carry a `status` and a `code`, which the operation's
 * `QingStorError` reports: 0 and `sign_request_failed` when the server could
 * not be reached (retried, like a network failure); the server's status and
 * code otherwise (5xx retried; 403 `sign_request_refused` when `authorize`
 * said no, and every other 4xx, final). A signing server that does not
 * answer is cut off by the client's `timeout`, and the attempt retried.
 *
 * @param url The signing endpoint: absolute, or relative to the page's address.
 * @param options Headers to send along, the transport, the batching window.
 * @returns The signer, for `createClient({ signer })`.
 * @throws {ValidationError} If the URL is not http(s) (or relative with no page to resolve it
 * against), `fetch` is not a function or `batchWindow` is out of range.
 *
 * @example
 * ```ts
 * import { createClient, handleSignRequest, remoteSigner, upload } from "qingstor-multipart";
 * import { createEmulator } from "qingstor-multipart/testing";
 * import assert from "node:assert/strict";
 *
 * const credentials = { accessKeyId: "AKID", secretAccessKey: "secret" };
 * const emulator = createEmulator({ credentials: [credentials] });
 * // The server holds the secret and signs what `authorize` allows…
 * const server = createClient({ endpoint: "http://localhost", credentials });
 * const signer = remoteSigner("https://example.com/sign", {
 *   fetch: (request) =>
 *     handleSignRequest(server, request, { authorize: ({ key }) => key.startsWith("alice/") }),
 * });
 * // …and the client, which could run in a page, holds none.
 * const client = createClient({ endpoint: "http://localhost", signer, fetch: emulator.fetch });
 * const result = await upload(client, { bucket: "mybucket", key: "alice/a.txt", body: "hi" });
 * assert.equal(result.size, 2);
 * ```
 */
export function remoteSigner(url: string | URL, options: RemoteSignerOptions = {}): Signer {
  const { headers, fetch: transport, batchWindow = 0 } = options;
  let target: URL | undefined;
  try {
    // A page's relative URL resolves against its address; elsewhere there is none.
    target = new URL(url, (globalThis as { location?: { href: string } }).location?.href);
  } catch {
    // Reported below.
  }
  check(
    /^https?:$/.test(target?.protocol!),
    "url",
    "The signing URL must be http(s), absolute or relative to the page's address",
    // Without its query, which may hold a token.
    String(url).replace(/[?#].*/s, ""),
  );
  checkFetch(transport);
  checkMilliseconds("batchWindow", batchWindow);
  const queue: Waiting[] = [];
  let busy = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const settle = (waiting: Waiting, outcome: () => void) => {
    if (waiting.done) return;
    waiting.done = true;
    outcome();
    waiting.settled?.();
  };
  const schedule = () => {
    if (!busy && timer === undefined && queue.length) timer = setTimeout(flush, batchWindow);
  };
  const flush = async () => {
    timer = undefined;
    if (!queue.length) return;
    // One bucket and style per batch, as the protocol has them; the rest wait for the next.
    const { bucket, style } = queue[0].request;
    const batch: Waiting[] = [];
    for (let index = 0; index < queue.length && batch.length < MAX_SIGNING_ENTRIES;) {
      const { request } = queue[index];
      if (request.bucket == bucket && request.style == style) batch.push(...queue.splice(index, 1));
      else index++;
    }
    // Empty `query` and `headers` are left out, as the protocol allows.
    const requests = batch.map(({ request: { operation, method, key, query, headers } }) => {
      const entry: WireSigningEntry = { operation, method, key };
      if (Object.keys(query).length) entry.query = query;
      if (Object.keys(headers).length) entry.headers = headers;
      return entry;
    });
    busy = true;
    try {
      await post(batch, { version: SIGNING_PROTOCOL_VERSION, bucket, style, requests });
    } finally {
      busy = false;
      schedule();
    }
  };
  const post = async (batch: Waiting[], wire: WireSigningBatch) => {
    const controller = new AbortController();
    for (const waiting of batch) {
      waiting.settled = () => batch.every(({ done }) => done) && controller.abort();
    }
    const fail = (error: Error) =>
      batch.forEach((waiting) => settle(waiting, () => waiting.reject(error)));
    try {
      const extra = typeof headers == "function"
        ? await untilAborted(Promise.resolve(headers()), controller.signal)
        : headers;
      const outgoing = new Headers(extra);
      outgoing.set("content-type", "application/json");
      const response = await untilAborted(
        // Called unbound: Workers and browsers refuse a fetch invoked with another `this`.
        (transport ?? fetch)(
          new Request(target!, {
            method: "POST",
            headers: outgoing,
            body: JSON.stringify(wire),
            signal: controller.signal,
          }),
        ),
        controller.signal,
      );
      const answer: WireSigningAnswer | undefined = await untilAborted(
        response.json(),
        controller.signal,
      ).catch(() => undefined);
      const signatures = answer?.signatures;
      if (!Array.isArray(signatures) || signatures.length != batch.length) {
        return fail(answeredError(
          answer?.error,
          `The signing server answered ${response.status} without signatures`,
          response.status,
        ));
      }
      batch.forEach((waiting, index) => {
        const { authorization, date, error } = Object(signatures[index]);
        settle(
          waiting,
          () =>
            typeof authorization == "string" && typeof date == "string"
              ? waiting.resolve({ authorization, date })
              : waiting.reject(answeredError(error, "No signature in the answer")),
        );
      });
    } catch (error) {
      fail(signerError(
        0,
        "sign_request_failed",
        `Asking the signing server failed: ${(error as Error)?.message ?? error}`,
      ));
    }
  };

  return (request) =>
    new Promise((resolve, reject) => {
      const { signal } = request;
      if (signal?.aborted) return reject(signal.reason);
      const waiting: Waiting = {
        request,
        resolve: (result) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(result);
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
        done: false,
      };
      // A caller who gives up is answered at once; its entry leaves the queue, or its batch.
      const onAbort = () => {
        const index = queue.indexOf(waiting);
        if (index >= 0) queue.splice(index, 1);
        settle(waiting, () => waiting.reject(signal!.reason));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      queue.push(waiting);
      schedule();
    });
}
