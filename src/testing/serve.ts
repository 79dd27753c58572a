import type { Emulator } from "./model.ts";

/** A running HTTP server around an emulator. */
export interface EmulatorServer {
  /** The base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** The port. */
  port: number;
  /** Stops the server and closes its connections. */
  close(): Promise<void>;
}

/** Options of {@linkcode serveEmulator}. */
export interface ServeOptions {
  /** The port; 0 (the default) picks a free one. */
  port?: number;
  /** The address to listen on. Default `127.0.0.1`. */
  hostname?: string;
  /**
   * Bytes per second at which each request's body is read, as over a slow
   * link: the socket is read no faster, so the client really waits (for
   * tests of upload progress). Default: as fast as it comes.
   */
  bandwidth?: number;
}

/**
 * Serves an emulator over real HTTP. It uses `node:http`, which Deno, Node
 * and Bun all provide, because only a raw socket can pass the request path
 * through untouched and drop a connection mid-body as a fault.
 *
 * @param emulator The emulator to serve.
 * @param options Port and address.
 * @returns The running server.
 * @throws {Error} If the server cannot listen, e.g. `EADDRINUSE` for a port in use.
 * @throws {RangeError} If `bandwidth` is not a positive number.
 *
 * @example
 * ```ts
 * import { createEmulator, serveEmulator } from "qingstor-multipart/testing";
 *
 * const server = await serveEmulator(createEmulator());
 * server.url; // "http://127.0.0.1:<port>"
 * await server.close();
 * ```
 */
export async function serveEmulator(
  emulator: Emulator,
  options: ServeOptions = {},
): Promise<EmulatorServer> {
  // Imported here so that the rest of the testing module also loads in browsers and Workers.
  const { createServer } = await import("node:http");
  const { Readable } = await import("node:stream");
  const hostname = options.hostname ?? "127.0.0.1";
  const { bandwidth } = options;
  if (bandwidth !== undefined && !(bandwidth > 0 && Number.isFinite(bandwidth))) {
    throw new RangeError(`bandwidth must be a positive number of bytes per second: ${bandwidth}`);
  }
  const server = createServer(async (incoming, outgoing) => {
    const method = incoming.method ?? "GET";
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    // The base is fixed, not taken from Host: path-style requests are addressed by the raw path.
    const request = new Request(
      `http://${hostname}${incoming.url}`,
      {
        method,
        headers,
        body: method == "GET" || method == "HEAD"
          ? undefined
          : bandwidth
          ? slowly(incoming, bandwidth)
          : Readable.toWeb(incoming) as ReadableStream,
        // A stream body needs it on Node's fetch, which the standard now requires
        // (https://github.com/whatwg/fetch/pull/1457); the DOM types do not know it yet.
        duplex: "half",
      } as RequestInit & { duplex: "half" },
    );
    try {
      const response = await emulator.fetch(request);
      outgoing.writeHead(response.status, Object.fromEntries(response.headers));
      outgoing.end(method == "HEAD" ? undefined : new Uint8Array(await response.arrayBuffer()));
    } catch {
      // A dropped connection, injected or not: the client sees a reset.
      incoming.socket.destroy();
    }
  });
  // A port in use is an 'error' event: rejected here, it is the caller's to report, rather than
  // an uncaught exception that ends the process.
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${hostname}:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * A request body read at `bandwidth` bytes per second: the next chunk is
 * asked of the socket only when the bytes so far are due, so the socket's
 * buffers fill and the sender waits.
 */
function slowly(
  incoming: AsyncIterable<Uint8Array>,
  bandwidth: number,
): ReadableStream<Uint8Array> {
  const chunks = incoming[Symbol.asyncIterator]();
  const started = Date.now();
  let received = 0;
  return new ReadableStream({
    async pull(controller) {
      const wait = started + received / bandwidth * 1000 - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const next = await chunks.next();
      if (next.done) return controller.close();
      received += next.value.length;
      controller.enqueue(new Uint8Array(next.value));
    },
    async cancel() {
      await chunks.return?.();
    },
  }, { highWaterMark: 0 });
}
