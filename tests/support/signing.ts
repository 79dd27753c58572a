/**
 * A client that holds no secret, against the emulator over HTTP, signed by a
 * real HTTP signing server running `handleSignRequest` with the test
 * credentials. Everything the client side receives (every answer of the
 * signing server and of the emulator, headers and bodies) is kept, so tests
 * can assert that no secret reached it.
 */
import {
  type Client,
  type ClientOptions,
  createClient,
  handleSignRequest,
  type HandleSignRequestOptions,
  remoteSigner,
  type RemoteSignerOptions,
} from "../../mod.ts";
import type { EmulatorOptions, EmulatorServer } from "../../src/testing/mod.ts";
import { type Harness, withEmulator } from "./harness.ts";
import { serveFetch } from "./serve_fetch.ts";

export interface Signing {
  harness: Harness;
  /** The signing server. */
  server: EmulatorServer;
  /** The batches the signing server received, parsed: one per round trip. */
  batches: {
    bucket: string;
    style?: string;
    requests: { operation: string; key?: string; headers?: Record<string, string> }[];
  }[];
  /** Every status line, header and body the client side received. */
  received: string[];
  /**
   * The URL of every request the client's transport sent to storage: its own attempts, which a
   * runtime's fetch may send again by itself (Bun does when a connection drops mid-body), so the
   * emulator may see more.
   */
  sent: URL[];
  /** A client with a remote signer; options override the defaults (fast retries). */
  client(options?: Partial<ClientOptions>, signer?: RemoteSignerOptions): Client;
}

/** What a fetch gets back, kept whole, and the response handed on untouched. */
async function keep(received: string[], response: Response): Promise<Response> {
  const text = await response.clone().text().catch((error) => `unreadable: ${error}`);
  received.push(`${response.status} ${JSON.stringify([...response.headers])} ${text}`);
  return response;
}

/**
 * Runs a test with the emulator served, a signing server in front of it, and
 * a client that signs through it.
 *
 * @param options The emulator's options and `authorize` (default: everything is allowed).
 * @param body The test.
 */
export function withSigning(
  options: EmulatorOptions & Partial<HandleSignRequestOptions> & {
    /** Stands in for handleSignRequest, e.g. to fail or stall; it may call `sign` itself. */
    handler?: (
      request: Request,
      sign: (request: Request) => Promise<Response>,
    ) => Promise<Response>;
  },
  body: (signing: Signing) => Promise<void>,
): Promise<void> {
  const { authorize = () => true, handler, ...emulatorOptions } = options;
  return withEmulator(emulatorOptions, async (harness) => {
    const batches: Signing["batches"] = [];
    const received: string[] = [];
    const sent: URL[] = [];
    const serverClient = harness.client();
    const sign = async (request: Request) => {
      batches.push(await request.clone().json().catch(() => ({ requests: [] })));
      return handleSignRequest(serverClient, request, { authorize });
    };
    const server = await serveFetch((request) => handler ? handler(request, sign) : sign(request));
    try {
      await body({
        harness,
        server,
        batches,
        received,
        sent,
        client: (overrides = {}, signerOptions = {}) =>
          createClient({
            endpoint: harness.server.url,
            signer: remoteSigner(server.url + "/sign", {
              fetch: async (request) => keep(received, await fetch(request)),
              ...signerOptions,
            }),
            fetch: async (request) => {
              sent.push(new URL(request.url));
              return keep(received, await fetch(request));
            },
            retry: { baseDelay: 1, maxDelay: 5 },
            ...overrides,
          }),
      });
    } finally {
      await server.close();
    }
  });
}
