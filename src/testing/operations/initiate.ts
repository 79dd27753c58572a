/**
 * Initiate Multipart Upload (see docs/protocol.md#initiate-multipart-upload), as
 * the service answers it.
 *
 * @module
 */
import { isStorageClass } from "../../validate.ts";
import type { EmulatorUpload } from "../model.ts";
import { type EmulatorRoute, fail, ok } from "./route.ts";
import { encryptionAnswer, OWN_KEY, readEncryption } from "./encryption.ts";
import { readMetadata } from "./read_metadata.ts";
import { newChain } from "./digest_chain.ts";

/** Starts an upload, checking storage class, metadata and SSE-C headers. */
export const initiate: EmulatorRoute = {
  name: "initiateMultipartUpload",
  write: true,
  matches: (method, key, query) => method == "POST" && !!key && query.has("uploads"),
  handle(context) {
    const headers = context.request.headers;
    const storageClass = headers.get("x-qs-storage-class") ?? "STANDARD";
    if (!isStorageClass(storageClass)) {
      return fail(context, 400, "invalid_request", `Storage class ${storageClass} is not valid.`);
    }
    const metadata = readMetadata(context);
    if (metadata instanceof Response) return metadata;
    const encryptionKeyMd5 = readEncryption(context, OWN_KEY);
    if (encryptionKeyMd5 instanceof Response) return encryptionKeyMd5;
    // A counter first, then randomness: IDs sort by creation, as listing pages need.
    const uploadId = (++context.internals.uploadsInitiated).toString(16).padStart(8, "0") +
      crypto.randomUUID().replaceAll("-", "").slice(0, 24);
    const upload: EmulatorUpload = {
      bucket: context.bucket,
      key: context.key!,
      uploadId,
      created: new Date(context.emulator.now()),
      contentType: headers.get("content-type") ?? undefined,
      storageClass,
      metadata,
      encryptionKeyMd5,
      parts: new Map(),
      digest: context.emulator.options.storage == "digest" ? newChain() : undefined,
    };
    context.emulator.state.uploads.set(uploadId, upload);
    return ok(
      200,
      { bucket: context.bucket, key: context.key, upload_id: uploadId },
      encryptionAnswer(encryptionKeyMd5),
    );
  },
};
