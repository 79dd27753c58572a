import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { createClient, initiateMultipartUpload } from "../mod.ts";
import { createEmulator } from "../src/testing/mod.ts";
import { CREDENTIALS, localClient, untilRequest, withEmulator } from "./support/harness.ts";
import { rawRequest, signedHeaders, stalledRequest } from "./support/hand_sign.ts";

/** Starts an upload of `mybucket/k` with a hand-signed request; returns its ID. */
async function initiateRaw(base: string): Promise<string> {
  const path = "/mybucket/k?uploads";
  const answer = await rawRequest(base, "POST", path, await signedHeaders("POST", base + path));
  return JSON.parse(answer.body).upload_id;
}

describe("the emulator accepts what real clients send", () => {
  it("keys encoded as the JS SDK does (%2F inside keys, lowercase %2a) and a trailing &", () =>
    withEmulator({}, async ({ server, emulator }) => {
      const path = "/mybucket/dir%2Fsub%2Ffile%2a%28v1%29.txt?uploads&";
      const headers = await signedHeaders("POST", server.url + path);
      const answer = await rawRequest(server.url, "POST", path, headers);
      assert.equal(answer.status, 200, answer.body);
      const { upload_id } = JSON.parse(answer.body);
      assert.equal(emulator.state.uploads.get(upload_id)!.key, "dir/sub/file*(v1).txt");
    }));

  it("routes path-style requests by the raw path, whatever the Host names", () =>
    withEmulator({}, async ({ server, emulator }) => {
      for (const host of ["storage.invalid", "pek3a.qingstor.com", "10.0.0.1:8080"]) {
        const path = "/mybucket/routed?uploads";
        const headers = await signedHeaders("POST", server.url + path, { host });
        const answer = await rawRequest(server.url, "POST", path, headers);
        assert.equal(answer.status, 200, `${host}: ${answer.body}`);
        assert.equal(emulator.state.requests.at(-1)!.headers.host, host);
      }
      assert.equal(
        [...emulator.state.uploads.values()].filter((u) => u.bucket == "mybucket").length,
        3,
      );
    }));

  it("answers a signature over a different path with signature_not_matched", () =>
    withEmulator({}, async ({ server }) => {
      // Signed for %2F, sent as a literal "/": the bytes on the wire differ, so must the result.
      const headers = await signedHeaders("POST", server.url + "/mybucket/a%2Fb?uploads");
      const answer = await rawRequest(server.url, "POST", "/mybucket/a/b?uploads", headers);
      assert.equal(answer.status, 401);
      assert.equal(JSON.parse(answer.body).code, "signature_not_matched");
    }));
});

describe("the emulator enforces the service's rules", () => {
  it("refuses a bad storage class with 400 invalid_request", () =>
    withEmulator({}, async ({ server }) => {
      const path = "/mybucket/k?uploads";
      const headers = await signedHeaders("POST", server.url + path, {
        "x-qs-storage-class": "GLACIER",
      });
      const answer = await rawRequest(server.url, "POST", path, headers);
      assert.equal(answer.status, 400);
      const body = JSON.parse(answer.body);
      assert.equal(body.code, "invalid_request");
      assert.match(body.request_id, /^[0-9a-f]{32}$/);
    }));

  it("refuses metadata over 2 KB with 400 metadata_too_large", () =>
    withEmulator({}, async ({ server }) => {
      const path = "/mybucket/k?uploads";
      const headers = await signedHeaders("POST", server.url + path, {
        "x-qs-meta-a": "x".repeat(1500),
        "x-qs-meta-b": "y".repeat(600),
      });
      const answer = await rawRequest(server.url, "POST", path, headers);
      assert.equal(answer.status, 400);
      assert.equal(JSON.parse(answer.body).code, "metadata_too_large");
    }));

  it("refuses a date more than 15 minutes off with 403 request_expired", () =>
    withEmulator({ clockOffset: 16 * 60_000 }, async ({ server }) => {
      const path = "/mybucket/k?uploads";
      const answer = await rawRequest(
        server.url,
        "POST",
        path,
        await signedHeaders("POST", server.url + path),
      );
      assert.equal(answer.status, 403);
      assert.equal(JSON.parse(answer.body).code, "request_expired");
    }));

  it("refuses a complete body that is not JSON, or that lists no parts", () =>
    withEmulator({ minPartSize: 1 }, async ({ server }) => {
      const uploadId = await initiateRaw(server.url);
      const complete = `/mybucket/k?upload_id=${uploadId}`;
      const headers = await signedHeaders("POST", server.url + complete, {
        "content-type": "application/json",
      });
      const answer = await rawRequest(server.url, "POST", complete, headers, "{not json");
      assert.equal(answer.status, 400);
      assert.equal(JSON.parse(answer.body).code, "invalid_json");
      const empty = await rawRequest(server.url, "POST", complete, headers, '{"object_parts":[]}');
      assert.equal(JSON.parse(empty.body).code, "invalid_request");
    }));

  it("refuses a date that is not in the RFC 1123 form", () =>
    withEmulator({}, async ({ server }) => {
      const path = "/mybucket/k?uploads";
      const headers = await signedHeaders("POST", server.url + path);
      headers.set("x-qs-date", new Date().toISOString());
      const answer = await rawRequest(server.url, "POST", path, headers);
      assert.equal(answer.status, 400);
      assert.equal(JSON.parse(answer.body).code, "invalid_argument");
    }));

  it("refuses more than 10,000 parts at complete with max_parts_exceeded", () =>
    withEmulator({}, async ({ server }) => {
      const uploadId = await initiateRaw(server.url);
      const complete = `/mybucket/k?upload_id=${uploadId}`;
      const headers = await signedHeaders("POST", server.url + complete, {
        "content-type": "application/json",
      });
      const parts = Array.from({ length: 10_001 }, (_, n) => ({ part_number: n }));
      const answer = await rawRequest(
        server.url,
        "POST",
        complete,
        headers,
        JSON.stringify({ object_parts: parts }),
      );
      assert.equal(answer.status, 400);
      assert.equal(JSON.parse(answer.body).code, "max_parts_exceeded");
    }));

  it("refuses parts out of order at complete with invalid_request", () =>
    withEmulator({ minPartSize: 1 }, async ({ server }) => {
      const uploadId = await initiateRaw(server.url);
      for (const n of [0, 1]) {
        const part = `/mybucket/k?part_number=${n}&upload_id=${uploadId}`;
        const put = await rawRequest(
          server.url,
          "PUT",
          part,
          await signedHeaders("PUT", server.url + part, { "content-length": "3" }),
          "abc",
        );
        assert.equal(put.status, 201, put.body);
      }
      const complete = `/mybucket/k?upload_id=${uploadId}`;
      const answer = await rawRequest(
        server.url,
        "POST",
        complete,
        await signedHeaders("POST", server.url + complete, { "content-type": "application/json" }),
        JSON.stringify({ object_parts: [{ part_number: 1 }, { part_number: 0 }] }),
      );
      assert.equal(answer.status, 400);
      assert.equal(JSON.parse(answer.body).code, "invalid_request");
      assert.match(JSON.parse(answer.body).message, /ascend/);
    }));

  it("answers incomplete_body to a part shorter than its Content-Length", async () => {
    const emulator = createEmulator({ credentials: [CREDENTIALS] });
    const base = "http://localhost";
    const initiated = await emulator.fetch(
      new Request(base + "/mybucket/k?uploads", {
        method: "POST",
        headers: await signedHeaders("POST", base + "/mybucket/k?uploads"),
      }),
    );
    const { upload_id } = await initiated.json();
    const part = `/mybucket/k?part_number=0&upload_id=${upload_id}`;
    // In-process, so the declared length and the bytes can disagree as after a dropped upload.
    const headers = await signedHeaders("PUT", base + part, { "content-length": "100" });
    const answer = await emulator.fetch(
      new Request(base + part, { method: "PUT", headers, body: new Uint8Array(10) }),
    );
    assert.equal(answer.status, 400);
    assert.equal((await answer.json()).code, "incomplete_body");
    assert.equal(emulator.state.uploads.get(upload_id)!.parts.size, 0);
  });

  it("replays the same faults for the same seed, and others for another", async () => {
    const failures = async (seed: number) => {
      const emulator = createEmulator({
        credentials: [CREDENTIALS],
        seed,
        faults: [{ operations: ["initiateMultipartUpload"], probability: 0.5, status: 503 }],
      });
      const client = createClient({
        endpoint: "http://localhost",
        credentials: CREDENTIALS,
        retry: { maxAttempts: 1 },
        fetch: emulator.fetch,
      });
      const failed: string[] = [];
      for (let n = 0; n < 24; n++) {
        const key = `k${n}`;
        await initiateMultipartUpload(client, { bucket: "mybucket", key }).catch(() =>
          failed.push(key)
        );
      }
      return failed;
    };
    const first = await failures(7);
    assert.ok(first.length > 0 && first.length < 24, first.join());
    assert.deepEqual(await failures(7), first);
    assert.notDeepEqual(await failures(8), first);
  });

  it(
    "takes effect at once and holds the answer with delayAnswer, even for a client that gives up",
    {
      timeout: 10_000,
    },
    async () => {
      const emulator = createEmulator({
        credentials: [CREDENTIALS],
        faults: [{ operations: ["initiateMultipartUpload"], delayAnswer: 2 ** 31 - 1 }],
      });
      const client = createClient({
        endpoint: "http://localhost",
        credentials: CREDENTIALS,
        retry: { maxAttempts: 1 },
        fetch: emulator.fetch,
      });
      const controller = new AbortController();
      let settled = false;
      const pending = initiateMultipartUpload(client, {
        bucket: "mybucket",
        key: "a",
        signal: controller.signal,
      }).finally(() => settled = true);
      // Reached when the upload exists (the request log helper, asked about the state).
      await untilRequest(emulator, () => emulator.state.uploads.size == 1);
      assert.equal(settled, false, "made, and its answer held");
      controller.abort(new Error("gave up"));
      await pending.catch(() => {});
      assert.equal(emulator.state.uploads.size, 1, "made all the same");

      const patient = createEmulator({
        credentials: [CREDENTIALS],
        faults: [{ operations: ["initiateMultipartUpload"], delayAnswer: 20 }],
      });
      const { uploadId } = await initiateMultipartUpload(
        localClient(patient.fetch),
        { bucket: "mybucket", key: "b" },
      );
      assert.ok(patient.state.uploads.has(uploadId), "a patient client gets the answer");
    },
  );

  it(
    "ends a delay at once for a request aborted before the delay began",
    { timeout: 10_000 },
    async () => {
      // A delay as long as setTimeout allows: only the request's end can end it.
      const emulator = createEmulator({
        credentials: [CREDENTIALS],
        faults: [{ operations: ["initiateMultipartUpload"], delay: 2 ** 31 - 1 }],
      });
      const client = createClient({
        endpoint: "http://localhost",
        credentials: CREDENTIALS,
        retry: { maxAttempts: 1 },
        // Aborted as soon as it is handed over, so while it is authenticated, before any delay.
        fetch: (request) => {
          const cancelled = new Request(request, { signal: AbortSignal.abort() });
          return emulator.fetch(cancelled);
        },
      });
      await initiateMultipartUpload(client, { bucket: "mybucket", key: "k" }).catch(() => {});
      // Handled once the delay ends: at once, not in 24 days.
      await untilRequest(emulator, (record) => record.status == 200);
    },
  );

  it("refuses a part sent without Content-Length", () =>
    withEmulator({}, async ({ server }) => {
      const uploadId = await initiateRaw(server.url);
      const part = `/mybucket/k?part_number=0&upload_id=${uploadId}`;
      const headers = await signedHeaders("PUT", server.url + part, {
        "transfer-encoding": "chunked",
      });
      const answer = await rawRequest(server.url, "PUT", part, headers, "streamed bytes");
      assert.equal(answer.status, 400);
      assert.match(JSON.parse(answer.body).message, /Content-Length/);
    }));

  it("lets anonymous users write to a public bucket but not list its uploads", () =>
    withEmulator({ publicBuckets: ["open-bucket"] }, async ({ server }) => {
      const write = await rawRequest(server.url, "POST", "/open-bucket/k?uploads", new Headers());
      assert.equal(write.status, 200);
      const list = await rawRequest(server.url, "GET", "/open-bucket?uploads", new Headers());
      assert.equal(list.status, 403);
      assert.equal(JSON.parse(list.body).code, "permission_denied");
    }));

  it("answers a CORS preflight so browsers may send signed requests", () =>
    withEmulator({}, async ({ server }) => {
      const response = await fetch(server.url + "/mybucket/k?part_number=0&upload_id=x", {
        method: "OPTIONS",
        headers: {
          origin: "http://page.test",
          "access-control-request-method": "PUT",
          "access-control-request-headers": "authorization,x-qs-date,content-md5",
        },
      });
      assert.equal(response.status, 200, "OPTIONS Object answers 200");
      assert.equal(response.headers.get("access-control-allow-origin"), "http://page.test");
      assert.match(response.headers.get("access-control-allow-methods")!, /PUT/);
      assert.equal(
        response.headers.get("access-control-allow-headers"),
        "authorization,x-qs-date,content-md5",
      );
      assert.match(response.headers.get("access-control-expose-headers")!, /ETag/);
    }));
});

describe("deno task emulator", () => {
  it("prints its address first and serves requests, anonymous ones to its public bucket; takes a body timeout", async () => {
    const child = spawn(
      "./node_modules/.bin/deno",
      [
        "task",
        "-q",
        "emulator",
        "--port",
        "0",
        "--access-key-id",
        CREDENTIALS.accessKeyId,
        "--secret-access-key",
        CREDENTIALS.secretAccessKey,
        "--public-bucket",
        "open-bucket",
        "--body-timeout",
        "200",
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      const lines = createInterface({ input: child.stdout! });
      const first: string = await new Promise((resolve) => lines.once("line", resolve));
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(first);
      assert.ok(match, first);
      const path = "/mybucket/cli?uploads";
      const answer = await rawRequest(
        match[1],
        "POST",
        path,
        await signedHeaders("POST", match[1] + path),
      );
      assert.equal(answer.status, 200, answer.body);
      const anonymous = await rawRequest(
        match[1],
        "POST",
        "/open-bucket/cli?uploads",
        new Headers(),
      );
      assert.equal(anonymous.status, 200, anonymous.body);
      const refused = await rawRequest(match[1], "POST", "/mybucket/cli?uploads", new Headers());
      assert.equal(refused.status, 403, refused.body);
      const stalled = await stalledRequest(
        match[1],
        "PUT",
        "/open-bucket/stalled",
        new Headers({ "content-length": "100" }),
        new Uint8Array(10),
      );
      assert.equal(stalled.status, 400, "--body-timeout 200 gives up on a stalled body");
      assert.equal(JSON.parse(stalled.body).code, "incomplete_body");
      lines.close();
    } finally {
      child.kill("SIGINT");
      await new Promise((resolve) => child.once("exit", resolve));
    }
  });
});
