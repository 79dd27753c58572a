/**
 * putObject(): every body type stored as sent, with its properties; its checks before any request;
 * Content-MD5; retries; the caller's abort.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MAX_PUT_OBJECT_SIZE, putObject, QingStorError, ValidationError } from "../mod.ts";
import { inProcess, localClient, requestCountingFetch, withEmulator } from "./support/harness.ts";
import { halfBodyTransport } from "./support/held_body.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";

const bucket = "mybucket";
const KEY = new Uint8Array(32).fill(7);

describe("putObject()", () => {
  it("stores a Uint8Array, an ArrayBuffer, a Blob and a string byte for byte, ETag = MD5", () =>
    withEmulator({}, async ({ client, emulator }) => {
      const data = testBytes(3000);
      const bodies = {
        bytes: data,
        buffer: data.slice().buffer,
        blob: new Blob([data], { type: "image/png" }),
        text: "héllo, 世界",
        empty: new Uint8Array(0),
        // Sent as empty bytes: Deno's fetch sends an empty Blob chunked, with no Content-Length.
        emptyBlob: new Blob([], { type: "a/b" }),
      };
      for (const [key, body] of Object.entries(bodies)) {
        const result = await putObject(client(), { bucket, key, body });
        const expected = typeof body == "string"
          ? new TextEncoder().encode(body)
          : new Uint8Array(body instanceof Blob ? await body.arrayBuffer() : body);
        const stored = emulator.state.objects.get(`${bucket}/${key}`)!;
        assert.deepEqual(stored.data, expected, key);
        assert.equal(result.etag, nativeMd5(expected), key);
        assert.match(result.requestId, /\S/);
        // A Blob's own type is not sent: only contentType sets the object's type.
        assert.equal(stored.contentType, undefined, key);
      }
      // One request each: no upload was opened.
      assert.deepEqual(
        emulator.state.requests.map((record) => record.operation),
        Array(6).fill("putObject"),
      );
      assert.equal(emulator.state.uploads.size, 0);
    }));

  it("stores the content type, metadata, storage class and SSE-C key, with Content-MD5", () =>
    withEmulator({}, async ({ client, emulator }) => {
      const result = await putObject(client(), {
        bucket,
        key: "movie.mp4",
        body: testBytes(100),
        contentType: "video/mp4",
        metadata: { owner: "alice", "x-trace": "1" },
        storageClass: "STANDARD_IA",
        encryption: { customerKey: KEY },
      });
      assert.equal(result.encryptionAlgorithm, "AES256");
      const stored = emulator.state.objects.get(`${bucket}/movie.mp4`)!;
      assert.equal(stored.contentType, "video/mp4");
      assert.deepEqual(stored.metadata, { owner: "alice", "x-trace": "1" });
      assert.equal(stored.storageClass, "STANDARD_IA");
      assert.ok(stored.encryptionKeyMd5);
      const sent = emulator.state.requests[0].headers;
      assert.equal(
        sent["content-md5"],
        Buffer.from(nativeMd5(testBytes(100)), "hex").toString("base64"),
      );
    }));

  it("sends no Content-MD5 with md5: false, and a given one as is (a wrong one is refused)", () =>
    withEmulator({}, async ({ client, emulator }) => {
      await putObject(client(), { bucket, key: "plain", body: "abc", md5: false });
      assert.equal(emulator.state.requests[0].headers["content-md5"], undefined);
      const wrong = Buffer.from(nativeMd5(new TextEncoder().encode("abd")), "hex")
        .toString("base64");
      await assert.rejects(
        putObject(client(), { bucket, key: "damaged", body: "abc", md5: wrong }),
        (error) => error instanceof QingStorError && error.code == "bad_digest",
      );
      assert.equal(emulator.state.objects.has(`${bucket}/damaged`), false);
    }));

  it("refuses bad input before any request, naming the parameter", async () => {
    const counter = requestCountingFetch();
    const client = localClient(counter.fetch);
    // A Blob that says it is one byte over the limit: checked by its size, never read.
    const huge = Object.create(Blob.prototype, { size: { value: MAX_PUT_OBJECT_SIZE + 1 } });
    const cases: [Record<string, unknown>, string][] = [
      [{ body: huge }, "body"],
      [{ body: 42 }, "body"],
      [{ body: "\ud800" }, "body"],
      [{ body: new Uint8Array(new SharedArrayBuffer(4)) }, "body"],
      [{ md5: "not base64" }, "md5"],
      [{ onProgress: "yes" }, "onProgress"],
      [{ contentType: "a\nb" }, "contentType"],
      [{ storageClass: "GLACIER" }, "storageClass"],
      [{ metadata: { "bad name": "v" } }, "metadata"],
      [{ encryption: { customerKey: new Uint8Array(16) } }, "encryption.customerKey"],
      [{ key: "" }, "key"],
      [{ bucket: "B" }, "bucket"],
    ];
    for (const [change, parameter] of cases) {
      await assert.rejects(
        // deno-lint-ignore no-explicit-any
        putObject(client, { bucket, key: "k", body: "x", ...change } as any),
        (error) => error instanceof ValidationError && error.parameter == parameter,
        parameter,
      );
    }
    assert.equal(counter.count, 0);
    assert.equal(MAX_PUT_OBJECT_SIZE, 5_000_000_000);
  });

  it("is retried as a part is: after a 503, and after a connection dropped mid-body", () =>
    withEmulator({
      faults: [
        { operations: ["putObject"], status: 503, times: 1 },
        { operations: ["putObject"], drop: "mid-body", times: 1 },
      ],
    }, async ({ client, emulator }) => {
      const body = testBytes(64 * 1024);
      const result = await putObject(client(), { bucket, key: "retried", body });
      assert.equal(result.etag, nativeMd5(body));
      assert.equal(emulator.state.requests.length, 3);
      assert.deepEqual(emulator.state.objects.get(`${bucket}/retried`)!.data, body);
    }));

  it("stops at the caller's abort mid-body, and stores nothing", async () => {
    const { emulator } = inProcess();
    const held = halfBodyTransport(emulator);
    const client = localClient(held.fetch);
    const controller = new AbortController();
    const reason = new Error("cancelled");
    const pending = putObject(client, {
      bucket,
      key: "aborted",
      body: testBytes(4096),
      signal: controller.signal,
    });
    await held.halfRead;
    controller.abort(reason);
    await assert.rejects(pending, (error) => error === reason);
    assert.equal((await held.answered).status, 400);
    assert.equal(emulator.state.objects.size, 0);
  });
});
