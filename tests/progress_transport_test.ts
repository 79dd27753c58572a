/**
 * The runtime's counting transport (node:http in Deno, a counted stream body through fetch in Node
 * and Bun) against a real server on 127.0.0.1: the answer it gives back is the `Response` that
 * `fetch` would have given, whatever the status.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { progressTransport } from "../src/request/progress/progress_transport.ts";

/** A server that reads each body whole, then answers with the status its path names. */
async function answering(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((incoming, outgoing) => {
    let received = 0;
    incoming.on("data", (chunk: Uint8Array) => (received += chunk.length));
    incoming.on("end", () => {
      const status = Number(incoming.url?.slice(1));
      outgoing.writeHead(status, { "x-received": String(received), "content-type": "text/plain" });
      outgoing.end(status == 204 || status == 304 ? undefined : `answer ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("the runtime's counting transport", () => {
  it("answers as fetch would: body and headers kept, none for 204 and 304", async () => {
    const server = await answering();
    try {
      const body = new Uint8Array(600 * 1024).fill(7);
      for (const status of [200, 204, 304, 404, 503]) {
        let sent = -1;
        const send = progressTransport(body, (bytes) => (sent = bytes));
        assert.ok(send, "Deno, Node and Bun all have a counting transport");
        const response = await send(new Request(`${server.url}/${status}`, { method: "PUT" }));
        assert.equal(response.status, status);
        assert.equal(response.headers.get("x-received"), String(body.length));
        assert.equal(sent, body.length, `all ${body.length} bytes counted for ${status}`);
        const text = await response.text();
        assert.equal(text, status == 204 || status == 304 ? "" : `answer ${status}`);
      }
    } finally {
      await server.close();
    }
  });
});
