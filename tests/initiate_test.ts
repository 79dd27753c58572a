import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createClient, initiateMultipartUpload, QingStorError } from "../mod.ts";
import { CREDENTIALS, inProcess, inspect, withEmulator } from "./support/harness.ts";
import { virtualHostFetch } from "./support/virtual_host_fetch.ts";

// What initiate does; the transport it sends through (retries, deadlines, signals, clock skew,
// error bodies) is tested in transport_test.ts, and the retry policy in retry_policy_test.ts.

const bucket = "mybucket";

describe("initiateMultipartUpload over HTTP", () => {
  it("starts an upload with content type, storage class and metadata", () =>
    withEmulator({}, async ({ client, emulator }) => {
      const result = await initiateMultipartUpload(client(), {
        bucket,
        key: "videos/大 file (1).mp4",
        contentType: "video/mp4",
        storageClass: "STANDARD_IA",
        metadata: { owner: "alice", "Project.Name_1": "demo run" },
      });
      assert.equal(result.bucket, bucket);
      assert.equal(result.key, "videos/大 file (1).mp4");
      assert.match(result.uploadId, /^[0-9a-f]{32}$/);
      assert.match(result.requestId, /^[0-9a-f]{32}$/);
      const upload = emulator.state.uploads.get(result.uploadId)!;
      assert.equal(upload.key, "videos/大 file (1).mp4");
      assert.equal(upload.contentType, "video/mp4");
      assert.equal(upload.storageClass, "STANDARD_IA");
      assert.deepEqual(upload.metadata, { owner: "alice", "project.name_1": "demo run" });
      const [record] = emulator.state.requests;
      assert.equal(record.target, "/mybucket/videos/%E5%A4%A7%20file%20%281%29.mp4?uploads");
      assert.equal(record.auth, "header");
      assert.match(record.headers.authorization, /^QS TESTACCESSKEYID00000:[A-Za-z0-9+/]{43}=$/);
      assert.ok(record.headers["x-qs-date"].endsWith(" GMT"));
    }));

  it("round-trips hostile keys byte for byte", () =>
    withEmulator({}, async ({ client, emulator }) => {
      const keys = [
        "中文/文件.bin",
        "emoji 😀 🚀.txt",
        "with space",
        "plus+equals=amp&question?hash#percent%",
        "back\\slash;semi(paren)star*quote'",
        "bang!tilde~at@colon:comma,dollar$",
        "double//slash/",
        "%2e%2e/encoded-dots-stay-literal",
        "\n", // line breaks alone are a valid key
        "\r\n\u2028\ttab",
        "a".repeat(1023),
        "中".repeat(341), // 1023 UTF-8 bytes
      ];
      for (const key of keys) {
        const { uploadId } = await initiateMultipartUpload(client(), { bucket, key });
        assert.equal(emulator.state.uploads.get(uploadId)!.key, key, key);
      }
    }));

  it("uses virtual-host style, in-process and over HTTP", async () => {
    const { emulator, client: local } = inProcess({}, {
      endpoint: "https://pek3a.qingstor.com",
      style: "virtual-host",
    });
    const first = await initiateMultipartUpload(local, { bucket, key: "a b.bin" });
    assert.equal(emulator.state.uploads.get(first.uploadId)!.bucket, bucket);
    assert.equal(emulator.state.requests[0].target, "/a%20b.bin?uploads");

    await withEmulator({}, async ({ client, emulator, server }) => {
      const overHttp = client({
        endpoint: `http://localhost:${server.port}`,
        style: "virtual-host",
        fetch: await virtualHostFetch(),
      });
      const second = await initiateMultipartUpload(overHttp, { bucket, key: "dir/x.bin" });
      assert.equal(emulator.state.uploads.get(second.uploadId)!.key, "dir/x.bin");
      assert.equal(emulator.state.requests[0].headers.host, `mybucket.localhost:${server.port}`);
      assert.equal(emulator.state.requests[0].target, "/dir/x.bin?uploads");
    });
  });

  it("sends anonymous requests to a public bucket without Authorization", () =>
    withEmulator({ publicBuckets: ["public-bucket"] }, async ({ client, emulator }) => {
      const anonymous = client({ credentials: undefined });
      const { uploadId } = await initiateMultipartUpload(anonymous, {
        bucket: "public-bucket",
        key: "k",
      });
      assert.ok(emulator.state.uploads.has(uploadId));
      const [record] = emulator.state.requests;
      assert.equal(record.auth, "anonymous");
      assert.equal(record.headers.authorization, undefined);

      const denied = await initiateMultipartUpload(anonymous, { bucket, key: "k" }).catch((e) => e);
      assert.ok(denied instanceof QingStorError);
      assert.equal(denied.status, 403);
      assert.equal(denied.code, "permission_denied");
    }));

  it("reports a wrong secret as signature_not_matched without leaking the secret", () =>
    withEmulator({}, async ({ client, emulator }) => {
      const secretAccessKey = "wrongSecretThatMustNeverBeShown0123456789";
      const wrong = client({
        credentials: { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey },
      });
      const error = await initiateMultipartUpload(wrong, { bucket, key: "k" }).catch((e) => e);
      assert.ok(error instanceof QingStorError);
      assert.equal(error.status, 401);
      assert.equal(error.code, "signature_not_matched");
      assert.equal(error.operation, "initiateMultipartUpload");
      assert.equal(error.requestId, emulator.state.requests[0].requestId);
      assert.equal(error.attempts, 1, "401 is not retried");
      const shown = await inspect(error);
      assert.ok(!shown.includes(secretAccessKey));
      assert.ok(!shown.includes(emulator.state.requests[0].headers.authorization));
      assert.ok(!shown.includes("QS TESTACCESSKEYID"));
    }));

  it("reports an unknown access key as invalid_access_key_id", () =>
    withEmulator({}, async ({ client }) => {
      const unknown = client({ credentials: { accessKeyId: "NOPE", secretAccessKey: "x" } });
      const error = await initiateMultipartUpload(unknown, { bucket, key: "k" }).catch((e) => e);
      assert.equal(error.code, "invalid_access_key_id");
      assert.equal(error.status, 401);
    }));

  it("derives the SSE-C headers from a 32-byte key", () =>
    withEmulator({}, async ({ client, emulator }) => {
      const customerKey = new TextEncoder().encode("x".repeat(32));
      const { uploadId } = await initiateMultipartUpload(client(), {
        bucket,
        key: "secret.bin",
        encryption: { customerKey },
      });
      assert.equal(
        emulator.state.uploads.get(uploadId)!.encryptionKeyMd5,
        "3I/h1kl+vSP1l12NKhxegQ==",
      );
      const headers = emulator.state.requests[0].headers;
      assert.equal(headers["x-qs-encryption-customer-algorithm"], "AES256");
      assert.equal(
        headers["x-qs-encryption-customer-key"],
        "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHg=",
      );
      const fromBase64 = await initiateMultipartUpload(client(), {
        bucket,
        key: "secret2.bin",
        encryption: { customerKey: "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHg=" },
      });
      assert.ok(emulator.state.uploads.has(fromBase64.uploadId));
    }));

  it("refuses a success without an upload_id, without retrying it", async () => {
    // Retries allowed, and a 503 first: the success is tried once, and the count is true.
    const answers = [
      new Response(null, { status: 503 }),
      Response.json({ bucket: "mybucket" }, { status: 200 }),
      Response.json({ upload_id: "late" }, { status: 200 }),
    ];
    let calls = 0;
    const client = createClient({
      endpoint: "http://127.0.0.1:9",
      credentials: CREDENTIALS,
      retry: { maxAttempts: 3, baseDelay: 1 },
      fetch: () => Promise.resolve(answers[calls++]),
    });
    const error = await initiateMultipartUpload(client, { bucket, key: "k" }).catch((e) => e);
    assert.ok(error instanceof QingStorError, String(error));
    assert.match(error.message, /no upload_id/);
    assert.equal(calls, 2);
    assert.equal(error.attempts, 2);
  });
});
