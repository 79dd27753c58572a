import { bodyLength, bodySlices, type KnownLengthBody, type OnBodySent } from "./body_slices.ts";
import { webResponse } from "./web_response.ts";

/**
 * Sends a request through `node:http` (or `node:https`) with a
 * `Content-Length`, counting each slice when the socket has taken it (its
 * write callback): for Deno, whose `fetch` sends a stream body chunked
 * whatever `Content-Length` it is given
 * (https://github.com/denoland/deno/issues/24197), which Upload Part refuses
 * with 411 (see docs/protocol.md#upload-progress-by-runtime). Deno's
 * `node:http` keeps the length and calls back as the socket drains. It does
 * not read `HTTP_PROXY`/`HTTPS_PROXY`, as Deno's `fetch` does.
 *
 * @param request The request, signed; its own body is not read.
 * @param body The body to send in its place.
 * @param onSent Told the bytes taken so far.
 * @returns The response, its body read whole (answers to a part are small).
 * @throws The signal's reason when the request's signal aborts; the socket is destroyed then.
 */
export function nodeHttpFetch(
  request: Request,
  body: KnownLengthBody,
  onSent: OnBodySent,
): Promise<Response> {
  const url = new URL(request.url);
  const { request: open } = builtin(url.protocol == "https:" ? "node:https" : "node:http");
  const { signal } = request;
  signal.throwIfAborted();
  const headers: Record<string, string> = Object.fromEntries(request.headers);
  headers["content-length"] = String(bodyLength(body));
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      outcome();
    };
    const fail = (error: unknown) => {
      if (settled) return;
      settle(() => reject(error));
      outgoing.destroy();
    };
    const onAbort = () => fail(signal.reason);
    const outgoing = open(url, { method: request.method, headers }, (incoming) => {
      const chunks: Uint8Array[] = [];
      incoming.on("data", (chunk: Uint8Array) => chunks.push(chunk));
      incoming.on("error", fail);
      // Cut off without an error (some runtimes): after "end", this changes nothing.
      incoming.on("close", () => fail(new Error("The connection closed before the answer ended")));
      incoming.on("end", () => {
        // An answer before the whole body went out (a refusal) ends the request: the rest is
        // not wanted, and the connection cannot carry another request.
        if (!outgoing.writableFinished) outgoing.destroy();
        const answer = new Headers();
        const raw = incoming.rawHeaders;
        for (let i = 0; i + 1 < raw.length; i += 2) answer.append(raw[i], raw[i + 1]);
        try {
          const status = incoming.statusCode ?? 0;
          const whole = new Blob(chunks as Uint8Array<ArrayBuffer>[]);
          const response = webResponse(status, incoming.statusMessage, answer, whole);
          settle(() => resolve(response));
        } catch (error) {
          fail(error);
        }
      });
    });
    outgoing.on("error", fail);
    signal.addEventListener("abort", onAbort);
    writeBody(outgoing, body, onSent).catch(fail);
  });
}

/**
 * `node:http` or `node:https`, from `process.getBuiltinModule` (Deno 2,
 * Node 20.16, Bun) rather than an `import`, which bundlers for browsers
 * would follow: Bun's put a 400 KB stand-in for it in a browser bundle
 * (0.46 MB instead of 68 KB for `upload`); others may refuse a `node:`
 * specifier. {@linkcode hasNodeHttp} says whether
 * it is there.
 */
function builtin(name: "node:http" | "node:https"): NodeHttp {
  return (globalThis as unknown as { process: BuiltinModules }).process.getBuiltinModule(name);
}

interface BuiltinModules {
  getBuiltinModule(name: string): NodeHttp;
}

/**
 * Whether `node:http` can be had without an `import` (see {@linkcode builtin}).
 *
 * @returns True in Deno 2, Node 20.16 and later, and Bun.
 */
export function hasNodeHttp(): boolean {
  const process = (globalThis as { process?: Partial<BuiltinModules> }).process;
  return typeof process?.getBuiltinModule == "function";
}

/** As much of `node:http` as {@linkcode nodeHttpFetch} uses. */
interface NodeHttp {
  request(
    url: URL,
    options: { method: string; headers: Record<string, string> },
    onResponse: (incoming: Incoming) => void,
  ): BodySink & { on(event: "error", listener: (error: Error) => void): void; destroy(): void };
}

/** An answer from `node:http`, as much as {@linkcode nodeHttpFetch} reads. */
interface Incoming {
  on(event: "data", listener: (chunk: Uint8Array) => void): void;
  on(event: "error", listener: (error: Error) => void): void;
  on(event: "end" | "close", listener: () => void): void;
  readonly statusCode?: number;
  readonly statusMessage?: string;
  readonly rawHeaders: string[];
}

/** The writable side of a `node:http` request, as much as {@linkcode writeBody} needs. */
interface BodySink {
  write(chunk: Uint8Array, callback: (error?: Error | null) => void): boolean;
  end(): void;
  readonly destroyed: boolean;
  readonly writableFinished: boolean;
  once(event: "drain" | "close", listener: () => void): void;
  off(event: "drain" | "close", listener: () => void): void;
}

/** Writes the body slice by slice, waiting for `drain` when the socket is full. */
async function writeBody(sink: BodySink, body: KnownLengthBody, onSent: OnBodySent) {
  let sent = 0;
  for await (const slice of bodySlices(body)) {
    if (sink.destroyed) return;
    const room = sink.write(slice, (error) => {
      if (!error) onSent(sent += slice.length);
    });
    if (!room) {
      await new Promise<void>((resolve) => {
        const done = () => {
          sink.off("drain", done);
          sink.off("close", done);
          resolve();
        };
        sink.once("drain", done);
        sink.once("close", done);
      });
    }
  }
  if (!sink.destroyed) sink.end();
}
