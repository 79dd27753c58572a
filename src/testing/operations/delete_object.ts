/**
 * DELETE Object, as the service answers it: 204 whether or not the object
 * existed.
 *
 * @module
 */
import { type EmulatorRoute, ok } from "./route.ts";

/** Deletes an object; succeeds whether or not it exists. */
export const deleteObject: EmulatorRoute = {
  name: "deleteObject",
  write: true,
  matches: (method, key, query) => method == "DELETE" && !!key && !query.has("upload_id"),
  handle(context) {
    context.emulator.state.objects.delete(`${context.bucket}/${context.key}`);
    return ok(204);
  },
};
