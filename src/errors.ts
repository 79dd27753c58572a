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
 * import { QingStorError } from "@qingstor-multipart/core";
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
  }
}

/**
 * Whether an error is a {@linkcode QingStorError} with the given code. Codes
 * are compared ignoring case: the docs write some in upper case (spec §13.9).
 *
 * @param error Anything caught.
 * @param code The code, in lower case.
 * @returns `true` if the error carries that code.
 */
export function hasCode(error: unknown, code: string): boolean {
  return error instanceof QingStorError && error.code?.toLowerCase() == code;
}

/**
 * Input that breaks a rule of the service, found before any request is sent.
 * The message names the parameter, the rule and the value received (secrets
 * are described, never shown).
 *
 * @example
 * ```ts
 * import { ValidationError } from "@qingstor-multipart/core";
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
 * import { upload, UploadError } from "@qingstor-multipart/core";
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
  /** The upload's ID. */
  readonly uploadId: string;
  /** The parts that reached the service before the failure. */
  readonly parts: UploadedPart[];
  /** Whether the upload was aborted on the service (false with `leavePartsOnError`, or if aborting failed). */
  readonly aborted: boolean;
  /** Why aborting the upload on the service failed, if it did. */
  readonly abortError?: unknown;

  /**
   * Creates the error.
   *
   * @param message What failed.
   * @param details The upload, its finished parts, what happened to it, and the cause.
   */
  constructor(
    message: string,
    details: {
      uploadId: string;
      parts: UploadedPart[];
      aborted: boolean;
      abortError?: unknown;
      cause: unknown;
    },
  ) {
    super(message, { cause: details.cause });
    this.uploadId = details.uploadId;
    this.parts = details.parts;
    this.aborted = details.aborted;
    this.abortError = details.abortError;
  }
}

/**
 * `upload()` could not read its body: the source stream or iterable threw,
 * or delivered a different number of bytes than the `size` given. The
 * upload is cleaned up as for any {@linkcode UploadError}.
 *
 * @example
 * ```ts ignore
 * import { SourceError, upload } from "@qingstor-multipart/core";
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
