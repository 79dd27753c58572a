/**
 * Initiate Multipart Upload (see docs/protocol.md#initiate-multipart-upload), as
 * the service answers it.
 *
 * @module
 */
import type { EmulatorUpload } from "../model.ts";
import {
  encryptionAnswer,
  newChain,
  ok,
  type OperationDefinition,
  readObjectAttributes,
} from "./shared/mod.ts";

/** Starts an upload, checking storage class, metadata and SSE-C headers. */
export const initiate: OperationDefinition = {
  name: "initiateMultipartUpload",
  write: true,
  matches: (method, key, query) => method == "POST" && !!key && query.has("uploads"),
  handle(context) {
    const attributes = readObjectAttributes(context);
    if (attributes instanceof Response) return attributes;
    // A counter first, then randomness: IDs sort by creation, as listing pages need.
    const uploadId = (++context.internals.uploadsInitiated).toString(16).padStart(8, "0") +
      crypto.randomUUID().replaceAll("-", "").slice(0, 24);
    const upload: EmulatorUpload = {
      bucket: context.bucket,
      key: context.key!,
      uploadId,
      created: new Date(context.emulator.now()),
      ...attributes,
      parts: new Map(),
      digest: context.emulator.options.storage == "digest" ? newChain() : undefined,
    };
    context.emulator.state.uploads.set(uploadId, upload);
    return ok(
      200,
      { bucket: context.bucket, key: context.key, upload_id: uploadId },
      encryptionAnswer(attributes.encryptionKeyMd5),
    );
  },
};
