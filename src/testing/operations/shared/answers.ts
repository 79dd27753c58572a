/**
 * The answers operations give: the service's error body, a success, and the
 * errors several operations answer alike.
 *
 * @module
 */
import { errorResponse, type OperationContext } from "../../model.ts";

/** Answers with the service's error body. */
export const errorAnswer = (
  context: OperationContext,
  status: number,
  code: string,
  message: string,
) => errorResponse(status, code, message, context.requestId);

/** Answers with a success: a JSON body when given one, an empty body otherwise. */
export const ok = (
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
) =>
  body === undefined
    ? new Response(null, { status, headers })
    : Response.json(body, { status, headers });

/** Answers as the service does for an unknown upload ID. */
export const noUpload = (context: OperationContext) =>
  errorAnswer(context, 404, "upload_not_exists", "The multipart upload does not exist.");
