/**
 * Serves any fetch handler over real HTTP on 127.0.0.1, by the emulator's
 * own portable server (node:http, which Deno, Node and Bun all provide): a
 * signing server for the remote-signer tests. A handler that throws drops
 * the connection; one that never settles leaves the request hanging until
 * the server closes.
 */
import { type Emulator, type EmulatorServer, serveEmulator } from "../../src/testing/mod.ts";

export function serveFetch(
  handler: (request: Request) => Promise<Response>,
): Promise<EmulatorServer> {
  return serveEmulator({ fetch: handler } as unknown as Emulator);
}
