import { type Client, serviceNow } from "../client.ts";
import { ValidationError } from "../errors.ts";
import { requestUrl } from "../request/request_url.ts";
import { signRequest } from "../request/sign_request.ts";
import { check, checkBucket, checkKey } from "../validate.ts";

/** The longest a presigned URL may live: 7 days. The service documents no limit. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

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
   */
  query?: Record<string, string | number>;
  /**
   * Headers the URL's user will send and that are signed: `Content-Type`,
   * `Content-MD5` and `x-qs-*`. The user must send exactly these; by default none.
   */
  headers?: Record<string, string>;
  /** Seconds from now until the URL expires: a whole number from 1 to 604800 (7 days). */
  expiresIn: number;
}

/**
 * Mints a presigned URL (see docs/protocol.md#presigned-urls): the signature
 * travels in the query, so whoever holds the URL (a browser, say) can send that
 * one request until it expires, without ever seeing the secret. Typical use: a
 * server starts an upload and hands out one URL per part.
 *
 * @param client A client with credentials.
 * @param input The request to allow.
 * @returns The URL, with `access_key_id`, `expires` and `signature` appended.
 * @throws {ValidationError} If the client is anonymous, or the bucket, key or lifetime is invalid.
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
  const { method, bucket, key, expiresIn } = input;
  checkBucket(bucket);
  if (key !== undefined) checkKey(key);
  check(
    Number.isInteger(expiresIn) && expiresIn > 0 && expiresIn <= MAX_PRESIGN_SECONDS,
    "expiresIn",
    `Expiry must be a whole number of seconds from 1 to ${MAX_PRESIGN_SECONDS}`,
    expiresIn,
  );
  const credentials = await client.credentials();
  if (!credentials) {
    throw new ValidationError("credentials", "Presigning needs credentials, received none");
  }
  const url = requestUrl(
    client,
    bucket,
    key,
    Object.entries(input.query ?? {}).map(([name, value]) => value === "" ? [name] : [name, value]),
  );
  const expires = Math.floor(serviceNow(client) / 1000) + expiresIn;
  const signed = await signRequest(
    client,
    credentials.secretAccessKey,
    { method, url, headers: new Headers(input.headers), bucket },
    expires,
  );
  url.search += (url.search ? "&" : "") +
    `access_key_id=${encodeURIComponent(credentials.accessKeyId)}&expires=${expires}` +
    `&signature=${encodeURIComponent(signed)}`;
  return url.href;
}
