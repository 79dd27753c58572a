/**
 * DELETE Object, as the service answers it: 204 whether or not the object
 * existed.
 *
 * @module
 */
import { deleteObject as deleteStored, ok, type OperationDefinition } from "./shared/mod.ts";

/** Deletes an object; succeeds whether or not it exists. */
export const deleteObject: OperationDefinition = {
  name: "deleteObject",
  write: true,
  matches: (method, key, query) => method == "DELETE" && !!key && !query.has("upload_id"),
  handle(context) {
    deleteStored(context);
    return ok(204);
  },
};
