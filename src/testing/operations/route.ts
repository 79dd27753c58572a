/**
 * What every emulated operation is made of, and the helpers they share.
 *
 * @module
 */
import { decodeBase64, encodeBase64 } from "../../encoding.ts";
import { md5 } from "../../md5.ts";
import {
  DroppedConnection,
  type EmulatorOperation,
  type EmulatorUpload,
  errorResponse,
  type RouteContext,
} from "../model.ts";

/** One operation: how it is recognised and how it is answered. */
export interface EmulatorRoute {
  /** The client's name for it. */
  name: EmulatorOperation;
  /** Whether it needs write permission (for anonymous access to public buckets). */
  write: boolean;
  /** Whether a request is this operation, by method, key, query and headers. */
  matches(
    method: string,
    key: string | undefined,
    query: Map<string, string>,
    headers: Headers,
  ): boolean;
  /** Answers the request, authenticated already. */
  handle(context: RouteContext): Response | Promise<Response>;
}

/** Answers with the service's error body. */
export const fail = (context: RouteContext, status: number, code: string, message: string) =>
  errorResponse(status, code, message, context.requestId);
/** Answers with a success: a JSON body when given one, an empty body otherwise. */
export const ok = (
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
) =>
  body === undefined
    ? new Response(null, { status, headers })
    : Response.json(body, { status, headers });

/** The upload that the request's `upload_id` names, if it is of this bucket and key. */
export function findUpload(context: RouteContext): EmulatorUpload | undefined {
  const upload = context.emulator.state.uploads.get(context.query.get("upload_id") ?? "");
  return upload?.bucket == context.bucket && upload.key == context.key ? upload : undefined;
}

/** Answers as the service does for an unknown upload ID. */
export const noUpload = (context: RouteContext) =>
  fail(context, 404, "upload_not_exists", "The multipart upload does not exist.");

/** Checks SSE-C headers; returns the key MD5, an error response, or undefined when absent. */
export function readEncryption(
  context: RouteContext,
  prefix: string,
): string | Response | undefined {
  const headers = context.request.headers;
  const algorithm = headers.get(prefix + "algorithm");
  const key = headers.get(prefix + "key");
  const keyMd5 = headers.get(prefix + "key-md5");
  if (!algorithm && !key && !keyMd5) return;
  let raw: Uint8Array | undefined;
  try {
    raw = decodeBase64(key ?? "");
  } catch { /* reported below */ }
  if (algorithm != "AES256" || raw?.length != 32 || encodeBase64(md5(raw)) != keyMd5) {
    return fail(
      context,
      400,
      "invalid_argument",
      "The encryption headers are not a valid AES256 key and MD5.",
    );
  }
  return keyMd5;
}

/**
 * Reads the request body, or answers `incomplete_body` when it ends early. A
 * dropped connection (an injected fault) is passed on, to be dropped for real.
 */
export async function readBody(context: RouteContext): Promise<Uint8Array | Response> {
  try {
    return await context.body();
  } catch (error) {
    if (error instanceof DroppedConnection) throw error;
    return fail(
      context,
      400,
      "incomplete_body",
      "The body ended before Content-Length bytes arrived.",
    );
  }
}
