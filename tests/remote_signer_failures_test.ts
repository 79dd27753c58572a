/**
 * A client with a remote signer whose signing server fails, stalls, answers
 * what does not fit, runs a skewed clock or is gone: a typed error, never a
 * hang, and aborts work while waiting for it; and the options a signer does
 * not go with. (What works through a signer: remote_signer_test.ts.)
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  createClient,
  handleSignRequest,
  initiateMultipartUpload,
  presign,
  QingStorError,
  remoteSigner,
  upload,
  ValidationError,
} from "../mod.ts";
import { CREDENTIALS, inspect } from "./support/harness.ts";
import { bucket } from "./support/upload.ts";
import { withSigning } from "./support/signing.ts";
import { serveFetch } from "./support/serve_fetch.ts";
import { deferred } from "./support/deferred.ts";

describe("a client with a remote signer that fails", () => {
  it("stops waiting for a signer that never answers: the attempt deadline, then a retry", async () => {
    let arrivals = 0;
    await withSigning({
      handler: () => {
        arrivals++;
        return new Promise<never>(() => {});
      },
    }, async (signing) => {
      const client = signing.client({ timeout: 100, retry: { maxAttempts: 2, baseDelay: 1 } });
      const error = await initiateMultipartUpload(client, { bucket, key: "stalled" })
        .catch((error) => error);
      assert.ok(error instanceof QingStorError, String(error));
      assert.equal(error.status, 0);
      assert.equal(error.attempts, 2);
      assert.match(error.message, /the request was not signed within 100 ms/);
      // The stalled POST was given up, so the retry's went out rather than queueing behind it.
      assert.equal(arrivals, 2);
      assert.equal(signing.harness.emulator.state.requests.length, 0);
    });
  });

  it("aborts at once while waiting for a stalled signer", async () => {
    const arrived = deferred();
    await withSigning({
      handler: () => {
        arrived.resolve();
        return new Promise<never>(() => {});
      },
    }, async (signing) => {
      const controller = new AbortController();
      const pending = upload(signing.client(), {
        bucket,
        key: "abandoned",
        body: "x",
        signal: controller.signal,
      });
      await arrived.promise;
      controller.abort(new Error("stop"));
      await assert.rejects(pending, /stop/);
      assert.equal(signing.harness.emulator.state.requests.length, 0);
    });
  });

  it("tells the signer when retries stop while it works: its round trip ends, the next goes out", {
    timeout: 10_000,
  }, async () => {
    const arrived = deferred();
    let arrivals = 0;
    await withSigning({
      handler: (request, sign) => {
        if (arrivals++) return sign(request);
        arrived.resolve();
        return new Promise<never>(() => {});
      },
    }, async (signing) => {
      const client = signing.client({ timeout: 2 ** 31 - 1 });
      const controller = new AbortController();
      const reason = new Error("retries stopped");
      const stopped = initiateMultipartUpload(client, {
        bucket,
        key: "stopped",
        stopRetries: controller.signal,
      });
      await arrived.promise;
      controller.abort(reason);
      await assert.rejects(stopped, (error) => error === reason);
      // Would wait behind the first round trip, held for ever, had the signer not been told.
      const { uploadId } = await initiateMultipartUpload(client, { bucket, key: "next" });
      assert.equal(arrivals, 2);
      assert.deepEqual([...signing.harness.emulator.state.uploads.keys()], [uploadId]);
    });
  });

  it("retries a signing server that fails (a proxy's 502, its own 503), then fails typed", async () => {
    let calls = 0;
    await withSigning({
      handler: () => {
        // A proxy's page, then the signing server's own 503, in turn.
        return Promise.resolve(
          ++calls % 2 ? new Response("<h1>Bad gateway</h1>", { status: 502 }) : Response.json(
            { version: 1, error: { status: 503, code: "busy", message: "try later" } },
            { status: 503 },
          ),
        );
      },
    }, async (signing) => {
      const client = signing.client({ retry: { maxAttempts: 4, baseDelay: 1 } });
      const error = await initiateMultipartUpload(client, { bucket, key: "k" })
        .catch((error) => error);
      assert.ok(error instanceof QingStorError, String(error));
      assert.equal(calls, 4);
      assert.equal(error.status, 503);
      assert.equal(error.code, "busy");
      assert.match(error.message, /not signed: try later/);
    });
  });

  it("fails typed on an answer that does not fit the batch: fewer, more, odd statuses", async () => {
    const signed = { authorization: "QS A:b", date: new Date().toUTCString() };
    const answers: unknown[] = [
      // Fewer and more signatures than asked: none is used, not even the first.
      { version: 1, signatures: [] },
      { version: 1, signatures: [signed, signed] },
      // A refusal whose status would read as a success, or as no answer at all.
      { version: 1, signatures: [{ error: { status: 200, code: "odd", message: "m" } }] },
      { version: 1, signatures: [{ error: { status: 1e6, code: "odd", message: "m" } }] },
      { version: 1, error: { status: 99999, code: "odd", message: "m" } },
      // Neither a signature nor a refusal; a refusal that says nothing.
      { version: 1, signatures: [{}] },
      { version: 1, signatures: [{ error: null }] },
      { version: 1, error: "no" },
    ];
    for (const answer of answers) {
      await withSigning({
        handler: () => Promise.resolve(Response.json(answer)),
      }, async (signing) => {
        const client = signing.client({ retry: { maxAttempts: 2, baseDelay: 1 } });
        const error = await initiateMultipartUpload(client, { bucket, key: "k" })
          .catch((error) => error);
        assert.ok(error instanceof QingStorError, String(error));
        assert.equal(error.status, 502, JSON.stringify(answer));
        // The code and message it gave, when strings; otherwise the client's own.
        const odd = JSON.stringify(answer).includes('"odd"');
        assert.equal(error.code, odd ? "odd" : "sign_answer_invalid");
        assert.match(error.message, odd ? /: m$/ : /without signatures|No signature/);
        assert.equal(error.attempts, 2, "retried as a bad gateway");
        assert.equal(signing.harness.emulator.state.requests.length, 0);
      });
    }
  });

  it("fails typed, after one retry, when the signing server's clock is an hour off", async () => {
    let calls = 0;
    await withSigning({
      handler: (request) => {
        calls++;
        const skewed = createClient({
          endpoint: "http://localhost",
          credentials: CREDENTIALS,
          clockOffset: -3600_000,
        });
        return handleSignRequest(skewed, request, { authorize: () => true });
      },
    }, async (signing) => {
      const client = signing.client();
      const error = await initiateMultipartUpload(client, { bucket, key: "k" })
        .catch((error) => error);
      assert.ok(error instanceof QingStorError, String(error));
      assert.equal(error.code, "request_expired");
      // Re-signed once at once, as for any expired request; the second date is as old.
      assert.equal(calls, 2);
      assert.equal(signing.harness.emulator.state.uploads.size, 0);
    });
  });

  it("retries an unreachable signing server like a network failure", async () => {
    const gone = await serveFetch(() => Promise.resolve(new Response()));
    await gone.close();
    await withSigning({}, async (signing) => {
      const client = createClient({
        endpoint: signing.harness.server.url,
        signer: remoteSigner(gone.url),
        retry: { maxAttempts: 3, baseDelay: 1, maxDelay: 2 },
      });
      const error = await initiateMultipartUpload(client, { bucket, key: "k" })
        .catch((error) => error);
      assert.ok(error instanceof QingStorError, String(error));
      assert.equal(error.status, 0);
      assert.equal(error.code, "sign_request_failed");
      assert.equal(error.attempts, 3);
    });
  });

  it("fails typed on a signer whose answer cannot go in a header", async () => {
    const client = createClient({
      endpoint: "http://127.0.0.1:9",
      retry: { maxAttempts: 2, baseDelay: 1 },
      signer: () => Promise.resolve({ authorization: "QS A:b\r\nx-evil: 1", date: "now" }),
    });
    const error = await initiateMultipartUpload(client, { bucket, key: "k" }).catch((e) => e);
    assert.ok(error instanceof QingStorError, String(error));
    assert.equal(error.attempts, 2);
    assert.ok(!(await inspect(error)).includes("x-evil"));
  });

  it("refuses credentials with a signer, a signer that is not a function, bad signer options, and presign", async () => {
    const signer = remoteSigner("http://127.0.0.1:9/sign");
    assert.throws(
      () => createClient({ zone: "pek3a", credentials: CREDENTIALS, signer }),
      (error) =>
        error instanceof ValidationError && error.parameter == "signer" &&
        /credentials or a signer, not both/.test(error.message),
    );
    assert.throws(
      () => createClient({ zone: "pek3a", signer: "/sign" as never }),
      (error) => error instanceof ValidationError && error.parameter == "signer",
    );
    assert.throws(() => remoteSigner("/sign"), (error) => error instanceof ValidationError);
    assert.throws(
      () => remoteSigner("ftp://example.com/sign?token=hunter2"),
      (error) => error instanceof ValidationError && !error.message.includes("hunter2"),
    );
    assert.throws(
      () => remoteSigner("http://127.0.0.1:9/sign", { fetch: "https://proxy.example" as never }),
      (error) =>
        error instanceof ValidationError && error.parameter == "fetch" &&
        /must be a function .*received "a string"/.test(error.message),
    );
    for (const batchWindow of [-1, NaN, 2 ** 31]) {
      assert.throws(
        () => remoteSigner("http://127.0.0.1:9/sign", { batchWindow }),
        (error) => error instanceof ValidationError && error.parameter == "batchWindow",
      );
    }
    const client = createClient({ zone: "pek3a", signer });
    await assert.rejects(
      presign(client, { method: "PUT", bucket, key: "k", expiresIn: 60 }),
      (error) =>
        error instanceof ValidationError && error.parameter == "credentials" &&
        /signer/.test(error.message),
    );
  });
});
