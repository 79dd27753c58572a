/**
 * The retry policy's pure functions (src/request/retry_policy.ts): which failed attempts are tried
 * again, and how long to wait. No request is sent and no time passes; that send() follows the
 * policy is tested in transport_test.ts.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { backoffDelay, type RetryDecision, retryDecision } from "../src/request/retry_policy.ts";

const options = { maxAttempts: 4, baseDelay: 100, maxDelay: 300 };
const date = Date.UTC(2030, 0, 1);

describe("retryDecision", () => {
  it("retries no answer (a network failure or the timeout), 5xx and 429 while attempts remain", () => {
    for (const status of [0, 500, 502, 503, 504, 429]) {
      for (const attempt of [1, 2, 3]) {
        assert.equal(
          retryDecision(attempt, { status }, undefined, options, []),
          "retry",
          `${status}`,
        );
      }
      assert.equal(retryDecision(4, { status }, undefined, options, []), "stop", `${status}`);
    }
  });

  it("never retries any other 4xx, nor an unexpected success status", () => {
    for (const status of [200, 204, 400, 401, 403, 404, 409, 412]) {
      const code = status == 403 ? "permission_denied" : undefined;
      assert.equal(retryDecision(1, { status, code }, date, options, []), "stop", `${status}`);
    }
  });

  it("resends bad_digest and incomplete_body once, whatever their case", () => {
    for (const code of ["bad_digest", "incomplete_body", "Bad_Digest"]) {
      assert.equal(retryDecision(1, { status: 400, code }, undefined, options, []), "once");
      assert.equal(retryDecision(2, { status: 400, code }, undefined, options, ["once"]), "stop");
      // Still within maxAttempts only.
      assert.equal(retryDecision(4, { status: 400, code }, undefined, options, []), "stop");
    }
  });

  it("adopts the service's clock once on request_expired, even on the last attempt", () => {
    const expired = { status: 403, code: "request_expired" };
    assert.equal(retryDecision(1, expired, date, options, []), "clock");
    assert.equal(retryDecision(4, expired, date, options, ["retry", "retry", "retry"]), "clock");
    assert.equal(
      retryDecision(1, { ...expired, code: "REQUEST_EXPIRED" }, date, options, []),
      "clock",
    );
    const earlier: RetryDecision[] = ["clock"];
    assert.equal(retryDecision(1, expired, date, options, earlier), "stop", "a second is final");
    // Without the service's Date there is no clock to adopt: a 403 like any other.
    for (const serverDate of [undefined, NaN, 0]) {
      assert.equal(retryDecision(1, expired, serverDate, options, []), "stop", String(serverDate));
    }
  });

  it("with maxAttempts 1, retries nothing but the clock adoption", () => {
    const once = { ...options, maxAttempts: 1 };
    assert.equal(retryDecision(1, { status: 503 }, undefined, once, []), "stop");
    assert.equal(retryDecision(1, { status: 0 }, undefined, once, []), "stop");
    assert.equal(
      retryDecision(1, { status: 400, code: "bad_digest" }, undefined, once, []),
      "stop",
    );
    assert.equal(
      retryDecision(1, { status: 403, code: "request_expired" }, date, once, []),
      "clock",
    );
  });
});

describe("backoffDelay", () => {
  it("waits random × min(maxDelay, baseDelay × 2^(n-1)): full jitter", () => {
    let draws = 0;
    const random = () => (draws++ % 2 ? 0.25 : 0.5);
    // Ceilings 100, 200, 300 (capped), 300; the draws alternate 0.5 and 0.25.
    assert.deepEqual([1, 2, 3, 4].map((n) => backoffDelay(n, options, random)), [50, 50, 150, 75]);
    assert.equal(draws, 4, "one draw per wait");
  });

  it("spans [0, ceiling): a draw of 0 waits nothing, a draw near 1 nearly the ceiling", () => {
    assert.equal(backoffDelay(3, options, () => 0), 0);
    assert.ok(backoffDelay(10, options, () => 0.999_999) < 300);
    assert.equal(backoffDelay(30, { baseDelay: 200, maxDelay: 20_000 }, () => 0.5), 10_000);
    assert.equal(backoffDelay(5, { baseDelay: 0, maxDelay: 20_000 }, () => 0.5), 0);
  });
});
