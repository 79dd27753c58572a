/**
 * HEAD Object, as the service answers it: the object's headers, no body.
 *
 * @module
 */
import { type EmulatorRoute, ok } from "./route.ts";
import { readObject } from "./object_answer.ts";

/** Answers with an object's headers: size, type, ETag, Last-Modified, metadata. */
export const headObject: EmulatorRoute = {
  name: "headObject",
  write: false,
  matches: (method, key, query) => method == "HEAD" && !!key && !query.has("upload_id"),
  handle(context) {
    const found = readObject(context);
    return found instanceof Response ? found : ok(200, undefined, found.headers);
  },
};
