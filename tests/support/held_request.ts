/**
 * A transport that holds the first request a test picks before it goes out, until released: a
 * request in flight, on cue, whatever the runtime's pace.
 */
import { deferred } from "./deferred.ts";

export interface HeldRequest {
  /** The client's `fetch`. */
  fetch(request: Request): Promise<Response>;
  /** Resolves with the held request once the client has handed it over. */
  arrived: Promise<Request>;
  /** Lets the held request go on to the transport. */
  release(): void;
}

/**
 * Holds the first request `picks` matches, then sends it (and every other) with `send`.
 *
 * @param send The transport requests go on to: `fetch`, or an in-process emulator's.
 * @param picks Which request to hold.
 */
export function holdRequest(
  send: (request: Request) => Promise<Response>,
  picks: (request: Request) => boolean,
): HeldRequest {
  const arrived = deferred<Request>();
  const released = deferred();
  let holding = false;
  return {
    async fetch(request) {
      if (!holding && picks(request)) {
        holding = true;
        arrived.resolve(request);
        await released.promise;
      }
      return await send(request);
    },
    arrived: arrived.promise,
    release: () => released.resolve(),
  };
}

/** Whether a request is a Complete Multipart Upload: a POST naming its upload. */
export const isComplete = (request: Request): boolean =>
  request.method == "POST" && new URL(request.url).searchParams.has("upload_id");
