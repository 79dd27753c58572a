/**
 * What a request that creates an object says about it, as headers: its
 * type, storage class, user metadata and SSE-C key. Initiate Multipart
 * Upload and PUT Object send the same ones, checked by the same rules.
 *
 * @module
 */
import { type Encryption, encryptionHeaders } from "./encryption_headers.ts";
import { checkHeaderValue, checkStorageClass, type StorageClass } from "../validate.ts";

/** The properties of an object being created, which it keeps (see docs/protocol.md#object-properties). */
export interface ObjectProperties {
  /** The object's Content-Type, at most 255 characters. */
  contentType?: string;
  /** The storage class; the service's default is `"STANDARD"`. */
  storageClass?: StorageClass;
  /** User metadata, sent as `x-qs-meta-<name>` headers; printable ASCII values. */
  metadata?: Record<string, string>;
  /** Encrypt the object with this customer key (SSE-C); every later request of it needs the key. */
  encryption?: Encryption;
}

/**
 * Checks an object's properties and turns them into the headers that set them.
 *
 * @param properties The properties.
 * @returns The headers; `undefined` values are not sent.
 * @throws {ValidationError} If the content type, storage class, metadata or encryption key
 * breaks a rule of the service.
 */
export async function objectHeaders(
  { contentType, storageClass, metadata, encryption }: ObjectProperties,
): Promise<Record<string, string | undefined>> {
  if (contentType !== undefined) checkHeaderValue("contentType", contentType, 255);
  if (storageClass !== undefined) checkStorageClass(storageClass);
  return {
    "content-type": contentType,
    "x-qs-storage-class": storageClass,
    // Loaded only when metadata is given, as SSE-C's code is: most objects carry neither.
    ...metadata !== undefined &&
      (await import("./metadata_headers.ts")).metadataHeaders(metadata),
    ...await encryptionHeaders(encryption),
  };
}
