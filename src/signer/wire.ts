/**
 * The signing protocol between `remoteSigner()` and `handleSignRequest()`,
 * version 1 (see docs/protocol.md#remote-signing): JSON over one POST,
 * `content-type: application/json`, for a batch of requests of one bucket.
 *
 * ```json
 * { "version": 1, "bucket": "mybucket",
 *   "requests": [{ "operation": "uploadPart", "method": "PUT", "key": "a.bin",
 *                  "query": { "part_number": "3", "upload_id": "9f…" },
 *                  "headers": { "content-md5": "g6YKes3LhQu14cy+rs6TNg==" } }] }
 * ```
 *
 * answered, entry by entry in the same order, with
 *
 * ```json
 * { "version": 1,
 *   "signatures": [{ "authorization": "QS AKID:…", "date": "Mon, 03 Jun 2024 08:00:00 GMT" },
 *                  { "error": { "status": 403, "code": "sign_request_refused", "message": "…" } }] }
 * ```
 *
 * A batch refused as a whole is answered with a 4xx (or 500) and
 * `{ "version": 1, "error": { status, code, message, entry? } }`.
 *
 * @module
 */

/** The protocol's version, sent in every batch and answer. */
export const SIGNING_PROTOCOL_VERSION = 1;

/** The most entries in one batch: the client splits larger ones, the server refuses them. */
export const MAX_SIGNING_ENTRIES = 32;

/**
 * The largest batch in bytes: 32 entries with the longest key (1023 bytes,
 * escaped up to six times over) and 2 KiB of metadata each fit.
 */
export const MAX_SIGNING_BODY = 512 * 1024;

/** One request to sign, as it travels. Empty `query` and `headers` may be left out. */
export interface WireSigningEntry {
  /** The operation's name, e.g. `"uploadPart"`. */
  operation: string;
  /** The HTTP method. */
  method: string;
  /** The object key; absent for a bucket-level request. */
  key?: string;
  /** The query by wire name, decoded; `""` for a bare name. */
  query?: Record<string, string>;
  /** The signed headers by lower-case name, `x-qs-date` excepted. */
  headers?: Record<string, string>;
}

/** A batch of requests to sign, all of one bucket. */
export interface WireSigningBatch {
  /** {@linkcode SIGNING_PROTOCOL_VERSION}. */
  version: number;
  /** The bucket of every entry. */
  bucket: string;
  /** The client's addressing style; `"path"` when absent. */
  style?: "path" | "virtual-host";
  /** The requests, 1 to {@linkcode MAX_SIGNING_ENTRIES}. */
  requests: WireSigningEntry[];
}

/** Why a batch or an entry was not signed. */
export interface WireSigningError {
  /** The HTTP status that says it: 400, 403, 405, 413, 415 or 500. */
  status: number;
  /** A code, `sign_…`: see docs/protocol.md#remote-signing. */
  code: string;
  /** What was wrong, for people; never a secret. */
  message: string;
  /** The index of the entry at fault, when one is. */
  entry?: number;
}

/** A signed entry, or why it was not signed. */
export type WireSignature =
  | { authorization: string; date: string }
  | { error: WireSigningError };

/** The answer to a batch. */
export interface WireSigningAnswer {
  /** {@linkcode SIGNING_PROTOCOL_VERSION}. */
  version: number;
  /** One per request, in order: when the batch was handled. */
  signatures?: WireSignature[];
  /** Why the batch as a whole was refused. */
  error?: WireSigningError;
}
