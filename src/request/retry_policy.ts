/**
 * The retry policy of docs/protocol.md#retries, as pure functions: which
 * failed attempts are tried again, and how long to wait before the next one.
 * Nothing here reads a clock, draws a random number or waits: the caller
 * (`send`) passes all of it in.
 *
 * @module
 */
import type { RetryOptions } from "../client.ts";

/**
 * How an attempt failed, as the retry policy sees it. A failure before the
 * request went out, other than the timeout (a credentials function that
 * rejects, half a key pair), and a success whose body is not JSON (the request
 * took effect, and trying again could repeat it) are final, and never get here.
 */
export interface Failure {
  /**
   * The HTTP status of the error answer; 0 when none came: a network failure,
   * or the attempt's deadline, whatever the attempt was doing when it passed
   * (getting credentials, signing, waiting for the answer or reading it).
   */
  status: number;
  /** The error code of the answer's JSON body, if it had one; compared ignoring case. */
  code?: string;
}

/**
 * What to do after a failed attempt.
 *
 * - `"clock"`: adopt the service's clock: set the clock offset from the service's `Date` and try
 *   again at once, with no backoff and no attempt counted.
 * - `"once"`: try again after the backoff, once only (`bad_digest`, `incomplete_body`).
 * - `"retry"`: try again after the backoff.
 * - `"stop"`: the failure is final.
 */
export type RetryDecision = "clock" | "once" | "retry" | "stop";

/**
 * Decides whether a failed attempt is tried again. No answer (a network
 * failure or the timeout), 5xx and 429 retry while attempts remain;
 * `bad_digest` and `incomplete_body` once; `request_expired` once, at once and
 * not counted as an attempt, when the answer carries the service's date;
 * every other 4xx never.
 *
 * @param attempt The number of the attempt that failed, from 1.
 * @param failure How it failed.
 * @param serverDate The service's clock from the answer's `Date` header, in milliseconds;
 * `undefined` or NaN without one.
 * @param options The retry settings; only `maxAttempts` counts here.
 * @param earlier The decisions taken after the earlier attempts of the same request, which
 * tell the once-only retries already spent.
 * @returns What to do next.
 *
 * @example A 503 is retried until the attempts run out; a 403 never
 * ```ts
 * import { retryDecision } from "./retry_policy.ts";
 * import assert from "node:assert/strict";
 *
 * const options = { maxAttempts: 4 };
 * assert.equal(retryDecision(1, { status: 503 }, undefined, options, []), "retry");
 * assert.equal(retryDecision(4, { status: 503 }, undefined, options, []), "stop");
 * assert.equal(retryDecision(1, { status: 403 }, undefined, options, []), "stop");
 * ```
 *
 * @example An expired request is sent again once, on the service's clock
 * ```ts
 * import { retryDecision } from "./retry_policy.ts";
 * import assert from "node:assert/strict";
 *
 * const expired = { status: 403, code: "request_expired" };
 * const serverDate = Date.UTC(2030, 0, 1);
 * const options = { maxAttempts: 1 };
 * assert.equal(retryDecision(1, expired, serverDate, options, []), "clock");
 * assert.equal(retryDecision(1, expired, serverDate, options, ["clock"]), "stop");
 * ```
 */
export function retryDecision(
  attempt: number,
  failure: Failure,
  serverDate: number | undefined,
  options: Pick<Required<RetryOptions>, "maxAttempts">,
  earlier: readonly RetryDecision[],
): RetryDecision {
  const code = failure.code?.toLowerCase();
  if (code == "request_expired" && !earlier.includes("clock") && serverDate) {
    return "clock";
  }
  const once = (code == "bad_digest" || code == "incomplete_body") && !earlier.includes("once");
  return attempt >= options.maxAttempts
    ? "stop"
    : once
    ? "once"
    : !failure.status || failure.status >= 500 || failure.status == 429
    ? "retry"
    : "stop";
}

/**
 * How long to wait after a failed attempt before the next: exponential
 * backoff with full jitter, `random() × min(maxDelay, baseDelay × 2^(attempt−1))`.
 *
 * @param attempt The number of the attempt that failed, from 1.
 * @param options The retry settings; `baseDelay` and `maxDelay` count here.
 * @param random A number in [0, 1), such as `Math.random`.
 * @returns Milliseconds to wait.
 *
 * @example Ceilings 100, 200, 400 capped to 300, and 300
 * ```ts
 * import { backoffDelay } from "./retry_policy.ts";
 * import assert from "node:assert/strict";
 *
 * const options = { baseDelay: 100, maxDelay: 300 };
 * const half = () => 0.5;
 * assert.deepEqual([1, 2, 3, 4].map((n) => backoffDelay(n, options, half)), [50, 100, 150, 150]);
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: Pick<Required<RetryOptions>, "baseDelay" | "maxDelay">,
  random: () => number,
): number {
  return random() * Math.min(options.maxDelay, options.baseDelay * 2 ** (attempt - 1));
}
