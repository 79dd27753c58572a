/**
 * A transport to an in-process emulator that delivers the first half of a
 * request's body and then holds the rest until the request's signal aborts,
 * when the body breaks off: a request cancelled mid-body, on cue.
 */
import type { Emulator } from "../../src/testing/mod.ts";

export interface HalfBodyTransport {
  /** The client's `fetch`. */
  fetch(request: Request): Promise<Response>;
  /** Resolves once the emulator has read the first half of a body. */
  halfRead: Promise<void>;
  /** The emulator's answer to the held request, once it has given it. */
  answered: Promise<Response>;
}

export function halfBodyTransport(emulator: Emulator): HalfBodyTransport {
  let halfRead!: () => void;
  let answered!: (response: Response) => void;
  const transport: HalfBodyTransport = {
    halfRead: new Promise((resolve) => halfRead = resolve),
    answered: new Promise((resolve) => answered = resolve),
    async fetch(request) {
      const bytes = new Uint8Array(await request.arrayBuffer());
      const half = bytes.subarray(0, bytes.length >> 1);
      let sent = false;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (!sent) {
            sent = true;
            controller.enqueue(half);
            return;
          }
          halfRead();
          // The rest never comes: the body breaks off when the client gives up.
          return new Promise<void>((resolve) => {
            const breakOff = () => {
              controller.error(request.signal.reason);
              resolve();
            };
            if (request.signal.aborted) breakOff();
            else request.signal.addEventListener("abort", breakOff, { once: true });
          });
        },
      }, { highWaterMark: 0 });
      const answer = emulator.fetch(
        new Request(request.url, {
          method: request.method,
          headers: request.headers,
          body,
          // @ts-ignore: Node and Deno need it for a stream body; not in every lib's RequestInit.
          duplex: "half",
        }),
      );
      answer.then(answered, () => {});
      return await answer;
    },
  };
  return transport;
}
