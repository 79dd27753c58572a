/**
 * What a client with a `signer` asks it, and what it expects back (see
 * docs/protocol.md#remote-signing). Types only: the client's code path stays
 * as small as it was.
 *
 * @module
 */

/**
 * A request to sign, as a client with a `signer` declares it for every
 * attempt: everything the string to sign is made of except the date, which
 * the signer chooses (see docs/protocol.md#remote-signing).
 */
export interface SigningRequest {
  /** The operation, as `send()` names it: `"uploadPart"`, `"initiateMultipartUpload"`… */
  operation: string;
  /** The HTTP method. */
  method: string;
  /** The bucket. */
  bucket: string;
  /** The object key; absent for a bucket-level request (List Multipart Uploads). */
  key?: string;
  /**
   * The whole query by wire name, decoded: `{ part_number: "3", upload_id: "…" }`;
   * a bare sub-resource (`uploads`) has the value `""`.
   */
  query: Record<string, string>;
  /**
   * The headers that are signed, by lower-case name, as the request will
   * send them: `content-md5`, `content-type` and every `x-qs-*` header
   * (`x-qs-date` excepted: the signer sets it).
   */
  headers: Record<string, string>;
  /** The client's addressing style, which decides the canonical resource of bucket-level requests. */
  style: "path" | "virtual-host";
  /**
   * Aborts when the attempt is given up (its deadline, the caller's abort, or `stopRetries` before
   * it went out): stop working on it.
   */
  signal: AbortSignal;
}

/** A signer's answer: what goes into the request's `Authorization` and `X-QS-Date` headers. */
export interface SigningResult {
  /** The whole `Authorization` value: `QS <access-key-id>:<signature>`. */
  authorization: string;
  /** The date signed, sent as `X-QS-Date`: an HTTP date such as `Mon, 03 Jun 2024 08:00:00 GMT`. */
  date: string;
}

/**
 * Signs requests for a client that holds no secret, e.g. the one `remoteSigner()` makes.
 * It is called for every attempt, retries included. It may reject with an
 * error carrying a numeric `status` and a string `code`: the operation then
 * fails with a `QingStorError` of that status and code, retried when the status is
 * 0 (no answer), 429 or 5xx, and final otherwise. A rejection with no status
 * counts as 0.
 */
export type Signer = (request: SigningRequest) => Promise<SigningResult>;
