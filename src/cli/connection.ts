import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { type Client, createClient, type Credentials, ValidationError } from "../../mod.ts";
import { oneLine, printable, writeStderr } from "./output.ts";
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

/**
 * Decides the endpoint and credentials: flags win over the environment, the
 * environment over the config file. Each level gives a whole location (an
 * endpoint, or a zone) or a whole key pair; nothing is mixed across levels,
 * so what is used is what one source says.
 *
 * @param flags The connection flags.
 * @param env The environment variables.
 * @param config The config file's settings, and its path for messages; absent when there is none.
 * @returns The connection.
 * @throws {UsageError} If `--endpoint` and `--zone` are both given, a key pair is half given, or
 * no source names an endpoint or zone.
 */
export function resolveConnection(
  flags: ConnectionFlags,
  env: Record<string, string | undefined>,
  config?: { path: string; settings: Record<string, string> },
): ResolvedConnection {
  if (flags.endpoint !== undefined && flags.zone !== undefined) {
    throw new UsageError("--endpoint and --zone cannot be used together");
  }
  const file = config?.settings ?? {};
  let location: Pick<ResolvedConnection, "endpoint" | "zone" | "locationFrom">;
  if (flags.endpoint !== undefined) {
    location = { endpoint: flags.endpoint, locationFrom: "--endpoint" };
  } else if (flags.zone !== undefined) location = { zone: flags.zone, locationFrom: "--zone" };
  else if (env.QINGSTOR_ENDPOINT) {
    location = { endpoint: env.QINGSTOR_ENDPOINT, locationFrom: "QINGSTOR_ENDPOINT" };
  } else if (env.QINGSTOR_ZONE) {
    location = { zone: env.QINGSTOR_ZONE, locationFrom: "QINGSTOR_ZONE" };
  } else if (file.host) {
    // As the official SDKs do: the zone goes in front of a service host name.
    const named = file.zone && !/^[\d.]+$|^\[|^localhost$/i.test(file.host);
    const host = named ? `${file.zone}.${file.host}` : file.host;
    location = {
      endpoint: `${file.protocol || "https"}://${host}${file.port ? ":" + file.port : ""}`,
      locationFrom: `host in ${config!.path}`,
    };
  } else if (file.zone) location = { zone: file.zone, locationFrom: `zone in ${config!.path}` };
  else {
    throw new UsageError(
      "no endpoint: give --endpoint or --zone, set QINGSTOR_ENDPOINT or QINGSTOR_ZONE, or put host or zone in ~/.qingstor/config.yaml",
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
  const fromFile = config && pair(file.access_key_id, file.secret_access_key, [
    `access_key_id in ${config.path}`,
    `secret_access_key in ${config.path}`,
  ]);
  if (fromFile) return { ...location, credentials: fromFile, credentialsFrom: config!.path };
  return location;
}

/** A client ready for a command, with its transport. */
export interface Connection {
  /** The client. */
  client: Client;
  /** Its transport, which knows which aborts the service confirmed. */
  transport: Transport;
  /** Whether requests are signed. */
  signed: boolean;
}

/**
 * Reads the config file, resolves the connection and makes the client. With
 * `--verbose`, tells the endpoint and the access key id (never the secret),
 * then each request as it is answered.
 *
 * @param flags The connection flags.
 * @param env The environment; the process's by default.
 * @param say Where `--verbose` lines go: stderr by default; upload passes its progress line's
 * `note`, so that they do not break into a line being redrawn.
 * @returns The client and its transport.
 * @throws {UsageError} If `--config` names a file that cannot be read, the connection cannot
 * be resolved, or the endpoint or zone found is invalid (named with where it came from).
 */
export async function connect(
  flags: ConnectionFlags,
  env: Record<string, string | undefined> = process.env,
  say: (line: string) => void = (line) => writeStderr(oneLine(line) + "\n"),
): Promise<Connection> {
  const path = flags.config ?? join(homedir(), ".qingstor", "config.yaml");
  let config: { path: string; settings: Record<string, string> } | undefined;
  try {
    config = { path, settings: parseConfig(await readFile(path, "utf8")) };
  } catch (error) {
    // Only a named file must exist; the default one is optional.
    if (flags.config !== undefined || (error as { code?: string }).code != "ENOENT") {
      throw new UsageError(`--config: cannot read ${path}: ${(error as Error).message}`);
    }
  }
  const resolved = resolveConnection(flags, env, config);
  const log = flags.verbose ? say : undefined;
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
  return { client, transport, signed: !!resolved.credentials };
}
