/**
 * Receiving an uploaded body (a part, or a PUT object) with the service's
 * checks: a Content-Length, the size limit, the whole body, the Content-MD5.
 *
 * @module
 */
import { encodeBase64 } from "../../encoding.ts";
import { Md5 } from "../../md5.ts";
import type { RouteContext } from "../model.ts";
import { fail, readBody, streamBody } from "./route.ts";

/** The service's own limit on a part or a PUT object, 5 GiB (the client stops at 5 GB). */
const MAX_BODY = 5 * 1024 ** 3;

/** A body received whole and checked. */
export interface Received {
  /** The bytes, when they are kept. */
  data?: Uint8Array;
  /** The length. */
  size: number;
  /** The MD5. */
  md5: Uint8Array;
}

/**
 * Receives a body: kept whole (`"bytes"` storage), or hashed as it streams
 * and dropped (`"digest"` storage), every chunk also handed to `feed`.
 *
 * @param context The request.
 * @param what The operation's name, for messages.
 * @param keep Whether to keep the bytes.
 * @param feed Also called with each chunk, when not keeping them.
 * @returns The body's size and MD5 (and bytes), or the error to answer with:
 * `invalid_request` without a Content-Length, `entity_too_large`,
 * `incomplete_body` for a short or stalled body, `bad_digest`.
 */
export async function receiveBody(
  context: RouteContext,
  what: string,
  keep: boolean,
  feed?: (chunk: Uint8Array) => void,
): Promise<Received | Response> {
  const headers = context.request.headers;
  const declared = headers.get("content-length");
  if (declared === null && headers.has("transfer-encoding")) {
    return fail(context, 400, "invalid_request", `${what} needs a Content-Length.`);
  }
  const tooLarge = () =>
    fail(context, 400, "entity_too_large", `${what} may not exceed 5 GB, received ${declared}.`);
  // Refused before a byte is read, as a server would.
  if (Number(declared) > MAX_BODY) return tooLarge();
  const hash = new Md5();
  let data: Uint8Array | undefined;
  let size: number | Response;
  if (keep) {
    const bytes = await readBody(context);
    if (bytes instanceof Response) return bytes;
    // Hashed once, for both the Content-MD5 check and the ETag: benchmarks run through here.
    hash.update(bytes);
    [data, size] = [bytes, bytes.length];
  } else {
    size = await streamBody(context, (chunk) => {
      hash.update(chunk);
      feed?.(chunk);
    });
    if (size instanceof Response) return size;
  }
  if (declared !== null && Number(declared) != size) {
    return fail(context, 400, "incomplete_body", "The body is shorter than Content-Length.");
  }
  if (size > MAX_BODY) return tooLarge();
  const md5 = hash.digest();
  const contentMd5 = headers.get("content-md5");
  if (contentMd5 !== null && contentMd5 != encodeBase64(md5)) {
    return fail(context, 400, "bad_digest", "The Content-MD5 does not match the body.");
  }
  return { data, size, md5 };
}
