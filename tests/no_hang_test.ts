/**
 * Nothing on the request path waits forever: a credentials function that
 * never settles, signing that never ends, an answer whose body never ends.
 * Each test has a time limit of its own, so that a hang fails it instead of
 * holding the run; none waits on a timer to reach its phase.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type Client,
  createClient,
  initiateMultipartUpload,
  QingStorError,
  upload,
} from "../mod.ts";
import { CREDENTIALS, inProcess, requestCountingFetch } from "./support/harness.ts";
import type { Credentials } from "../mod.ts";
import { deferred } from "./support/deferred.ts";

const bucket = "mybucket";
const LIMIT = { timeout: 10_000 };

/** A credentials function that never settles, counting its calls and telling the first. */
function stalledProvider() {
  const firstCall = deferred();
  const provider = {
    calls: 0,
    firstCall: firstCall.promise,
    credentials: (): Promise<Credentials> => {
      provider.calls++;
      firstCall.resolve();
      return new Promise(() => {});
    },
  };
  return provider;
}

/** A client over a transport that counts requests and answers none of them usefully. */
function clientWith(options: Partial<Parameters<typeof createClient>[0]>) {
  const counter = requestCountingFetch();
  const client: Client = createClient({
    endpoint: "http://127.0.0.1:9",
    retry: { maxAttempts: 2, baseDelay: 1 },
    fetch: counter.fetch,
    ...options,
  });
  return { client, counter };
}

describe("credentials that never come", () => {
  it(
    "gives an attempt up when credentials are not obtained within the timeout, and retries it",
    LIMIT,
    async () => {
      const provider = stalledProvider();
      const { client, counter } = clientWith({ credentials: provider.credentials, timeout: 30 });
      const error = await initiateMultipartUpload(client, { bucket, key: "k" }).catch((e) => e);
      assert.ok(error instanceof QingStorError, String(error));
      assert.equal(error.status, 0);
      assert.equal(error.attempts, 2);
      assert.match(error.message, /credentials were not obtained within 30 ms/);
      assert.equal(provider.calls, 2, "retried like a network failure");
      assert.equal(counter.count, 0, "nothing was sent");
    },
  );

  // The caller's signal and upload()'s stopRetries both end a wait for credentials: nothing is sent.
  for (
    const [option, title] of [
      ["signal", "stops waiting for credentials when the signal aborts"],
      [
        "stopRetries",
        "stops an attempt still waiting for credentials on stopRetries: nothing of it is in flight",
      ],
    ] as const
  ) {
    it(title, LIMIT, async () => {
      const provider = stalledProvider();
      const { client, counter } = clientWith({
        credentials: provider.credentials,
        timeout: 2 ** 31 - 1,
      });
      const controller = new AbortController();
      const reason = new Error(`${option} aborted`);
      const pending = initiateMultipartUpload(client, {
        bucket,
        key: "k",
        [option]: controller.signal,
      });
      await provider.firstCall;
      controller.abort(reason);
      await assert.rejects(pending, (error) => error === reason);
      assert.equal(counter.count, 0);
    });
  }

  it("sends nothing when credentials arrive after their attempt was given up", LIMIT, async () => {
    const late = deferred<Credentials>();
    const { client, counter } = clientWith({
      credentials: () => late.promise,
      timeout: 30,
      retry: { maxAttempts: 1 },
    });
    const error = await initiateMultipartUpload(client, { bucket, key: "k" }).catch((e) => e);
    assert.match(String(error), /credentials were not obtained within 30 ms/);
    // Signing reads the keys in the microtasks after they arrive; sending comes only after
    // signing's own turns, so the request itself would go out too late to be seen here.
    let read = 0;
    late.resolve({
      get accessKeyId() {
        read++;
        return CREDENTIALS.accessKeyId;
      },
      get secretAccessKey() {
        read++;
        return CREDENTIALS.secretAccessKey;
      },
    });
    // One macrotask: every microtask the arrival queued has run by then.
    await new Promise((resolve) => setTimeout(resolve, 0));
    // The client checks credentials as they arrive: as many reads as that, and none to sign.
    const readByAttempt = read;
    await client.credentials();
    assert.equal(readByAttempt, read - readByAttempt, "the abandoned attempt went on to sign");
    assert.equal(counter.count, 0, "the abandoned attempt did not go out late");
  });

  it(
    "upload() fails after the timeout instead of hanging, and stops on the signal",
    LIMIT,
    async () => {
      const { emulator } = inProcess();
      const provider = stalledProvider();
      const make = (timeout: number) =>
        createClient({
          endpoint: "http://localhost",
          credentials: provider.credentials,
          fetch: emulator.fetch,
          timeout,
          retry: { maxAttempts: 2, baseDelay: 1 },
        });
      const error = await upload(make(30), { bucket, key: "k", body: "data" }).catch((e) => e);
      assert.ok(error instanceof QingStorError, String(error));
      assert.match(error.message, /credentials were not obtained within 30 ms/);

      const controller = new AbortController();
      const reason = new Error("stop");
      const pending = upload(make(2 ** 31 - 1), {
        bucket,
        key: "k",
        body: "data",
        signal: controller.signal,
      });
      await provider.firstCall;
      controller.abort(reason);
      await assert.rejects(pending, (e) => e === reason);
      assert.equal(emulator.state.requests.length, 0);
    },
  );
});

describe("other waits on the request path", () => {
  it("gives an attempt up when signing does not finish within the timeout", LIMIT, async () => {
    const subtle = crypto.subtle as { sign: SubtleCrypto["sign"] };
    const sign = subtle.sign;
    subtle.sign = () => new Promise(() => {});
    let error;
    try {
      const { client } = clientWith({ credentials: CREDENTIALS, timeout: 30 });
      error = await initiateMultipartUpload(client, { bucket, key: "k" }).catch((e) => e);
    } finally {
      subtle.sign = sign;
    }
    assert.ok(error instanceof QingStorError, String(error));
    assert.match(error.message, /the request was not signed within 30 ms/);
  });

  for (const status of [200, 503]) {
    it(
      `gives up a ${status} answer whose body never ends, even if the transport ignores the signal`,
      LIMIT,
      async () => {
        let calls = 0;
        // Anonymous, so that the deadline times the answer alone, not signing too.
        const client = createClient({
          endpoint: "http://127.0.0.1:9",
          timeout: 30,
          retry: { maxAttempts: 2, baseDelay: 1 },
          // The body stalls, and nothing here listens to the request's signal.
          fetch: () => (calls++, Promise.resolve(new Response(new ReadableStream(), { status }))),
        });
        const error = await initiateMultipartUpload(client, { bucket, key: "k" }).catch((e) => e);
        assert.ok(error instanceof QingStorError, String(error));
        // A success cut off is no answer; an error's status is known even if its body is not.
        assert.equal(error.status, status == 200 ? 0 : 503);
        assert.equal(error.attempts, 2);
        assert.equal(calls, 2);
      },
    );
  }
});
