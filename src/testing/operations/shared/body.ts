/**
 * Reading a request body, and receiving an uploaded one (a part, or a PUT
 * object) with the service's checks: a Content-Length, the size limit, the
 * whole body, the Content-MD5.
 *
 * @module
 */
import { encodeBase64 } from "../../../encoding.ts";
import { Md5 } from "../../../md5.ts";
import { DroppedConnection, type OperationContext } from "../../model.ts";
import { BodyTimeout } from "../../read_body.ts";
import { errorAnswer } from "./answers.ts";

/**
 * Reads the request body, or answers `incomplete_body` when it ends early or
 * stops arriving for longer than the body timeout. A dropped connection (an
 * injected fault) is passed on, to be dropped for real.
 */
export function readBody(context: OperationContext): Promise<Uint8Array | Response> {
  return context.body().catch((error) => bodyFailure(context, error));
}

/** Like {@linkcode readBody}, a chunk at a time, keeping none: resolves to the length. */
export function streamBody(
  context: OperationContext,
  onChunk: (chunk: Uint8Array) => void,
): Promise<number | Response> {
  return context.stream(onChunk).catch((error) => bodyFailure(context, error));
}

function bodyFailure(context: OperationContext, error: unknown): Response {
  if (error instanceof DroppedConnection) throw error;
  return errorAnswer(
    context,
    400,
    "incomplete_body",
    error instanceof BodyTimeout
      ? `${error.message} The body is shorter than its Content-Length, or stalled.`
      : "The body ended before Content-Length bytes arrived.",
  );
}

/**
 * Checks a body's MD5 against the request's Content-MD5, when it has one.
 *
 * @param context The request.
 * @param md5 The MD5 of the body received.
 * @returns `undefined` when it matches or none was sent, or the 400 `bad_digest` answer.
 */
export function checkContentMd5(context: OperationContext, md5: Uint8Array): Response | undefined {
  const contentMd5 = context.request.headers.get("content-md5");
  if (contentMd5 === null || contentMd5 == encodeBase64(md5)) return undefined;
  return errorAnswer(context, 400, "bad_digest", "The Content-MD5 does not match the body.");
}

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
  context: OperationContext,
  what: string,
  keep: boolean,
  feed?: (chunk: Uint8Array) => void,
): Promise<Received | Response> {
  const headers = context.request.headers;
  const declared = headers.get("content-length");
  if (declared === null && headers.has("transfer-encoding")) {
    return errorAnswer(context, 400, "invalid_request", `${what} needs a Content-Length.`);
  }
  const tooLarge = () =>
    errorAnswer(
      context,
      400,
      "entity_too_large",
      `${what} may not exceed 5 GB, received ${declared}.`,
    );
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
    return errorAnswer(context, 400, "incomplete_body", "The body is shorter than Content-Length.");
  }
  if (size > MAX_BODY) return tooLarge();
  const md5 = hash.digest();
  return checkContentMd5(context, md5) ?? { data, size, md5 };
}
