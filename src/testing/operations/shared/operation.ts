/**
 * What every emulated operation is: how a request is recognised as it, and
 * how it is answered.
 *
 * @module
 */
import type { EmulatorOperation, OperationContext } from "../../model.ts";

export type { OperationContext } from "../../model.ts";

/** One operation: how it is recognised and how it is answered. */
export interface OperationDefinition {
  /** The client's name for it. */
  name: EmulatorOperation;
  /** Whether it needs write permission (for anonymous access to public buckets). */
  write: boolean;
  /**
   * Whether a request is this operation, by method, key, query and headers.
   * No request may match two operations (a test checks).
   */
  matches(
    method: string,
    key: string | undefined,
    query: Map<string, string>,
    headers: Headers,
  ): boolean;
  /** Answers the request, authenticated already. */
  handle(context: OperationContext): Response | Promise<Response>;
}
