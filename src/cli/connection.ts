import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { type Client, createClient, type Credentials, ValidationError } from "../../mod.ts";
import { oneLine, printable, warn, writeStderr } from "./output.ts";
import { parseConfig } from "./parse_config.ts";
import { createTransport, type Transport } from "./transport.ts";
import { UsageError } from "./usage_error.ts";

/** The flags every command that talks to the service takes, for `parseArgs`. */
export const CONNECTION_OPTIONS = {
  endpoint: { type: "string" },
  zone: { type: "string" },
  config: { type: "string" },
  verbose: { type: "boolean", short: "v" },
} as const;

/** Their lines in a command's usage. */
export const CONNECTION_USAGE = `connection:
  --endpoint URL          the service's base URL, e.g. http://127.0.0.1:9000 (or QINGSTOR_ENDPOINT)
  --zone ZONE             the bucket's zone, e.g. pek3a (or QINGSTOR_ZONE); not with --endpoint
  --config PATH           the config file (default ~/.qingstor/config.yaml)
  -v, --verbose           print the endpoint, the access key id and each request
credentials come from QINGSTOR_ACCESS_KEY_ID and QINGSTOR_SECRET_ACCESS_KEY, else from
access_key_id and secret_access_key in the config file; without them requests are anonymous.`;

/** The connection flags, as parsed. */
export interface ConnectionFlags {
  endpoint?: string;
  zone?: string;
  config?: string;
  verbose?: boolean;
}

/** Where to connect and as whom, each with where it came from. */
export interface ResolvedConnection {
  /** A base URL; or else `zone`. */
  endpoint?: string;
  /** A zone, when no endpoint was found. */
  zone?: string;
  /** Where the endpoint or zone came from: a flag, a variable or the config file. */
  locationFrom: string;
  /** The key pair; anonymous when absent. */
  credentials?: Credentials;
  /** Where the key pair came from. */
  credentialsFrom?: string;
}

/** The config file as `connect` found it: its path, and its settings or why it could not be read. */
export interface ConfigFile {
  /** The file's path, for messages. */
  path: string;
  /** Its settings; absent when it does not exist or cannot be read. */
  settings?: Record<string, string>;
  /** Why the default file could not be read (it exists, but is a folder, say). */
  unreadable?: string;
}

/** The default config file, as messages name it. */
const DEFAULT_CONFIG = "~/.qingstor/config.yaml";

/**
 * Decides the endpoint and credentials: flags win over the environment, the
 * environment over the config file. Each level gives a whole location (an
 * endpoint, or a zone) or a whole key pair; nothing is mixed across levels,
 * so what is used is what one source says.
 *
 * @param flags The connection flags.
 * @param env The environment variables.
 * @param config The config file: its path and settings, or why it could not be read; absent
 * when there is none.
 * @returns The connection.
 * @throws {UsageError} If `--endpoint` and `--zone` are both given or either is empty, a key
 * pair is half given, no source names an endpoint or zone (the message names the config file,
 * and why it could not be read), or the file's host cannot make an endpoint (see
 * {@linkcode endpointFromConfig}).
 */
export function resolveConnection(
  flags: ConnectionFlags,
  env: Record<string, string | undefined>,
  config?: ConfigFile,
): ResolvedConnection {
  if (flags.endpoint !== undefined && flags.zone !== undefined) {
    throw new UsageError("--endpoint and --zone cannot be used together");
  }
  if (flags.endpoint === "") {
    throw new UsageError('--endpoint: expected a URL such as http://127.0.0.1:9000, received ""');
  }
  if (flags.zone === "") throw new UsageError('--zone: expected a zone such as pek3a, received ""');
  const fileSettings: Record<string, string> = config?.settings ?? Object.create(null);
  const path = config?.path ?? DEFAULT_CONFIG;
  let location: Pick<ResolvedConnection, "endpoint" | "zone" | "locationFrom">;
  if (flags.endpoint !== undefined) {
    location = { endpoint: flags.endpoint, locationFrom: "--endpoint" };
  } else if (flags.zone !== undefined) location = { zone: flags.zone, locationFrom: "--zone" };
  else if (env.QINGSTOR_ENDPOINT) {
    location = { endpoint: env.QINGSTOR_ENDPOINT, locationFrom: "QINGSTOR_ENDPOINT" };
  } else if (env.QINGSTOR_ZONE) {
    location = { zone: env.QINGSTOR_ZONE, locationFrom: "QINGSTOR_ZONE" };
  } else if (fileSettings.host) {
    location = {
      endpoint: endpointFromConfig(fileSettings, path),
      locationFrom: `host in ${path}`,
    };
  } else if (fileSettings.zone) {
    location = { zone: fileSettings.zone, locationFrom: `zone in ${path}` };
  } else {
    throw new UsageError(
      `no endpoint: give --endpoint or --zone, set QINGSTOR_ENDPOINT or QINGSTOR_ZONE, or put host or zone in ${path}${
        config?.unreadable ? ` (which cannot be read: ${config.unreadable})` : ""
      }`,
    );
  }
  const pair = (id: string | undefined, secret: string | undefined, names: [string, string]) => {
    if (!id && !secret) return undefined;
    // Which half is missing, never a value.
    if (!id || !secret) {
      throw new UsageError(`${names[id ? 1 : 0]} is missing, ${names[id ? 0 : 1]} is set`);
    }
    return { accessKeyId: id, secretAccessKey: secret };
  };
  const fromEnv = pair(env.QINGSTOR_ACCESS_KEY_ID, env.QINGSTOR_SECRET_ACCESS_KEY, [
    "QINGSTOR_ACCESS_KEY_ID",
    "QINGSTOR_SECRET_ACCESS_KEY",
  ]);
  if (fromEnv) return { ...location, credentials: fromEnv, credentialsFrom: "environment" };
  const fromFile = pair(fileSettings.access_key_id, fileSettings.secret_access_key, [
    `access_key_id in ${path}`,
    `secret_access_key in ${path}`,
  ]);
  if (fromFile) return { ...location, credentials: fromFile, credentialsFrom: path };
  return location;
}

/**
 * The endpoint that `host`, `port`, `protocol` and `zone` in the official
 * tools' config file name. As the official SDKs build it, the zone goes in
 * front of the host (`pek3a.qingstor.com`), but not in front of an IP
 * address or `localhost`, which a deployment on one machine (or an emulator)
 * uses. A port may be written in `host` (`127.0.0.1:9000`) or in `port`.
 * The public service's `qingstor.com` alone, the official tools' default,
 * answers only service-level requests: a bucket needs its zone.
 *
 * @param settings The file's settings, with `host` set.
 * @param path The file, for messages.
 * @returns The endpoint, e.g. `https://pek3a.qingstor.com:443`.
 * @throws {UsageError} If `host` is no host, its port and `port` disagree, or it is
 * `qingstor.com` with no zone.
 */
export function endpointFromConfig(settings: Record<string, string>, path: string): string {
  const { host, port, protocol, zone } = settings;
  // A name or an IPv4 address, or an IPv6 address in brackets; then perhaps a port.
  const parts = /^(\[[\da-f:.]+\]|[^\s:/[\]]+)(?::(\d+))?$/i.exec(host);
  if (!parts) {
    throw new UsageError(
      `host in ${path}: expected a host name or address, with or without :PORT, received ${
        JSON.stringify(host)
      }`,
    );
  }
  const [, name, hostPort] = parts;
  if (hostPort !== undefined && port && port != hostPort) {
    throw new UsageError(`host in ${path} has port ${hostPort}, but port in ${path} is ${port}`);
  }
  const literal = /^\[|^\d+(\.\d+){3}$|^localhost$/i.test(name);
  if (!zone && name.toLowerCase().replace(/\.$/, "") == "qingstor.com") {
    throw new UsageError(
      `host qingstor.com in ${path} needs the bucket's zone: give --zone (e.g. pek3a), set QINGSTOR_ZONE, or put zone in ${path}`,
    );
  }
  const fullName = zone && !literal ? `${zone}.${name}` : name;
  const portPart = hostPort ?? port;
  return `${protocol || "https"}://${fullName}${portPart ? ":" + portPart : ""}`;
}

/** A client ready for a command, with its transport. */
export interface Connection {
  /** The client. */
  client: Client;
  /** Its transport, which watches the requests (see {@linkcode Transport}). */
  transport: Transport;
}

/**
 * Reads the config file, resolves the connection and makes the client. With
 * `--verbose`, tells the endpoint and the access key id (never the secret),
 * then each request as it is answered. Only a file named by `--config` must
 * be readable: the default one may be missing, and if it cannot be read it
 * is an error only when it was needed for the endpoint; when only the
 * credentials could have come from it, a warning says so and the requests
 * go anonymous.
 *
 * @param flags The connection flags.
 * @param env The environment; the process's by default.
 * @param logLine Where `--verbose` lines go: stderr by default; upload passes its progress
 * line's `note`, so that they do not break into a line being redrawn.
 * @returns The client and its transport.
 * @throws {UsageError} If `--config` names a file that cannot be read, the connection cannot
 * be resolved (see {@linkcode resolveConnection}), or the endpoint or zone found is invalid
 * (named with where it came from).
 */
export async function connect(
  flags: ConnectionFlags,
  env: Record<string, string | undefined> = process.env,
  logLine: (line: string) => void = (line) => writeStderr(oneLine(line) + "\n"),
): Promise<Connection> {
  const path = flags.config ?? join(homedir(), ".qingstor", "config.yaml");
  let config: ConfigFile;
  try {
    config = { path, settings: parseConfig(await readFile(path, "utf8")) };
  } catch (error) {
    const reason = (error as Error).message;
    if (flags.config !== undefined) {
      throw new UsageError(`--config: cannot read ${path}: ${reason}`);
    }
    // The default file is optional: missing, it is no file at all.
    config = (error as { code?: string }).code == "ENOENT"
      ? { path }
      : { path, unreadable: reason };
  }
  const resolved = resolveConnection(flags, env, config);
  const log = flags.verbose ? logLine : undefined;
  if (config.unreadable) {
    const message = `cannot read ${path}: ${config.unreadable}`;
    if (resolved.credentials) log?.(`${message} (not needed)`);
    else warn(`${message}; without its credentials, requests are anonymous`);
  }
  const transport = createTransport(log);
  let client: Client;
  try {
    client = createClient({
      endpoint: resolved.endpoint,
      zone: resolved.zone,
      credentials: resolved.credentials,
      fetch: transport.fetch,
    });
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new UsageError(`${resolved.locationFrom}: ${error.message}`);
    }
    throw error;
  }
  log?.(`endpoint ${client.endpoint.origin} (from ${resolved.locationFrom})`);
  log?.(
    resolved.credentials
      ? `access key id ${
        printable(resolved.credentials.accessKeyId)
      } (from ${resolved.credentialsFrom})`
      : "no credentials: requests are anonymous",
  );
  return { client, transport };
}
