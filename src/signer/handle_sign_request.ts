import type { Client } from "../client.ts";
import { check } from "../validate.ts";
import type { SignableOperation } from "./signable_operations.ts";

/** What `authorize` is asked about: one request of a batch, checked. */
export interface SigningAuthorization {
  /** The operation. */
  operation: SignableOperation;
  /** The bucket. */
  bucket: string;
  /**
   * The object key; `""` (every key) for `listMultipartUploads`: the service
   * does not sign its `prefix`, so its signature lists the uploads of the
   * whole bucket, whatever prefix is sent with it. A per-user prefix rule
   * refuses it; `upload()` then reports the uploads it could not look for
   * (after an initiate whose answer was lost): as `cleanupError`, or in a
   * `LeftoverUploadsError` when it fails.
   */
  key: string;
  /** The upload ID, for the operations on an upload. */
  uploadId?: string;
  /** The part number, for `uploadPart`. */
  partNumber?: number;
  /**
   * The headers it declares as they are signed (by lower-case name, values
   * trimmed, as `Headers` sends them): content type, metadata, storage class…
   */
  headers: Readonly<Record<string, string>>;
  /** The HTTP request that asked, to read who is asking (a cookie, a token). */
  request: Request;
}

/** Options of {@linkcode handleSignRequest}. */
export interface HandleSignRequestOptions {
  /**
   * Decides whether a request may be signed: `true` signs it; `false`, or
   * throwing, refuses it with 403 `sign_request_refused`. Asked once per
   * entry, only for entries that passed every check. May be async.
   */
  authorize: (request: SigningAuthorization) => boolean | Promise<boolean>;
}

/**
 * Answers a signing request from {@linkcode remoteSigner}: the server half
 * of a client that holds no secret (see docs/protocol.md#remote-signing).
 * Use it in a Worker's `fetch`, `Deno.serve`, Bun or Node behind your own
 * authentication.
 *
 * It reads the JSON batch (at most 512 KiB and 32 entries), checks every
 * entry against the operations it signs (initiate, upload part, list parts,
 * complete and abort of multipart uploads, a plain object PUT, and the
 * listing of uploads that `upload()` needs to clean up, asked about as the
 * key `""` since its signature lists every key's), each with its exact
 * method, query and headers, all of one bucket; anything
 * else refuses the whole batch before `authorize` is asked. Then it asks
 * `authorize` about each entry, and for those allowed **rebuilds the string
 * to sign itself** from the declared fields, dated with its own clock, and
 * signs it with the client's credentials. It never signs a string it is
 * handed, and never answers the secret.
 *
 * Answers are JSON with `cache-control: no-store`: 200 with one signature or
 * error per entry (403 when every entry was refused); 400 malformed, 403
 * operation not signed, 405 not POST, 413 too large, 415 not
 * `application/json` (which also keeps cross-site forms out), 500 when the
 * client has no credentials. CORS, if the page is on another origin, is
 * yours to add.
 *
 * @param client A client with credentials; its endpoint is not used.
 * @param request The signing request.
 * @param options `authorize`, which decides who may sign what.
 * @returns The answer to send back.
 * @throws {ValidationError} If `authorize` is not a function. Never for a bad request (that is
 * a 4xx answer); otherwise it rejects only if the client's credentials function rejects, or if
 * the batch code it loads at its first request cannot be loaded (nothing is signed then).
 *
 * @example A Worker that signs uploads under the user's own prefix
 * ```ts
 * import { createClient, handleSignRequest } from "qingstor-multipart";
 * import assert from "node:assert/strict";
 *
 * const client = createClient({
 *   zone: "pek3a",
 *   credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
 * });
 * const user = "alice"; // from your session, in a real Worker
 * const request = new Request("https://example.com/sign", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({
 *     version: 1,
 *     bucket: "mybucket",
 *     requests: [{ operation: "initiateMultipartUpload", method: "POST", key: "alice/a.bin",
 *       query: { uploads: "" } }],
 *   }),
 * });
 * const response = await handleSignRequest(client, request, {
 *   authorize: ({ key }) => key.startsWith(`${user}/`),
 * });
 * const { signatures: [signed] } = await response.json();
 * assert.match(signed.authorization, /^QS AKID:/);
 * ```
 */
export async function handleSignRequest(
  client: Client,
  request: Request,
  options: HandleSignRequestOptions,
): Promise<Response> {
  check(
    typeof options?.authorize == "function",
    "authorize",
    "authorize must be a function deciding who may sign what",
    `a ${typeof options?.authorize}`,
  );
  // The server's code loads at the first request it handles: programs that only upload, in a
  // page or in Node, do not parse it when they import the package (see scripts/bench/import.ts).
  return (await import("./sign_batch.ts")).signBatch(client, request, options);
}
