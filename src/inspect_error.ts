/**
 * Reading what was caught: its code, its message. Apart from `errors.ts`,
 * which holds only the error classes, so that code loaded on demand can
 * import the classes from the package's entry (see scripts/build_npm.ts).
 *
 * @module
 */
import { QingStorError } from "./errors.ts";

/**
 * Whether an error is a {@linkcode QingStorError} with the given code. Codes
 * are compared ignoring case: the docs write some in upper case (see
 * docs/protocol.md#case-of-error-codes).
 *
 * @param error Anything caught.
 * @param code The code, in lower case.
 * @returns `true` if the error carries that code.
 */
export function hasCode(error: unknown, code: string): boolean {
  return error instanceof QingStorError && error.code?.toLowerCase() == code;
}

/**
 * The message of anything caught, to quote in another error's message.
 *
 * @param error Anything caught.
 * @returns Its message if it is an `Error`, else it as text.
 */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
