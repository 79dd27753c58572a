/**
 * What GET and HEAD Object share: finding the object, checking its key and
 * the request's conditions, and the headers that describe it.
 *
 * @module
 */
import type { EmulatorObject, OperationContext } from "../../model.ts";
import { errorAnswer } from "./answers.ts";
import { checkReadKey, encryptionAnswer, OWN_KEY } from "./encryption.ts";
import { failedCondition, preconditionFailed } from "./preconditions.ts";
import { findObject } from "./objects.ts";

/**
 * Finds the object a GET or HEAD names and checks that the request may read it.
 *
 * @param context The request.
 * @returns The object and the headers describing it, or the answer to give
 * instead: 404 `object_not_exists`, a refused key (see `checkReadKey`; HEAD
 * may leave it out), 412 `precondition_failed`, or 304 Not Modified.
 */
export function readObject(
  context: OperationContext,
): { object: EmulatorObject; headers: Record<string, string> } | Response {
  const object = findObject(context);
  if (!object) return errorAnswer(context, 404, "object_not_exists", "The object does not exist.");
  // HEAD tells an encrypted object's metadata without its key; GET needs the key.
  const denied = checkReadKey(
    context,
    OWN_KEY,
    object.encryptionKeyMd5,
    context.request.method == "HEAD",
  );
  if (denied) return denied;
  const headers: Record<string, string> = {
    "content-type": object.contentType ?? "application/octet-stream",
    "content-length": String(object.size),
    "last-modified": object.created.toUTCString(),
    "x-qs-storage-class": object.storageClass,
    ...encryptionAnswer(object.encryptionKeyMd5),
  };
  if (object.etag) headers.etag = object.etag;
  for (const [name, value] of Object.entries(object.metadata)) {
    headers["x-qs-meta-" + name] = value;
  }
  const failed = failedCondition(context.request.headers, "", object);
  if (failed?.outcome == "not-modified") {
    const { etag, "last-modified": lastModified } = headers;
    return new Response(null, {
      status: 304,
      headers: etag ? { etag, "last-modified": lastModified } : { "last-modified": lastModified },
    });
  }
  if (failed) return preconditionFailed(context, failed, "object");
  return { object, headers };
}
