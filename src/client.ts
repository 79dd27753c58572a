import type { Signer } from "./signer/signer.ts";
import { check, checkFetch, checkMilliseconds, matches } from "./validate.ts";

/** An access key pair. */
export interface Credentials {
  /** The access key ID. */
  accessKeyId: string;
  /** The secret access key. */
  secretAccessKey: string;
}

/**
 * How failed requests are retried (see docs/protocol.md#retries). Times are in
 * milliseconds, below 2³¹.
 */
export interface RetryOptions {
  /** Attempts per request, the first included. Default 4 (3 retries); 1 turns retries off. */
  maxAttempts?: number;
  /** The first backoff ceiling in milliseconds; it doubles each retry. Default 200. */
  baseDelay?: number;
  /** The largest backoff in milliseconds. Default 20000. */
  maxDelay?: number;
}

/** Options for {@linkcode createClient}. */
export interface ClientOptions {
  /** The bucket's zone, e.g. `"pek3a"`: requests go to `https://<zone>.qingstor.com`. */
  zone?: string;
  /** A base URL (protocol, host, optional port) used as given instead of the zone's host. */
  endpoint?: string | URL;
  /**
   * The key pair, or a function called before every request that returns it
   * (so rotated keys are picked up). Omit it to send anonymous requests.
   */
  credentials?: Credentials | (() => Credentials | Promise<Credentials>);
  /**
   * Signs every attempt instead of `credentials`, for a client that holds
   * no secret (a browser page): e.g. `remoteSigner("/sign")`, which asks a
   * server running `handleSignRequest` (see docs/protocol.md#remote-signing).
   * Not with `credentials`.
   */
  signer?: Signer;
  /** Addressing style: `"path"` (the default) or `"virtual-host"` (the bucket in the host name). */
  style?: "path" | "virtual-host";
  /** The transport; defaults to the global `fetch` at the time of each request. */
  fetch?: (request: Request) => Promise<Response>;
  /** Retry settings. */
  retry?: RetryOptions;
  /**
   * How long one attempt may take, in milliseconds, before it is given up
   * and retried like a network failure: getting credentials, signing,
   * sending and reading the answer, all of it. Default 300000 (5 minutes, as
   * Node's own fetch waits), at most 2147483647; raise it for very large
   * parts on slow links.
   */
  timeout?: number;
  /**
   * Milliseconds to add to the local clock when dating requests and
   * presigned URLs, e.g. an offset kept from an earlier `syncClock()`.
   * Default 0; the client corrects it when a request is refused as expired.
   */
  clockOffset?: number;
}

/**
 * A configured connection to QingStor, made by {@linkcode createClient} and
 * passed to every operation. It holds no socket; it is cheap and immutable,
 * apart from the clock offset it learns from the service.
 */
export interface Client {
  /** The base URL requests go to. */
  readonly endpoint: URL;
  /** The addressing style. */
  readonly style: "path" | "virtual-host";
  /** The retry settings in force. */
  readonly retry: Readonly<Required<RetryOptions>>;
  /** How long one attempt may take, in milliseconds. */
  readonly timeout: number;
  /** Returns the credentials for the next request, or `undefined` for anonymous access. */
  readonly credentials: () => Promise<Credentials | undefined>;
  /** Signs each attempt when the client was made with a `signer`; it then has no credentials. */
  readonly signer?: Signer;
  /** Sends a request. */
  readonly fetch: (request: Request) => Promise<Response>;
  /**
   * Milliseconds to add to the local clock when dating a request; learnt
   * from the service's `Date` header when it answers `request_expired`, or
   * by `syncClock()`, or given to `createClient`.
   */
  clockOffset: number;
}

const KEY_PAIR = ["accessKeyId", "secretAccessKey"] as const;

/**
 * The default transport: the global `fetch` at the time of each request,
 * called unbound, as Workers and browsers refuse a fetch invoked with another
 * `this` (https://developers.cloudflare.com/workers/observability/errors/#illegal-invocation-errors).
 * Upload progress compares a client's `fetch` with it, to know whether it may
 * use a transport of its own (see docs/protocol.md#upload-progress-by-runtime).
 *
 * @param request The request.
 * @returns The response.
 */
export function globalFetch(request: Request): Promise<Response> {
  return fetch(request);
}

/**
 * The time on the service's clock, in milliseconds: the local clock plus the
 * offset the client learnt from a `request_expired` answer (see
 * docs/protocol.md#date-line-and-clock-skew).
 *
 * @param client The client.
 * @returns Milliseconds since the Unix epoch.
 */
export function serviceNow(client: Client): number {
  return Date.now() + client.clockOffset;
}

function checkCredentials(credentials: Credentials): Credentials {
  const given = (name: typeof KEY_PAIR[number]) =>
    typeof credentials?.[name] == "string" && credentials[name] != "";
  check(
    KEY_PAIR.every(given),
    "credentials",
    "Credentials need both accessKeyId and secretAccessKey as non-empty strings (omit credentials for anonymous access)",
    // Which half is missing, or what was given instead of a pair; never a value.
    credentials instanceof Object
      ? KEY_PAIR.map((name) => `${name} ${given(name) ? "set" : "missing"}`).join(", ")
      : `a ${typeof credentials}`,
  );
  return credentials;
}

/**
 * Creates a client for one zone or endpoint.
 *
 * @param options Where to send requests, and with which credentials.
 * @returns The client to pass to every operation.
 * @throws {ValidationError} If neither `zone` nor `endpoint` is given, the endpoint is not an
 * http(s) URL with no user, path, query or fragment (it is shown without them), virtual-host
 * style is asked for with an IP-address endpoint, a retry setting, the timeout or the clock
 * offset is out of range, `fetch` or `signer` is not a function, `credentials` are neither a
 * key pair nor a function (or only one half of a key pair is given), or both `credentials` and
 * `signer` are given.
 *
 * @example
 * ```ts
 * import { createClient } from "qingstor-multipart";
 *
 * const client = createClient({
 *   zone: "pek3a",
 *   credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
 * });
 * client.endpoint.href; // "https://pek3a.qingstor.com/"
 * ```
 */
export function createClient(options: ClientOptions): Client {
  const { zone, credentials, signer, style = "path", timeout = 300_000, fetch: transport } =
    options;
  const { clockOffset = 0 } = options;
  const { maxAttempts = 4, baseDelay = 200, maxDelay = 20_000 } = options.retry ?? {};
  check(
    options.endpoint || matches(/^[a-z0-9-]+$/, zone),
    "zone",
    "Either an endpoint or a zone of lowercase letters, digits and - is required",
    zone,
  );
  let endpoint: URL | undefined;
  try {
    endpoint = new URL(options.endpoint ?? `https://${zone}.qingstor.com`);
  } catch {
    // Reported below.
  }
  // A user and password in the URL would make every Request throw. The value is shown without
  // them, and without a query or fragment, which may hold a token: an endpoint that does not
  // parse loses everything up to its last "@" too.
  const web = /^https?:$/.test(endpoint?.protocol!);
  check(
    endpoint && web && !endpoint.username && !endpoint.password && endpoint.pathname == "/" &&
      !endpoint.search && !endpoint.hash,
    "endpoint",
    "Endpoint must be an absolute http or https URL with no user, path, query or fragment (the bucket and key make the path)",
    endpoint
      ? web ? endpoint.origin + endpoint.pathname : endpoint.protocol
      : String(options.endpoint).replace(/[?#].*/s, "").replace(/.*@/s, ""),
  );
  check(
    style == "path" || style == "virtual-host" && !/^[\d.]+$|^\[/.test(endpoint.hostname),
    "style",
    'Style must be "path", or "virtual-host" with a host name rather than an IP address',
    style == "path" || style == "virtual-host" ? endpoint.hostname : style,
  );
  check(
    Number.isInteger(maxAttempts) && maxAttempts > 0,
    "retry.maxAttempts",
    "retry.maxAttempts must be a whole number of at least 1",
    maxAttempts,
  );
  checkMilliseconds("retry.baseDelay", baseDelay);
  checkMilliseconds("retry.maxDelay", maxDelay);
  checkMilliseconds("timeout", timeout, 1);
  check(
    Number.isFinite(clockOffset),
    "clockOffset",
    "clockOffset must be a finite number of milliseconds",
    clockOffset,
  );
  checkFetch(transport);
  check(
    !signer || typeof signer == "function",
    "signer",
    "signer must be a function",
    `a ${typeof signer}`,
  );
  check(
    !signer || credentials === undefined,
    "signer",
    "Give either credentials or a signer, not both",
    "credentials and signer",
  );
  // Anything but a function (or nothing) must be a key pair: a string is refused, not sent.
  if (credentials !== undefined && typeof credentials != "function") checkCredentials(credentials);
  return {
    endpoint,
    style,
    retry: { maxAttempts, baseDelay, maxDelay },
    timeout,
    credentials: async () =>
      typeof credentials == "function" ? checkCredentials(await credentials()) : credentials,
    signer,
    fetch: transport ? (request) => transport(request) : globalFetch,
    clockOffset,
  };
}
