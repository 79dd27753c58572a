/**
 * HEAD Object, as the service answers it: the object's headers, no body.
 *
 * @module
 */
import { ok, type OperationDefinition, readObject } from "./shared/mod.ts";

/** Answers with an object's headers: size, type, ETag, Last-Modified, metadata. */
export const headObject: OperationDefinition = {
  name: "headObject",
  write: false,
  matches: (method, key, query) => method == "HEAD" && !!key && !query.has("upload_id"),
  handle(context) {
    const found = readObject(context);
    return found instanceof Response ? found : ok(200, undefined, found.headers);
  },
};
