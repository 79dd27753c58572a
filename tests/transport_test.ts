/**
 * The transport every operation sends through (src/request/send.ts): retries, deadlines, signals,
 * clock skew and error bodies that are not JSON. Initiate serves as the probe; what initiate itself
 * does is tested in initiate_test.ts, and the retry policy's pure functions in retry_policy_test.ts.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createClient, initiateMultipartUpload, QingStorError } from "../mod.ts";
import { send } from "../src/request/send.ts";
import {
  CREDENTIALS,
  requestCountingFetch,
  untilRequest,
  withEmulator,
} from "./support/harness.ts";

const bucket = "mybucket";

describe("retries over HTTP", () => {
  for (const hours of [1, -1]) {
    it(`corrects a clock that is ${hours} hour off and keeps the offset`, () =>
      withEmulator({ clockOffset: hours * 3600_000 }, async ({ client, emulator }) => {
        const skewed = client();
        await initiateMultipartUpload(skewed, { bucket, key: "k" });
        assert.deepEqual(emulator.state.requests.map((r) => r.status), [403, 200]);
        assert.ok(
          Math.abs(skewed.clockOffset - hours * 3600_000) < 2000,
          String(skewed.clockOffset),
        );
        await initiateMultipartUpload(skewed, { bucket, key: "k2" });
        assert.deepEqual(emulator.state.requests.map((r) => r.status), [403, 200, 200]);
      }));
  }

  it("re-signs every retry with a fresh date", () =>
    withEmulator({ faults: [{ status: 503, times: 2 }] }, async ({ client, emulator }) => {
      // Each attempt's clock runs a second later, so a replayed signature would show.
      const c = client({
        fetch: (request) => {
          c.clockOffset += 1000;
          return fetch(request);
        },
      });
      await initiateMultipartUpload(c, { bucket, key: "k" });
      const records = emulator.state.requests;
      assert.deepEqual(records.map((r) => r.status), [503, 503, 200]);
      assert.equal(new Set(records.map((r) => r.headers["x-qs-date"])).size, 3);
      assert.equal(new Set(records.map((r) => r.headers.authorization)).size, 3);
    }));

  it("retries 503 and then succeeds", () =>
    withEmulator({ faults: [{ status: 503, times: 1 }] }, async ({ client, emulator }) => {
      const { uploadId } = await initiateMultipartUpload(client(), { bucket, key: "k" });
      assert.ok(emulator.state.uploads.has(uploadId));
      assert.deepEqual(emulator.state.requests.map((r) => r.status), [503, 200]);
    }));

  it("retries 500, 502, 504, 429 and dropped connections", () =>
    withEmulator(
      {
        faults: [
          { status: 500, times: 1 },
          { status: 502, times: 1 },
          { status: 504, times: 1 },
          { status: 429, times: 1 },
          { drop: "before-body", times: 1 },
        ],
      },
      async ({ client, emulator }) => {
        await initiateMultipartUpload(client({ retry: { maxAttempts: 6, baseDelay: 1 } }), {
          bucket,
          key: "k",
        });
        assert.deepEqual(emulator.state.requests.map((r) => r.status), [
          500,
          502,
          504,
          429,
          0,
          200,
        ]);
      },
    ));

  it("does not retry a 400", () =>
    withEmulator({ faults: [{ status: 400, times: 1 }] }, async ({ client, emulator }) => {
      const error = await initiateMultipartUpload(client(), { bucket, key: "k" }).catch((e) => e);
      assert.ok(error instanceof QingStorError);
      assert.equal(error.status, 400);
      assert.equal(error.attempts, 1);
      assert.equal(emulator.state.requests.length, 1);
    }));

  it("gives up after maxAttempts and says how many were made", () =>
    withEmulator({ faults: [{ status: 503 }] }, async ({ client, emulator }) => {
      const error = await initiateMultipartUpload(
        client({ retry: { maxAttempts: 3, baseDelay: 1 } }),
        {
          bucket,
          key: "k",
        },
      ).catch((e) => e);
      assert.equal(error.status, 503);
      assert.equal(error.code, "service_unavailable");
      assert.equal(error.attempts, 3);
      assert.equal(emulator.state.requests.length, 3);
    }));

  it("reports a connection that never answers as a network error after retries", () =>
    withEmulator({ faults: [{ drop: "before-body" }] }, async ({ client }) => {
      const error = await initiateMultipartUpload(client({ retry: { maxAttempts: 2 } }), {
        bucket,
        key: "k",
      }).catch((e) => e);
      assert.ok(error instanceof QingStorError);
      assert.equal(error.status, 0);
      assert.equal(error.attempts, 2);
      assert.ok(error.cause);
    }));

  it("stops waiting for a retry when the signal aborts", () =>
    withEmulator({ faults: [{ status: 503 }] }, async ({ client, emulator }) => {
      const controller = new AbortController();
      const reason = new Error("user cancelled");
      const slow = client({ retry: { baseDelay: 60_000, maxDelay: 60_000 } });
      const pending = initiateMultipartUpload(slow, {
        bucket,
        key: "k",
        signal: controller.signal,
      });
      // Abort once the first answer (503) is in, while the long backoff is running.
      await untilRequest(emulator, (record) => record.status == 503);
      controller.abort(reason);
      await assert.rejects(pending, (error) => error === reason);
      assert.equal(emulator.state.requests.length, 1);
    }));

  it("rejects at once with the reason of an already aborted signal, sending nothing", () =>
    withEmulator({}, async ({ client, emulator }) => {
      const reason = new Error("too late");
      await assert.rejects(
        initiateMultipartUpload(client(), { bucket, key: "k", signal: AbortSignal.abort(reason) }),
        (error) => error === reason,
      );
      assert.equal(emulator.state.requests.length, 0);
    }));

  it("calls a credentials function for every request, so rotated keys work", () => {
    const second = { accessKeyId: "ROTATEDKEY", secretAccessKey: "rotated-secret" };
    return withEmulator({ credentials: [CREDENTIALS, second] }, async ({ client, emulator }) => {
      let calls = 0;
      const rotating = client({
        credentials: () => Promise.resolve(calls++ % 2 ? second : CREDENTIALS),
      });
      await initiateMultipartUpload(rotating, { bucket, key: "a" });
      await initiateMultipartUpload(rotating, { bucket, key: "b" });
      assert.equal(calls, 2);
      const ids = emulator.state.requests.map((r) => r.headers.authorization.split(":")[0]);
      assert.deepEqual(ids, ["QS TESTACCESSKEYID00000", "QS ROTATEDKEY"]);
    });
  });
});

describe("answers that never come", () => {
  /**
   * A client with a 30 ms deadline and two attempts over the given transport. Anonymous: the
   * deadline covers signing too, which a loaded machine may take long over; these tests time
   * the transport alone.
   */
  const impatient = (fetch: (request: Request) => Promise<Response>) =>
    createClient({
      endpoint: "http://127.0.0.1:9",
      timeout: 30,
      retry: { maxAttempts: 2, baseDelay: 1 },
      fetch,
    });

  it("gives up an attempt after the timeout and retries it like a network failure", async () => {
    let calls = 0;
    // A transport that never answers, but honours the request's signal, as fetch does.
    const client = impatient((request) => {
      calls++;
      return new Promise((_, reject) =>
        request.signal.addEventListener("abort", () => reject(request.signal.reason))
      );
    });
    const error = await initiateMultipartUpload(client, { bucket, key: "k" }).catch((e) => e);
    assert.ok(error instanceof QingStorError, String(error));
    assert.equal(error.status, 0);
    assert.equal(error.attempts, 2);
    assert.match(error.message, /no answer within 30 ms/);
    assert.equal((error.cause as Error).name, "TimeoutError");
    assert.equal(calls, 2);
  });

  it("counts a success whose body never ends as no answer, and retries it", async () => {
    let calls = 0;
    const client = impatient((request) => {
      calls++;
      // Headers arrive; the body never finishes, but stops when the request is aborted.
      const body = new ReadableStream({
        start(controller) {
          request.signal.addEventListener("abort", () => controller.error(request.signal.reason));
        },
      });
      return Promise.resolve(new Response(body, { status: 200 }));
    });
    const error = await initiateMultipartUpload(client, { bucket, key: "k" }).catch((e) => e);
    assert.equal(error.status, 0, String(error));
    assert.match(error.message, /no answer within 30 ms/);
    assert.equal(calls, 2);
  });

  it("stops retrying on stopRetries, even with a signal too, without waiting out the backoff", () =>
    withEmulator(
      { faults: [{ operations: ["initiateMultipartUpload"], status: 503 }] },
      async ({ client, emulator }) => {
        const stop = new AbortController();
        const slow = client({ retry: { maxAttempts: 5, baseDelay: 60_000, maxDelay: 60_000 } });
        const pending = initiateMultipartUpload(slow, {
          bucket,
          key: "k",
          signal: new AbortController().signal,
          stopRetries: stop.signal,
        }).catch((e) => e);
        await untilRequest(emulator);
        stop.abort();
        const error = await pending;
        assert.equal(error.status, 503, "the last failure is the answer");
        assert.equal(emulator.state.requests.length, 1);
      },
    ));

  it("does not send a request whose signal aborted while it was signed", async () => {
    const counter = requestCountingFetch();
    const controller = new AbortController();
    const reason = new Error("aborted while signing");
    const client = createClient({
      zone: "pek3a",
      fetch: counter.fetch,
      credentials: () => {
        controller.abort(reason);
        return CREDENTIALS;
      },
    });
    await assert.rejects(
      initiateMultipartUpload(client, { bucket, key: "k", signal: controller.signal }),
      (error) => error === reason,
    );
    assert.equal(counter.count, 0);
  });

  it("leaves no listener on long-lived signals after retries and backoffs", () =>
    withEmulator(
      { faults: [{ operations: ["initiateMultipartUpload"], status: 503, times: 2 }] },
      async ({ client }) => {
        // Signals that count the listeners added to them and not yet removed.
        const watched = () => {
          const signal = new AbortController().signal;
          const live = new Set<unknown>();
          const add = signal.addEventListener.bind(signal);
          const remove = signal.removeEventListener.bind(signal);
          signal.addEventListener = (type: string, listener: unknown, options?: unknown) => {
            live.add(listener);
            add(type, listener as EventListener, options as AddEventListenerOptions);
          };
          signal.removeEventListener = (type: string, listener: unknown) => {
            live.delete(listener);
            remove(type, listener as EventListener);
          };
          return { signal, live };
        };
        const caller = watched();
        const stop = watched();
        const fast = client({ retry: { maxAttempts: 3, baseDelay: 5 } });
        for (let i = 0; i < 3; i++) {
          await initiateMultipartUpload(fast, {
            bucket,
            key: "k",
            signal: caller.signal,
            stopRetries: stop.signal,
          });
        }
        assert.equal(caller.live.size, 0);
        assert.equal(stop.live.size, 0);
      },
    ));
});

describe("error responses that are not JSON", () => {
  const respond = (response: Response) =>
    createClient({
      endpoint: "http://127.0.0.1:9",
      credentials: CREDENTIALS,
      retry: { maxAttempts: 1 },
      fetch: () => Promise.resolve(response),
    });

  it("handles an empty body", async () => {
    const error = await initiateMultipartUpload(
      respond(new Response(null, { status: 403, headers: { "x-qs-request-id": "r1" } })),
      { bucket, key: "k" },
    ).catch((e) => e);
    assert.ok(error instanceof QingStorError);
    assert.equal(error.status, 403);
    assert.equal(error.code, undefined);
    assert.equal(error.requestId, "r1");
  });

  it("handles an HTML body from a proxy", async () => {
    const error = await initiateMultipartUpload(
      respond(new Response("<html><body>Bad Gateway</body></html>", { status: 502 })),
      { bucket, key: "k" },
    ).catch((e) => e);
    assert.equal(error.status, 502);
    assert.equal(error.code, undefined);
    assert.match(error.message, /Bad Gateway/);
  });

  it("handles JSON that is not an object", async () => {
    const error = await initiateMultipartUpload(
      respond(new Response("null", { status: 500 })),
      { bucket, key: "k" },
    ).catch((e) => e);
    assert.equal(error.status, 500);
    assert.match(error.message, /null/);
  });
});

describe("the retry policy in send", () => {
  it("waits random × min(maxDelay, baseDelay × 2^(n-1)) between attempts: full jitter", async () => {
    // The jitter's draws and the backoff's waits are send's internal seams: no global is patched.
    const waits: number[] = [];
    let draws = 0;
    let calls = 0;
    const client = createClient({
      endpoint: "http://127.0.0.1:9",
      credentials: CREDENTIALS,
      retry: { maxAttempts: 5, baseDelay: 100, maxDelay: 300 },
      fetch: () => (calls++, Promise.resolve(new Response(null, { status: 503 }))),
    });
    const error = await send(
      client,
      {
        operation: "initiateMultipartUpload",
        method: "POST",
        bucket,
        key: "k",
        query: [["uploads"]],
        expect: 200,
      },
      () => (draws++ % 2 ? 0.25 : 0.5),
      (ms) => (waits.push(ms), Promise.resolve()),
    ).catch((e) => e);
    assert.ok(error instanceof QingStorError, String(error));
    assert.equal(error.status, 503);
    assert.equal(error.attempts, 5);
    assert.equal(calls, 5);
    // Ceilings 100, 200, 300 (capped), 300; the draws alternate 0.5 and 0.25.
    assert.deepEqual(waits, [50, 50, 150, 75]);
  });

  it("corrects the clock once only: a second request_expired is final", async () => {
    let calls = 0;
    const client = createClient({
      endpoint: "http://127.0.0.1:9",
      credentials: CREDENTIALS,
      retry: { baseDelay: 1 },
      fetch: () => {
        calls++;
        const date = new Date(Date.now() + 3_600_000).toUTCString();
        return Promise.resolve(
          Response.json({ code: "request_expired", message: "late" }, {
            status: 403,
            headers: { date },
          }),
        );
      },
    });
    const error = await initiateMultipartUpload(client, { bucket, key: "k" }).catch((e) => e);
    assert.ok(error instanceof QingStorError, String(error));
    assert.equal(error.code, "request_expired");
    assert.equal(calls, 2);
    assert.ok(Math.abs(client.clockOffset - 3_600_000) < 5_000, String(client.clockOffset));
  });
});
