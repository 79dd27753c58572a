/**
 * Conditional headers checked against an object, in the order HTTP gives
 * them: If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since; or
 * their `X-QS-Copy-Source-` forms, which Upload Part Copy checks on its source.
 *
 * @module
 */
import { unquoteEtag } from "../../../request/etag.ts";
import type { EmulatorObject, OperationContext } from "../../model.ts";
import { errorAnswer } from "./answers.ts";

/** The first condition that does not hold, and how it fails. */
export interface FailedCondition {
  /** The header, as named with its prefix. */
  header: string;
  /** `"failed"` answers 412; `"not-modified"` answers 304 to GET and HEAD, 412 to a copy. */
  outcome: "failed" | "not-modified";
}

/**
 * Checks an object's ETag and Last-Modified against conditional headers.
 *
 * @param headers The request headers.
 * @param prefix `""` for GET and HEAD, `"x-qs-copy-source-"` for a copy's source.
 * @param object The object.
 * @returns The first condition that does not hold, or `undefined` when all hold.
 */
export function failedCondition(
  headers: Headers,
  prefix: string,
  object: EmulatorObject,
): FailedCondition | undefined {
  const get = (name: string) => headers.get(prefix + name);
  const tags = (value: string) => value.split(",").map((tag) => unquoteEtag(tag.trim()));
  const etag = object.etag === undefined ? undefined : unquoteEtag(object.etag);
  const matches = (value: string) =>
    tags(value).some((tag) => tag == "*" || (etag !== undefined && tag == etag));
  // Whole seconds, as Last-Modified and the dates compared with it are written.
  const modified = Math.floor(object.created.getTime() / 1000);
  const since = (value: string | null) => {
    const time = value === null ? NaN : Date.parse(value);
    // A date that does not parse is ignored, as HTTP says.
    return Number.isNaN(time) ? undefined : Math.floor(time / 1000);
  };
  const ifMatch = get("if-match");
  if (ifMatch !== null && !matches(ifMatch)) {
    return { header: prefix + "if-match", outcome: "failed" };
  }
  const unmodifiedSince = since(get("if-unmodified-since"));
  if (ifMatch === null && unmodifiedSince !== undefined && modified > unmodifiedSince) {
    return { header: prefix + "if-unmodified-since", outcome: "failed" };
  }
  const ifNoneMatch = get("if-none-match");
  if (ifNoneMatch !== null && matches(ifNoneMatch)) {
    return { header: prefix + "if-none-match", outcome: "not-modified" };
  }
  const modifiedSince = since(get("if-modified-since"));
  if (ifNoneMatch === null && modifiedSince !== undefined && modified <= modifiedSince) {
    return { header: prefix + "if-modified-since", outcome: "not-modified" };
  }
  return undefined;
}

/**
 * Answers 412 `precondition_failed` for a condition that does not hold.
 *
 * @param context The request.
 * @param failed The condition.
 * @param what What was checked: `"object"` or `"source object"`.
 * @returns The answer.
 */
export function preconditionFailed(
  context: OperationContext,
  failed: FailedCondition,
  what: string,
): Response {
  const value = context.request.headers.get(failed.header);
  return errorAnswer(
    context,
    412,
    "precondition_failed",
    `The ${what} does not meet ${failed.header}: ${value}.`,
  );
}
