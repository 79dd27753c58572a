/**
 * Chooses, at run time, a transport that tells how much of a request's
 * body has gone out, where the runtime has one (see
 * docs/protocol.md#upload-progress-by-runtime): `node:http` in Deno,
 * `fetch` with a counted stream body in Node and Bun, `XMLHttpRequest` in
 * browsers. Elsewhere (Workers, a client's own `fetch`) there is none, and
 * the body's bytes are only known sent when the answer comes.
 *
 * Loaded on demand, only by a request whose progress is asked for, so that
 * a program that never asks carries none of these transports; it imports no
 * code with state of its own, as every module loaded so must not (see
 * scripts/build_npm.ts).
 *
 * @module
 */
import type { KnownLengthBody, OnBodySent } from "./body_slices.ts";
import { hasNodeHttp, nodeHttpFetch } from "./node_http_fetch.ts";
import { streamBodyFetch } from "./stream_body_fetch.ts";
import { xhrFetch } from "./xhr_fetch.ts";

/** A transport that sends a given body and tells how much of it went out. */
type CountingTransport = (
  request: Request,
  body: KnownLengthBody,
  onSent: OnBodySent,
) => Promise<Response>;

/**
 * The transport that counts a body as it goes out in this runtime, if any,
 * in place of the runtime's own `fetch` (`countingFetch` keeps a client's
 * own `fetch` as its transport).
 *
 * @param body The request's body.
 * @param onSent Told, per attempt, the bytes taken so far; 0 when an attempt starts.
 * @returns The transport to give `send()`, or `undefined` to use the client's `fetch`.
 */
export function progressTransport(
  body: KnownLengthBody,
  onSent: OnBodySent,
): ((request: Request) => Promise<Response>) | undefined {
  const counting = RUNTIME_TRANSPORT;
  return counting && ((request) => {
    // A new attempt: what an earlier one sent is taken back.
    onSent(0);
    return counting(request, body, onSent);
  });
}

/** The runtime does not change: its transport is chosen once, when this module is loaded. */
const RUNTIME_TRANSPORT = runtimeTransport();

function runtimeTransport(): CountingTransport | undefined {
  const global = globalThis as {
    Deno?: unknown;
    Bun?: unknown;
    XMLHttpRequest?: unknown;
    process?: { release?: { name?: string } };
    navigator?: { userAgent?: string };
  };
  // Deno 1 has no process.getBuiltinModule: progress is then by parts.
  if (global.Deno !== undefined) return hasNodeHttp() ? nodeHttpFetch : undefined;
  // Before XMLHttpRequest, which a DOM emulation (jsdom) may add to Node; and by `release`, which
  // the `process` shims bundlers give browsers lack. Workers with Node compatibility have a
  // `process` too, but a fetch of their own.
  const workers = global.navigator?.userAgent == "Cloudflare-Workers";
  if (!workers && (global.Bun !== undefined || global.process?.release?.name == "node")) {
    return streamBodyFetch;
  }
  if (typeof global.XMLHttpRequest == "function") return xhrFetch;
  return undefined;
}
