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
  /** The underlying error, for network failures. */
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
  readonly operation: string;
  /** The HTTP status; `0` when no response arrived (a network failure). */
  readonly status: number;
  /** The service's error code; compare it with `===` after lower-casing if needed. */
  readonly code?: string;
  /** The `x-qs-request-id` of the failed response. */
  readonly requestId?: string;
  /** The documentation link the service sent with the error. */
  readonly url?: string;
  /** How many attempts were made, retries included. */
  readonly attempts: number;

  /**
   * Creates the error from the parts of a failed response.
   *
   * @param init What the response said.
   */
  constructor(init: QingStorErrorInit) {
    const code = init.code ? " " + init.code : "";
    const id = init.requestId ? ` (request id ${init.requestId})` : "";
    super(
      `${init.operation} failed with ${init.status || "no response"}${code}: ${init.message}${id}`,
      { cause: init.cause },
    );
    this.operation = init.operation;
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.url = init.url;
    this.attempts = init.attempts;
  }
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
