import { type Client, globalFetch } from "../client.ts";
import { untilAborted } from "../until_aborted.ts";
import { check } from "../validate.ts";
import type { KnownLengthBody, OnBodySent } from "./progress/body_slices.ts";

/**
 * The transport for a request whose body's progress is asked for, or
 * `undefined` to send with the client's `fetch` as usual. The transports
 * that count a body (see docs/protocol.md#upload-progress-by-runtime) are
 * loaded only then, and only to replace the runtime's own `fetch`: most
 * programs never carry them.
 *
 * @param client The client: only its default `fetch` is replaced; a `fetch` of the caller's own
 * (the emulator's in-process one, a proxy, a test's) stays the transport, nothing is counted on
 * the way, and the transports are not loaded.
 * @param body The request's body.
 * @param onProgress Told, per attempt, the bytes the transport took so far; absent for none.
 * @param signal The request's signal: it ends a load of the transports that stalls, which
 * nothing else would.
 * @returns The transport to give `send()`, or `undefined`.
 * @throws {ValidationError} If `onProgress` is given and is not a function.
 * @throws The signal's reason, when it aborts while the transports load.
 */
export async function countingFetch(
  client: Client,
  body: KnownLengthBody,
  onProgress: OnBodySent | undefined,
  signal: AbortSignal | undefined,
): Promise<((request: Request) => Promise<Response>) | undefined> {
  check(
    onProgress === undefined || typeof onProgress == "function",
    "onProgress",
    "onProgress must be a function",
    `a ${typeof onProgress}`,
  );
  if (!onProgress || client.fetch !== globalFetch) return undefined;
  const { progressTransport } = await untilAborted(
    import("./progress/progress_transport.ts"),
    signal,
  );
  return progressTransport(body, onProgress);
}
