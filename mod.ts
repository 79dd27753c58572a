/**
 * Multipart uploads to QingStor object storage from any JavaScript runtime:
 * Deno, Node 20+, Bun, Cloudflare Workers and browsers. Requests are signed
 * with WebCrypto and sent with `fetch`; there are no dependencies.
 *
 * @example
 * ```ts
 * import { createClient, upload } from "qingstor-multipart";
 * import { createEmulator } from "qingstor-multipart/testing";
 * import assert from "node:assert/strict";
 *
 * // The emulator stands in for QingStor; for the service, give `zone` and your keys instead.
 * const credentials = { accessKeyId: "AKID", secretAccessKey: "secret" };
 * const emulator = createEmulator({ credentials: [credentials] });
 * const client = createClient({ endpoint: "http://localhost", credentials, fetch: emulator.fetch });
 *
 * const result = await upload(client, {
 *   bucket: "mybucket",
 *   key: "videos/大 file (1).mp4",
 *   body: new Blob(["a small video"]),
 *   contentType: "video/mp4",
 * });
 * assert.equal(emulator.state.objects.get("mybucket/videos/大 file (1).mp4")?.size, result.size);
 * ```
 *
 * @module
 */
export {
  type Client,
  type ClientOptions,
  createClient,
  type Credentials,
  type RetryOptions,
} from "./src/client.ts";
export {
  CompleteStatusUnknownError,
  LeftoverUploadsError,
  QingStorError,
  type QingStorErrorInit,
  ResumeStoreError,
  SourceError,
  type UploadedPart,
  UploadError,
  ValidationError,
} from "./src/errors.ts";
export type { Encryption } from "./src/request/encryption_headers.ts";
export {
  initiateMultipartUpload,
  type InitiateMultipartUploadInput,
  type InitiateMultipartUploadResult,
  type ObjectTarget,
} from "./src/operations/initiate_multipart_upload.ts";
export type { ObjectProperties } from "./src/request/object_headers.ts";
export type { UploadAddress } from "./src/operations/upload_address.ts";
export {
  type PartTarget,
  uploadPart,
  type UploadPartInput,
  type UploadPartResult,
} from "./src/operations/upload_part.ts";
export {
  uploadPartCopy,
  type UploadPartCopyInput,
  type UploadPartCopyResult,
} from "./src/operations/upload_part_copy.ts";
export {
  iterateParts,
  type ListedPart,
  listParts,
  type ListPartsInput,
  type ListPartsResult,
} from "./src/operations/list_parts.ts";
export {
  type CompletedPart,
  completeMultipartUpload,
  type CompleteMultipartUploadInput,
  type CompleteMultipartUploadResult,
} from "./src/operations/complete_multipart_upload.ts";
export {
  abortMultipartUpload,
  type AbortMultipartUploadInput,
} from "./src/operations/abort_multipart_upload.ts";
export {
  iterateMultipartUploads,
  type ListedUpload,
  listMultipartUploads,
  type ListMultipartUploadsInput,
  type ListMultipartUploadsResult,
} from "./src/operations/list_multipart_uploads.ts";
export {
  MAX_PUT_OBJECT_SIZE,
  putObject,
  type PutObjectInput,
  type PutObjectResult,
} from "./src/operations/put_object.ts";
export { MAX_PRESIGN_SECONDS, presign, type PresignInput } from "./src/operations/presign.ts";
export { presignParts, type PresignPartsInput } from "./src/operations/presign_parts.ts";
export { syncClock, type SyncClockOptions } from "./src/operations/sync_clock.ts";
export {
  MAX_PART_SIZE,
  MAX_PARTS,
  MIN_PART_SIZE,
  STORAGE_CLASSES,
  type StorageClass,
} from "./src/validate.ts";
export {
  type MultipartUploadResult,
  type SinglePutResult,
  upload,
  type UploadInput,
  type UploadProgress,
  type UploadResult,
} from "./src/upload/upload.ts";
export type { ResumeStore } from "./src/upload/resume_store.ts";
export {
  localStorageResumeStore,
  type StorageLike,
} from "./src/upload/local_storage_resume_store.ts";
export type { UploadBody } from "./src/upload/upload_body.ts";
export type { Signer, SigningRequest, SigningResult } from "./src/signer/signer.ts";
export { remoteSigner, type RemoteSignerOptions } from "./src/signer/remote_signer.ts";
export {
  handleSignRequest,
  type HandleSignRequestOptions,
  type SigningAuthorization,
} from "./src/signer/handle_sign_request.ts";
export type {
  WireSignature,
  WireSigningAnswer,
  WireSigningBatch,
  WireSigningEntry,
  WireSigningError,
} from "./src/signer/wire.ts";
export type { SignableOperation } from "./src/signer/signable_operations.ts";
