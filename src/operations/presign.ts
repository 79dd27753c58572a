import { type Client, type Credentials, serviceNow } from "../client.ts";
import { ValidationError } from "../errors.ts";
import { requestUrl } from "../request/request_url.ts";
import { signRequest } from "../request/sign_request.ts";
import { untilAborted } from "../until_aborted.ts";
import { check, checkBucket, checkKey, matches } from "../validate.ts";

/** The longest a presigned URL may live: 7 days. The service documents no limit. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

const PRESIGN_METHODS = ["GET", "PUT", "POST", "DELETE", "HEAD"];
const RESERVED_QUERY = ["access_key_id", "expires", "signature"];

/** Input of {@linkcode presign}. */
export interface PresignInput {
  /** The method the URL's user will send. */
  method: "GET" | "PUT" | "POST" | "DELETE" | "HEAD";
  /** The bucket. */
  bucket: string;
  /** The object key; absent for a bucket-level request such as List Multipart Uploads. */
  key?: string;
  /**
   * The request's own query parameters by their wire names, e.g.
   * `{ part_number: "3", upload_id }`. An empty string writes a bare name (`uploads`).
   * Names and values are percent-encoded; `access_key_id`, `expires` and
   * `signature` are refused, being the URL's own.
   */
  query?: Record<string, string | number>;
  /**
   * Headers the URL's user will send and that are signed: `Content-Type`,
   * `Content-MD5` and `x-qs-*`. The user must send exactly these; by default none.
   */
  headers?: Record<string, string>;
  /** Seconds from now until the URL expires: a whole number from 1 to 604800 (7 days). */
  expiresIn: number;
  /**
   * Stops waiting for the credentials (a provider function may take long, or never answer):
   * the call then rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

/**
 * Mints a presigned URL (see docs/protocol.md#presigned-urls): the signature
 * travels in the query, so whoever holds the URL (a browser, say) can send that
 * one request until it expires, without ever seeing the secret. Typical use: a
 * server starts an upload and hands out one URL per part. Its expiry is counted
 * on the client's clock (local plus `clockOffset`): where the local clock may
 * be off, call `syncClock()` first, or the URL may be expired on arrival.
 *
 * @param client A client with credentials.
 * @param input The request to allow.
 * @returns The URL, with `access_key_id`, `expires` and `signature` appended.
 * @throws {ValidationError} If the client has no credentials (anonymous, or signing with a
 * `signer`); the method is not one of `GET PUT POST
 * DELETE HEAD`; the bucket, key or lifetime is invalid; a query name is one of the URL's own
 * (`access_key_id`, `expires`, `signature`); or a header name is not an HTTP token or a value
 * not printable ASCII.
 * @throws The signal's reason, when it aborts first.
 *
 * @example
 * ```ts
 * import { createClient, presign } from "qingstor-multipart";
 *
 * const client = createClient({
 *   zone: "pek3a",
 *   credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
 * });
 * const url = await presign(client, {
 *   method: "PUT",
 *   bucket: "mybucket",
 *   key: "large-object",
 *   query: { part_number: 1, upload_id: "4d26b37a469230619604ecdc0e314782" },
 *   expiresIn: 3600,
 * });
 * // A browser can now `fetch(url, { method: "PUT", body: bytes })`.
 * ```
 */
export async function presign(client: Client, input: PresignInput): Promise<string> {
  const { method, bucket, key, expiresIn, query = {}, headers = {} } = input;
  check(
    PRESIGN_METHODS.includes(method),
    "method",
    `Method must be one of ${PRESIGN_METHODS.join(" ")}, in upper case`,
    method,
  );
  checkBucket(bucket);
  if (key !== undefined) checkKey(key);
  for (const name of Object.keys(query)) {
    // The URL's own parameters are appended after these: a second one would be ambiguous.
    check(
      !RESERVED_QUERY.includes(name.toLowerCase()),
      "query",
      `Query names ${RESERVED_QUERY.join(", ")} are the URL's own signature parameters`,
      name,
    );
  }
  for (const [name, value] of Object.entries(headers)) {
    // A header name is an HTTP token; values, printable ASCII: no line break can slip through.
    check(
      matches(/^[!#$%&'*+.^_`|~\w-]+$/, name),
      "headers",
      "Header names must be HTTP tokens",
      name,
    );
    check(
      matches(/^[\x20-\x7e]*$/, value),
      `headers.${name}`,
      "Header values must be printable ASCII",
      value,
    );
  }
  checkExpiresIn(expiresIn);
  const credentials = await presignCredentials(client, input.signal);
  const url = requestUrl(
    client,
    bucket,
    key,
    Object.entries(query).map(([name, value]) => value === "" ? [name] : [name, value]),
  );
  const expires = expiresAt(client, expiresIn);
  const signed = await untilAborted(
    signRequest(
      client,
      credentials.secretAccessKey,
      { method, url, headers: new Headers(headers), bucket },
      expires,
    ),
    input.signal,
  );
  return url.href + (url.search ? "&" : "?") + signedQuery(credentials, expires, signed);
}

/** Checks a presigned URL's lifetime: whole seconds from 1 to 7 days. */
export function checkExpiresIn(expiresIn: number): void {
  check(
    Number.isInteger(expiresIn) && expiresIn > 0 && expiresIn <= MAX_PRESIGN_SECONDS,
    "expiresIn",
    `Expiry must be a whole number of seconds from 1 to ${MAX_PRESIGN_SECONDS}`,
    expiresIn,
  );
}

/**
 * The client's credentials for presigning, waited for until the signal aborts: a provider
 * function may never answer, and presigning has no attempt deadline of its own.
 */
export async function presignCredentials(
  client: Client,
  signal: AbortSignal | undefined,
): Promise<Credentials> {
  signal?.throwIfAborted();
  const credentials = await untilAborted(client.credentials(), signal);
  if (!credentials) {
    throw new ValidationError(
      "credentials",
      client.signer
        // A signer signs headers, dated by its server for one attempt: no URL to hand out.
        ? "Presigning needs credentials; a client with a signer cannot presign"
        : "Presigning needs credentials, received none",
    );
  }
  return credentials;
}

/** The expiry of a URL presigned now, in whole Unix seconds on the client's clock. */
export function expiresAt(client: Client, expiresIn: number): number {
  return Math.floor(serviceNow(client) / 1000) + expiresIn;
}

/** The query parameters a presigned URL ends with (see docs/protocol.md#presigned-urls). */
export function signedQuery(credentials: Credentials, expires: number, signed: string): string {
  return `access_key_id=${encodeURIComponent(credentials.accessKeyId)}&expires=${expires}` +
    `&signature=${encodeURIComponent(signed)}`;
}
