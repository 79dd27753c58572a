/**
 * What every emulated operation is made of, and the helpers they share.
 *
 * @module
 */
import {
  DroppedConnection,
  type EmulatorOperation,
  type EmulatorUpload,
  errorResponse,
  type RouteContext,
} from "../model.ts";
import { BodyTimeout } from "../read_body.ts";

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

/**
 * Reads the request body, or answers `incomplete_body` when it ends early or
 * stops arriving for longer than the body timeout. A dropped connection (an
 * injected fault) is passed on, to be dropped for real.
 */
export function readBody(context: RouteContext): Promise<Uint8Array | Response> {
  return context.body().catch((error) => bodyFailure(context, error));
}

/** Like {@linkcode readBody}, a chunk at a time, keeping none: resolves to the length. */
export function streamBody(
  context: RouteContext,
  onChunk: (chunk: Uint8Array) => void,
): Promise<number | Response> {
  return context.stream(onChunk).catch((error) => bodyFailure(context, error));
}

function bodyFailure(context: RouteContext, error: unknown): Response {
  if (error instanceof DroppedConnection) throw error;
  return fail(
    context,
    400,
    "incomplete_body",
    error instanceof BodyTimeout
      ? `${error.message} The body is shorter than its Content-Length, or stalled.`
      : "The body ended before Content-Length bytes arrived.",
  );
}

/**
 * The upload, if it still exists: a request that read a body may find it
 * aborted meanwhile, and must then store nothing.
 */
export function stillThere(context: RouteContext, upload: EmulatorUpload): boolean {
  return context.emulator.state.uploads.get(upload.uploadId) === upload;
}
