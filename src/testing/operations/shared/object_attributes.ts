/**
 * What the requests that create an object (PUT Object, Initiate Multipart
 * Upload) say about it, as the service checks it: its type, storage class,
 * user metadata (`x-qs-meta-*` headers) and SSE-C key.
 *
 * @module
 */
import {
  isStorageClass,
  MAX_METADATA_NAME,
  MAX_METADATA_SIZE,
  METADATA_NAME,
} from "../../../validate.ts";
import type { EmulatorObject, OperationContext } from "../../model.ts";
import { errorAnswer } from "./answers.ts";
import { OWN_KEY, readEncryption } from "./encryption.ts";

/** What a request that creates an object says about it. */
export type ObjectAttributes = Pick<
  EmulatorObject,
  "contentType" | "storageClass" | "metadata" | "encryptionKeyMd5"
>;

/**
 * Reads the attributes of the object a request creates.
 *
 * @param context The request.
 * @returns The attributes, or the answer refusing them: 400 `invalid_request`
 * for a bad storage class, a refused metadata (see {@linkcode readMetadata})
 * or SSE-C key (see `readEncryption`).
 */
export function readObjectAttributes(context: OperationContext): ObjectAttributes | Response {
  const headers = context.request.headers;
  const storageClass = headers.get("x-qs-storage-class") ?? "STANDARD";
  if (!isStorageClass(storageClass)) {
    return errorAnswer(
      context,
      400,
      "invalid_request",
      `Storage class ${storageClass} is not valid.`,
    );
  }
  const metadata = readMetadata(context);
  if (metadata instanceof Response) return metadata;
  const encryptionKeyMd5 = readEncryption(context, OWN_KEY);
  if (encryptionKeyMd5 instanceof Response) return encryptionKeyMd5;
  const contentType = headers.get("content-type") ?? undefined;
  return { contentType, storageClass, metadata, encryptionKeyMd5 };
}

/**
 * Reads a request's user metadata.
 *
 * @param context The request.
 * @returns The metadata by name (lower-cased, without the prefix), or the
 * answer refusing it: 400 `invalid_argument` for a bad name or value, 400
 * `metadata_too_large` past 2 KB in all or 512 bytes for a name.
 */
export function readMetadata(context: OperationContext): Record<string, string> | Response {
  const metadata: Record<string, string> = {};
  let total = 0;
  for (const [name, value] of context.request.headers) {
    if (!name.startsWith("x-qs-meta-")) continue;
    const short = name.slice("x-qs-meta-".length);
    // An empty value is allowed here, as the service allows it; the client refuses to send one.
    if (!METADATA_NAME.test(short) || !/^[\x20-\x7e]*$/.test(value)) {
      return errorAnswer(
        context,
        400,
        "invalid_argument",
        `Metadata ${name} has a bad name or value.`,
      );
    }
    total += short.length + value.length;
    if (short.length > MAX_METADATA_NAME || total > MAX_METADATA_SIZE) {
      return errorAnswer(
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
