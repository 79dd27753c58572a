/**
 * Starts the emulator over real HTTP on loopback for a test, with a client
 * pointed at it, and stops it afterwards.
 */
import { type ClientOptions, createClient, type Credentials } from "../../mod.ts";
import {
  createEmulator,
  type Emulator,
  type EmulatorOptions,
  type EmulatorServer,
  serveEmulator,
  type ServeOptions,
} from "../../src/testing/mod.ts";

export const CREDENTIALS: Credentials = {
  accessKeyId: "TESTACCESSKEYID00000",
  secretAccessKey: "testSecretAccessKey0123456789abcdefGHIJKL",
};

export interface Harness {
  emulator: Emulator;
  server: EmulatorServer;
  /** A client for the served emulator; options override the defaults (test credentials, fast retries). */
  client(options?: Partial<ClientOptions>): ReturnType<typeof createClient>;
  close(): Promise<void>;
}

export async function startEmulator(
  options: EmulatorOptions = {},
  serve: ServeOptions = {},
): Promise<Harness> {
  const emulator = createEmulator({ credentials: [CREDENTIALS], ...options });
  const server = await serveEmulator(emulator, serve);
  return {
    emulator,
    server,
    client: (overrides = {}) =>
      createClient({
        endpoint: server.url,
        credentials: CREDENTIALS,
        retry: { baseDelay: 1, maxDelay: 5 },
        ...overrides,
      }),
    close: () => server.close(),
  };
}

/** Runs a test body against a fresh served emulator, and always stops it. */
export async function withEmulator(
  options: EmulatorOptions,
  body: (harness: Harness) => Promise<void>,
  serve: ServeOptions = {},
): Promise<void> {
  const harness = await startEmulator(options, serve);
  try {
    await body(harness);
    // An exception inside the emulator is answered as a 500, which clients retry: it would
    // pass unseen as a flaky retry, so every test fails on it.
    if (harness.emulator.state.errors.length) {
      throw new Error(`The emulator failed: ${harness.emulator.state.errors.join("; ")}`);
    }
  } finally {
    await harness.close();
  }
}

/**
 * Everything a secret could show through: the message, `String()`, JSON, the stack, and the
 * runtime's deep inspection of the whole cause chain (Deno's own inspector too, under Deno).
 */
export async function inspect(value: unknown): Promise<string> {
  const { inspect } = await import("node:util");
  const deno = (globalThis as { Deno?: { inspect(value: unknown, options: object): string } })
    .Deno;
  return inspect(value, { depth: Infinity, showHidden: true }) +
    (deno?.inspect(value, { depth: Infinity, showHidden: true }) ?? "") +
    JSON.stringify(value) + String(value) + (value instanceof Error ? value.stack : "");
}

/** Counts the requests a client makes, for checks that nothing was sent. */
export function requestCountingFetch(): {
  fetch: (request: Request) => Promise<Response>;
  count: number;
} {
  const counter = {
    count: 0,
    fetch: (_request: Request): Promise<Response> => {
      counter.count++;
      return Promise.resolve(new Response(null, { status: 599 }));
    },
  };
  return counter;
}

/**
 * The emulator in-process, its `fetch` the client's transport: no sockets, for tests where
 * thousands of requests would only time the loopback, or a fault must not meet a runtime's
 * own transparent retry.
 */
export function inProcess(
  options: EmulatorOptions = {},
  clientOptions: Partial<ClientOptions> = {},
): { emulator: Emulator; client: ReturnType<typeof createClient> } {
  const emulator = createEmulator({ credentials: [CREDENTIALS], ...options });
  const client = localClient(emulator.fetch, clientOptions);
  return { emulator, client };
}

/**
 * A client whose transport is `fetch` (an in-process emulator's, or one wrapped around it), with
 * the test credentials and fast retries; options override them.
 */
export function localClient(
  fetch: (request: Request) => Promise<Response>,
  options: Partial<ClientOptions> = {},
): ReturnType<typeof createClient> {
  return createClient({
    endpoint: "http://localhost",
    credentials: CREDENTIALS,
    fetch,
    retry: { baseDelay: 1, maxDelay: 5 },
    ...options,
  });
}

/** Waits until the emulator has received a request that satisfies the test. */
export async function untilRequest(
  emulator: Emulator,
  test: (record: Emulator["state"]["requests"][number]) => boolean = () => true,
): Promise<void> {
  while (!emulator.state.requests.some(test)) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
