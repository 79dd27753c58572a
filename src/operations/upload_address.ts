/**
 * Where an upload in progress is: the shape every operation on an existing
 * upload takes (upload part, copy, list parts, complete, abort), so that a
 * value from `initiateMultipartUpload` can be spread into any of them.
 */
export interface UploadAddress {
  /** The bucket. */
  bucket: string;
  /** The object key. */
  key: string;
  /** The upload ID from `initiateMultipartUpload`. */
  uploadId: string;
  /** Cancels the request. */
  signal?: AbortSignal;
}
