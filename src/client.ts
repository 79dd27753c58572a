import { ValidationError } from "./errors.ts";
import { check } from "./validate.ts";

/** An access key pair. */
export interface Credentials {
  /** The access key ID. */
  accessKeyId: string;
  /** The secret access key. */
  secretAccessKey: string;
}

/** How failed requests are retried (spec §10.3). */
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
  /** Addressing style: `"path"` (the default) or `"virtual-host"` (the bucket in the host name). */
  style?: "path" | "virtual-host";
  /** The transport; defaults to the global `fetch` at the time of each request. */
  fetch?: (request: Request) => Promise<Response>;
  /** Retry settings. */
  retry?: RetryOptions;
  /**
   * How long one attempt may take, in milliseconds, before it is given up
   * and retried like a network failure. Default 300000 (5 minutes, as
   * Node's own fetch waits); raise it for very large parts on slow links.
   */
  timeout?: number;
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
  /** Sends a request. */
  readonly fetch: (request: Request) => Promise<Response>;
  /**
   * Milliseconds to add to the local clock when dating a request; learnt
   * from the service's `Date` header when it answers `request_expired`.
   */
  clockOffset: number;
}

function checkCredentials(credentials: Credentials): Credentials {
  check(
    credentials && typeof credentials.accessKeyId == "string" && credentials.accessKeyId &&
      typeof credentials.secretAccessKey == "string" && credentials.secretAccessKey,
    "credentials",
    "Credentials need both accessKeyId and secretAccessKey (omit credentials for anonymous access)",
    credentials
      ? `accessKeyId ${credentials.accessKeyId ? "set" : "missing"}, secretAccessKey ${
        credentials.secretAccessKey ? "set" : "missing"
      }`
      : credentials,
  );
  return credentials;
}

/**
 * Creates a client for one zone or endpoint.
 *
 * @param options Where to send requests, and with which credentials.
 * @returns The client to pass to every operation.
 * @throws {ValidationError} If neither `zone` nor `endpoint` is given, the endpoint is not an
 * http(s) URL, virtual-host style is asked for with an IP-address endpoint, or only one half of
 * a key pair is given.
 *
 * @example
 * ```ts
 * import { createClient } from "@qingstor-multipart/core";
 *
 * const client = createClient({
 *   zone: "pek3a",
 *   credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
 * });
 * client.endpoint.href; // "https://pek3a.qingstor.com/"
 * ```
 */
export function createClient(options: ClientOptions): Client {
  const { zone, credentials, style = "path", retry } = options;
  check(zone || options.endpoint, "zone", "Either zone or endpoint is required", zone);
  if (zone && !options.endpoint) {
    check(/^[a-z0-9-]+$/.test(zone), "zone", "Zone must be lowercase letters, digits and -", zone);
  }
  let endpoint: URL;
  try {
    endpoint = new URL(options.endpoint ?? `https://${zone}.qingstor.com`);
  } catch {
    throw new ValidationError(
      "endpoint",
      `Endpoint must be an absolute URL, received "${options.endpoint}"`,
    );
  }
  check(
    /^https?:$/.test(endpoint.protocol) && endpoint.pathname == "/" && !endpoint.search,
    "endpoint",
    "Endpoint must be an http or https URL with no path or query (the bucket and key make the path)",
    options.endpoint === undefined ? undefined : String(options.endpoint),
  );
  check(
    style == "path" || style == "virtual-host",
    "style",
    'Style must be "path" or "virtual-host"',
    style,
  );
  check(
    style == "path" || !/^(\d+\.\d+\.\d+\.\d+|\[.*\])$/.test(endpoint.hostname),
    "style",
    "Virtual-host style needs a host name, not an IP address",
    endpoint.hostname,
  );
  const { maxAttempts = 4, baseDelay = 200, maxDelay = 20_000 } = retry ?? {};
  check(
    Number.isInteger(maxAttempts) && maxAttempts >= 1,
    "retry.maxAttempts",
    "Attempts must be a whole number of at least 1",
    maxAttempts,
  );
  for (const [name, delay] of [["baseDelay", baseDelay], ["maxDelay", maxDelay]] as const) {
    check(
      delay >= 0 && delay <= 3_600_000,
      `retry.${name}`,
      "Delays must be 0 to 3600000 ms",
      delay,
    );
  }
  const { timeout = 300_000 } = options;
  check(
    Number.isFinite(timeout) && timeout > 0 && timeout <= 2 ** 31 - 1,
    "timeout",
    "Timeout must be a positive number of milliseconds, at most 2147483647",
    timeout,
  );
  if (typeof credentials == "object") checkCredentials(credentials);
  const transport = options.fetch;
  return {
    endpoint,
    style,
    retry: { maxAttempts, baseDelay, maxDelay },
    timeout,
    credentials: async () =>
      typeof credentials == "function" ? checkCredentials(await credentials()) : credentials,
    // Called unbound: Workers and browsers refuse a fetch invoked with another `this`.
    fetch: (request) => transport ? transport(request) : fetch(request),
    clockOffset: 0,
  };
}
