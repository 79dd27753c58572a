/**
 * Initiate Multipart Upload (see docs/protocol.md#initiate-multipart-upload), as
 * the service answers it.
 *
 * @module
 */
import { Md5 } from "../../md5.ts";
import {
  isStorageClass,
  MAX_METADATA_NAME,
  MAX_METADATA_SIZE,
  METADATA_NAME,
} from "../../validate.ts";
import type { EmulatorUpload, RouteContext } from "../model.ts";
import { type EmulatorRoute, fail, ok, readEncryption } from "./route.ts";
import { chains } from "./digest_chain.ts";

function readMetadata(context: RouteContext): Record<string, string> | Response {
  const metadata: Record<string, string> = {};
  let total = 0;
  for (const [name, value] of context.request.headers) {
    if (!name.startsWith("x-qs-meta-")) continue;
    const short = name.slice("x-qs-meta-".length);
    // An empty value is allowed here, as the service allows it; the client refuses to send one.
    if (!METADATA_NAME.test(short) || !/^[\x20-\x7e]*$/.test(value)) {
      return fail(context, 400, "invalid_argument", `Metadata ${name} has a bad name or value.`);
    }
    total += short.length + value.length;
    if (short.length > MAX_METADATA_NAME || total > MAX_METADATA_SIZE) {
      return fail(
        context,
        400,
        "metadata_too_large",
        "Metadata exceeds 2 KB, or a name exceeds 512 bytes.",
      );
    }
    metadata[short] = value;
  }
  return metadata;
}

let uploadCounter = 0;

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
    const encryptionKeyMd5 = readEncryption(context, "x-qs-encryption-customer-");
    if (encryptionKeyMd5 instanceof Response) return encryptionKeyMd5;
    // A counter first, then randomness: IDs sort by creation, as listing pages need.
    const uploadId = (++uploadCounter).toString(16).padStart(8, "0") +
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
    };
    context.emulator.state.uploads.set(uploadId, upload);
    if (context.emulator.options.storage == "digest") {
      chains.set(upload, { next: 0, md5: new Md5(), pending: new Map(), broken: false });
    }
    return ok(200, { bucket: context.bucket, key: context.key, upload_id: uploadId });
  },
};
