/**
 * Abort Multipart Upload (see docs/protocol.md#abort-multipart-upload), as the
 * service answers it.
 *
 * @module
 */
import { findUpload, ok, type OperationDefinition } from "./shared/mod.ts";

/** Aborts an upload; succeeds whether or not it exists. */
export const abort: OperationDefinition = {
  name: "abortMultipartUpload",
  write: true,
  matches: (method, key, query) => method == "DELETE" && !!key && query.has("upload_id"),
  handle(context) {
    const upload = findUpload(context);
    if (upload) context.emulator.state.uploads.delete(upload.uploadId);
    return ok(204);
  },
};
