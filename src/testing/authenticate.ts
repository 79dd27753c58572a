/**
 * How the emulator authenticates a request, as the service does: anonymous
 * access to public buckets (see docs/protocol.md#anonymous-access), header
 * signatures within the 15-minute window (see docs/protocol.md#signing-requests),
 * and query signatures until they expire (see docs/protocol.md#presigned-urls).
 *
 * @module
 */
import { canonicalizedResource } from "../sign/canonicalized_resource.ts";
import { signature } from "../sign/signature.ts";
import { stringToSign } from "../sign/string_to_sign.ts";
import type { Emulator, EmulatorOperation, EmulatorRequestRecord, Refusal } from "./model.ts";

const FIFTEEN_MINUTES = 15 * 60 * 1000;
const RFC_1123 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/;

/** A request addressed and matched to an operation, as authentication needs it. */
export interface RequestToAuthenticate {
  request: Request;
  url: URL;
  query: Map<string, string>;
  bucket: string;
  /** The bucket named in the host, for virtual-host requests. */
  virtualHostBucket?: string;
  operation: EmulatorOperation;
  /** Whether the operation needs write permission. */
  write: boolean;
}

/**
 * Checks who sent a request and whether the signature, date and permission
 * hold. Records how it was authenticated on `record`.
 *
 * @param emulator The emulator, for its credentials, public buckets and clock.
 * @param toAuthenticate The request, its address and its operation.
 * @param record The request's record.
 * @returns `undefined` when the request may go on, or the status, code and message to refuse it with.
 */
export async function authenticate(
  emulator: Emulator,
  toAuthenticate: RequestToAuthenticate,
  record: EmulatorRequestRecord,
): Promise<Refusal | undefined> {
  const { request, url, query, bucket, virtualHostBucket, operation, write } = toAuthenticate;
  const authorization = request.headers.get("authorization");
  const queryKeyId = query.get("access_key_id");
  if (!authorization && queryKeyId === undefined) {
    // Listing a bucket's uploads anonymously would need a bucket policy (see
    // docs/protocol.md#anonymous-list-multipart-uploads). DELETE Object is never anonymous,
    // public bucket or not, as its docs say.
    if (
      emulator.options.publicBuckets?.includes(bucket) &&
      operation != "listMultipartUploads" && operation != "deleteObject"
    ) {
      return undefined;
    }
    return [
      403,
      "permission_denied",
      `Anonymous users may not ${write ? "write to" : "read"} bucket ${bucket}.`,
    ];
  }
  record.auth = authorization ? "header" : "query";
  const [, keyId, given] = authorization
    ? /^QS ([^:]+):(.+)$/.exec(authorization) ?? []
    : [, queryKeyId, query.get("signature")];
  const secret = emulator.options.credentials?.find((pair) => pair.accessKeyId == keyId)
    ?.secretAccessKey;
  if (!keyId || !secret) return [401, "invalid_access_key_id", "The access key ID is not known."];
  const now = emulator.now();
  let expires: number | undefined;
  if (authorization) {
    const text = request.headers.get("x-qs-date") || request.headers.get("date");
    if (!text) {
      return [401, "signature_not_matched", "The request has neither Date nor X-QS-Date."];
    }
    if (!RFC_1123.test(text)) {
      return [400, "invalid_argument", `The date ${text} is not in the RFC 1123 GMT form.`];
    }
    const date = Date.parse(text);
    if (Math.abs(date - now) > FIFTEEN_MINUTES) {
      return [
        403,
        "request_expired",
        "The request date is more than 15 minutes from the server's time.",
      ];
    }
  } else {
    expires = Number(query.get("expires"));
    if (!Number.isInteger(expires)) {
      return [400, "invalid_argument", "The expires parameter must be whole seconds."];
    }
    if (expires * 1000 < now) return [403, "request_expired", "The presigned URL has expired."];
  }
  const expected = await signature(
    secret,
    stringToSign(
      { method: request.method, url, headers: request.headers, virtualHostBucket },
      expires,
    ),
  );
  if (expected != given) {
    return [
      401,
      "signature_not_matched",
      `The signature does not match; the canonical resource is ${
        canonicalizedResource(url, virtualHostBucket)
      }.`,
    ];
  }
  return undefined;
}
