/** The parts of a service error response that a {@linkcode QingStorError} carries. */
export interface QingStorErrorInit {
  /** The operation that failed, e.g. `"initiateMultipartUpload"`. */
  operation: string;
  /** The HTTP status; `0` when no response arrived (a network failure). */
  status: number;
  /** The service's error code, e.g. `"signature_not_matched"`; absent when the body had none. */
  code?: string;
  /** The service's message, or a description of what happened. */
  message: string;
  /** The `x-qs-request-id` of the failed response, for support tickets. */
  requestId?: string;
  /** The documentation link the service sent with the error. */
  url?: string;
  /** How many attempts were made, retries included. */
  attempts: number;
  /** Whether the request may have taken effect: an attempt got no answer, or a 5xx. */
  mayHaveTakenEffect?: boolean;
  /**
   * The underlying error, for network failures; `send()` keeps a transport's error reduced to
   * its name, message and code, secrets cut out.
   */
  cause?: unknown;
}

/**
 * A request the service refused, or one that could not reach it after every
 * retry. It never carries credentials, signatures or request headers, so it
 * is safe to log.
 *
 * @example
 * ```ts
 * import { QingStorError } from "qingstor-multipart";
 *
 * const error = new QingStorError({
 *   operation: "uploadPart",
 *   status: 404,
 *   code: "upload_not_exists",
 *   message: "The upload does not exist.",
 *   requestId: "aa08cf7a43f611e5",
 *   attempts: 1,
 * });
 * error.code; // "upload_not_exists"
 * ```
 */
export class QingStorError extends Error {
  /** Always `"QingStorError"`. */
  override name = "QingStorError";
  /** The operation that failed, e.g. `"initiateMultipartUpload"`. */
  declare readonly operation: string;
  /** The HTTP status; `0` when no response arrived (a network failure). */
  declare readonly status: number;
  /** The service's error code; compare it with `===` after lower-casing if needed. */
  declare readonly code?: string;
  /** The `x-qs-request-id` of the failed response. */
  declare readonly requestId?: string;
  /** The documentation link the service sent with the error. */
  declare readonly url?: string;
  /** How many attempts were made, retries included. */
  declare readonly attempts: number;
  /**
   * Whether the request may have taken effect although it failed: an
   * attempt went out and got no answer, or a 5xx. For a request that is not
   * idempotent this matters: a failed `initiateMultipartUpload` may then have
   * created an upload whose ID nobody knows (`upload()` finds and aborts such
   * uploads; see `listMultipartUploads` to do it yourself).
   */
  declare readonly mayHaveTakenEffect: boolean;

  /**
   * Creates the error from the parts of a failed response.
   *
   * @param init What the response said.
   */
  constructor(init: QingStorErrorInit) {
    const { operation, status, code, message, requestId, cause } = init;
    super(
      `${operation} failed with ${status || "no response"}${code ? " " + code : ""}: ${message}${
        requestId ? ` (request id ${requestId})` : ""
      }`,
      { cause },
    );
    this.operation = operation;
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.url = init.url;
    this.attempts = init.attempts;
    this.mayHaveTakenEffect = !!init.mayHaveTakenEffect;
  }
}

/**
 * Input that breaks a rule of the service, found before any request is sent.
 * The message names the parameter, the rule and the value received (secrets
 * are described, never shown).
 *
 * @example
 * ```ts
 * import { ValidationError } from "qingstor-multipart";
 *
 * const error = new ValidationError("key", "Key must not be empty");
 * error.parameter; // "key"
 * ```
 */
export class ValidationError extends Error {
  /** Always `"ValidationError"`. */
  override name = "ValidationError";
  /** The parameter that broke the rule, e.g. `"key"` or `"metadata"`. */
  readonly parameter: string;

  /**
   * Creates the error.
   *
   * @param parameter The parameter that broke the rule.
   * @param message What the rule is and what was received.
   */
  constructor(parameter: string, message: string) {
    super(message);
    this.parameter = parameter;
  }
}

/** A part that is on the service, as {@linkcode UploadError} and `upload()` report it. */
export interface UploadedPart {
  /** The part number. */
  partNumber: number;
  /** Its size in bytes. */
  size: number;
  /** Its ETag, bare; absent where a browser may not read it. */
  etag?: string;
}

/**
 * `upload()` failed after the upload was initiated: a part or the complete
 * request failed for good. Unless `leavePartsOnError` was set, the upload has
 * been aborted on the service by the time this is thrown; otherwise its parts
 * are kept and listed here, so `upload()` can resume with `uploadId`.
 *
 * @example
 * ```ts ignore
 * import { upload, UploadError } from "qingstor-multipart";
 *
 * try {
 *   await upload(client, { bucket, key, body, leavePartsOnError: true });
 * } catch (error) {
 *   if (error instanceof UploadError && error.uploadId) {
 *     await upload(client, { bucket, key, body: sameBodyAgain, uploadId: error.uploadId });
 *   }
 * }
 * ```
 */
export class UploadError extends Error {
  /** Always `"UploadError"`. */
  override name = "UploadError";
  /**
   * The upload's ID; absent when no upload was started: the body failed
   * before it was known whether it fits in one PUT.
   */
  readonly uploadId?: string;
  /** The parts that reached the service before the failure. */
  readonly parts: UploadedPart[];
  /** Whether the upload was aborted on the service (false with `leavePartsOnError`, or if aborting failed). */
  readonly aborted: boolean;
  /** Why aborting the upload on the service failed, if it did. */
  readonly abortError?: unknown;
  /**
   * Other uploads of the key that lost initiate answers may have created,
   * which could not all be aborted; absent when none may remain.
   */
  readonly cleanupError?: LeftoverUploadsError;

  /**
   * Creates the error.
   *
   * @param message What failed.
   * @param details The upload, its finished parts, what happened to it, and the cause.
   */
  constructor(
    message: string,
    details: {
      uploadId?: string;
      parts: UploadedPart[];
      aborted: boolean;
      abortError?: unknown;
      cleanupError?: LeftoverUploadsError;
      cause: unknown;
    },
  ) {
    super(message, { cause: details.cause });
    if (details.uploadId !== undefined) this.uploadId = details.uploadId;
    this.parts = details.parts;
    this.aborted = details.aborted;
    this.abortError = details.abortError;
    if (details.cleanupError) this.cleanupError = details.cleanupError;
  }
}

/**
 * `upload()` could not read its body: the source stream or iterable threw,
 * or delivered a different number of bytes than the `size` given. The
 * upload is cleaned up as for any {@linkcode UploadError}.
 *
 * @example
 * ```ts ignore
 * import { SourceError, upload } from "qingstor-multipart";
 *
 * try {
 *   await upload(client, { bucket, key, body: stream });
 * } catch (error) {
 *   if (error instanceof SourceError) console.error("reading failed:", error.cause);
 * }
 * ```
 */
export class SourceError extends UploadError {
  /** Always `"SourceError"`. */
  override name = "SourceError";
}

/**
 * A `resumeStore` given to `upload()` failed. Its `get` failing stops the
 * upload before anything is sent, and is the rejection itself; its `set`
 * failing (just after initiate) fails the upload, which is aborted: an
 * upload that nothing remembers would be left for nobody to resume. Its
 * `delete` failing is not fatal: it is told as `resumeStoreError` of the
 * result, and the entry left behind costs a later run one List Parts request.
 *
 * @example
 * ```ts ignore
 * import { ResumeStoreError, upload } from "qingstor-multipart";
 *
 * try {
 *   await upload(client, { bucket, key, body, resumeStore });
 * } catch (error) {
 *   if (error instanceof ResumeStoreError) console.error(`store ${error.operation}:`, error.cause);
 * }
 * ```
 */
export class ResumeStoreError extends Error {
  /** Always `"ResumeStoreError"`. */
  override name = "ResumeStoreError";
  /** The store's method that failed. */
  readonly operation: "get" | "set" | "delete";
  /** The fingerprint it was called with. */
  readonly fingerprint: string;

  /**
   * Creates the error.
   *
   * @param operation The store's method that failed.
   * @param fingerprint The fingerprint it was called with.
   * @param cause What it threw, or what was wrong with what it returned.
   */
  constructor(operation: "get" | "set" | "delete", fingerprint: string, cause: unknown) {
    super(
      `The resume store's ${operation}(${JSON.stringify(fingerprint)}) failed: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
    this.operation = operation;
    this.fingerprint = fingerprint;
  }
}

/**
 * Uploads that `upload()` may have created and could not abort. An initiate
 * attempt whose answer is lost may have created an upload all the same, so
 * `upload()` lists the key's uploads created since that attempt and aborts
 * every one it does not use. When that clean-up cannot finish, this says
 * what may remain: the IDs listed but not aborted, and, if the listing
 * itself failed, `since`: every upload of the key created from then on may
 * remain. Its `cause` is what stopped the clean-up.
 *
 * A successful `upload()` carries it as `cleanupError`, as does an
 * {@linkcode UploadError}. When no upload ID was ever learnt (initiate
 * failed, or the caller aborted while it went unanswered), `upload()`
 * rejects with this error itself, and `failure` holds why it stopped.
 *
 * @example
 * ```ts ignore
 * import { LeftoverUploadsError, upload } from "qingstor-multipart";
 *
 * const result = await upload(client, { bucket, key, body });
 * if (result.cleanupError) {
 *   // Abort these later, or list the key's uploads since cleanupError.since.
 *   console.warn(result.cleanupError.uploadIds, result.cleanupError.since);
 * }
 * ```
 */
export class LeftoverUploadsError extends Error {
  /** Always `"LeftoverUploadsError"`. */
  override name = "LeftoverUploadsError";
  /** The bucket. */
  readonly bucket: string;
  /** The object key whose uploads may remain. */
  readonly key: string;
  /** Uploads listed for the key and not aborted. */
  readonly uploadIds: string[];
  /** Set when listing failed: any upload of the key created since then (service clock) may remain. */
  readonly since?: Date;
  /** When `upload()` rejects with this error: why the upload stopped (initiate's error, the signal's reason). */
  readonly failure?: unknown;

  /**
   * Creates the error.
   *
   * @param message What may remain, and why.
   * @param details The key, what may remain of it, why the upload stopped, and why the clean-up did.
   */
  constructor(
    message: string,
    details: {
      bucket: string;
      key: string;
      uploadIds: string[];
      since?: Date;
      failure?: unknown;
      cause: unknown;
    },
  ) {
    super(message, { cause: details.cause });
    this.bucket = details.bucket;
    this.key = details.key;
    this.uploadIds = details.uploadIds;
    this.since = details.since;
    this.failure = details.failure;
  }
}

/**
 * Complete may or may not have taken effect (see
 * docs/protocol.md#completes-unknown-outcome): its last attempt got no answer
 * or a 5xx, or a retry found the upload gone after an earlier attempt that may
 * have succeeded. The object may exist; check with a HEAD of the object before
 * uploading again.
 *
 * @example
 * ```ts ignore
 * import { CompleteStatusUnknownError, completeMultipartUpload } from "qingstor-multipart";
 *
 * try {
 *   await completeMultipartUpload(client, input);
 * } catch (error) {
 *   if (error instanceof CompleteStatusUnknownError) {
 *     // HEAD the object to learn whether the first attempt took effect.
 *   }
 * }
 * ```
 */
export class CompleteStatusUnknownError extends QingStorError {
  /** Always `"CompleteStatusUnknownError"`. */
  override name = "CompleteStatusUnknownError";
}
