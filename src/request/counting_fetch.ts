import { type Client, globalFetch } from "../client.ts";
import { check } from "../validate.ts";
import type { KnownLengthBody, OnBodySent } from "./progress/body_slices.ts";

/**
 * The transport for a request whose body's progress is asked for, or
 * `undefined` to send with the client's `fetch` as usual. The transports
 * that count a body (see docs/protocol.md#upload-progress-by-runtime) are
 * loaded only then: most programs never carry them.
 *
 * @param client The client: only its default `fetch` is replaced; a `fetch` of the caller's own
 * stays the transport, and nothing is counted on the way.
 * @param body The request's body.
 * @param onProgress Told, per attempt, the bytes the transport took so far; absent for none.
 * @returns The transport to give `send()`, or `undefined`.
 * @throws {ValidationError} If `onProgress` is given and is not a function.
 */
export async function countingFetch(
  client: Client,
  body: KnownLengthBody,
  onProgress: OnBodySent | undefined,
): Promise<((request: Request) => Promise<Response>) | undefined> {
  check(
    onProgress === undefined || typeof onProgress == "function",
    "onProgress",
    "onProgress must be a function",
    `a ${typeof onProgress}`,
  );
  if (!onProgress) return undefined;
  const { progressTransport } = await import("./progress/progress_transport.ts");
  return progressTransport(client.fetch === globalFetch, body, onProgress);
}
