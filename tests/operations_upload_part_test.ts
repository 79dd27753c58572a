/**
 * uploadPart(): a part overwritten, Content-MD5 as told, resent once on bad_digest and
 * incomplete_body, an unknown upload, a connection dropped mid-body, the caller's abort.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  completeMultipartUpload,
  initiateMultipartUpload,
  listParts,
  QingStorError,
  uploadPart,
} from "../mod.ts";
import { inProcess, localClient, untilRequest, withEmulator } from "./support/harness.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";
import { bucket, small, startWithOnePart } from "./support/one_part.ts";

describe("uploadPart()", () => {
  it("overwrites a part uploaded again under the same number", () =>
    withEmulator(small, async ({ client, emulator }) => {
      const c = client();
      const { uploadId } = await initiateMultipartUpload(c, { bucket, key: "k" });
      await uploadPart(c, { bucket, key: "k", uploadId, partNumber: 0, body: testBytes(10, 1) });
      await uploadPart(c, { bucket, key: "k", uploadId, partNumber: 0, body: testBytes(20, 2) });
      await completeMultipartUpload(c, { bucket, key: "k", uploadId, parts: [{ partNumber: 0 }] });
      assert.equal(emulator.state.objects.get(`${bucket}/k`)!.md5, nativeMd5(testBytes(20, 2)));
    }));

  it("sends Content-MD5 as told: computed, given or none; a wrong one is bad_digest, resent once", () =>
    withEmulator(small, async ({ client, emulator }) => {
      const c = client();
      const { uploadId } = await initiateMultipartUpload(c, { bucket, key: "k" });
      const body = testBytes(64);
      await uploadPart(c, { bucket, key: "k", uploadId, partNumber: 0, body, md5: false });
      assert.equal(emulator.state.requests.at(-1)!.headers["content-md5"], undefined);
      const wrong = "AAAAAAAAAAAAAAAAAAAAAA==";
      const error = await uploadPart(c, {
        bucket,
        key: "k",
        uploadId,
        partNumber: 1,
        body,
        md5: wrong,
      })
        .catch((e) => e);
      assert.ok(error instanceof QingStorError);
      assert.equal(error.code, "bad_digest");
      assert.equal(error.attempts, 2, "bad_digest is resent once");
    }));

  it("sends an empty part, of bytes or a Blob, with its Content-Length over HTTP", () =>
    withEmulator(small, async ({ client, emulator }) => {
      const c = client();
      const { uploadId } = await initiateMultipartUpload(c, { bucket, key: "k" });
      // Deno's fetch sends an empty Blob chunked, with no Content-Length, which Upload Part
      // refuses (docs/protocol.md#known-length-bodies).
      for (
        const [partNumber, body] of [new Uint8Array(0), new Blob([], { type: "a/b" })].entries()
      ) {
        const { etag } = await uploadPart(c, { bucket, key: "k", uploadId, partNumber, body });
        assert.equal(etag, nativeMd5(new Uint8Array(0)), String(partNumber));
        assert.equal(emulator.state.requests.at(-1)!.headers["content-length"], "0");
      }
      assert.equal(emulator.state.uploads.get(uploadId)!.parts.size, 2);
    }));

  it("resends a part once on incomplete_body, as on bad_digest", async () => {
    const { emulator } = inProcess(small);
    let calls = 0;
    // The first answer says the body arrived short, as after a connection hiccup.
    const c = localClient((request) =>
      request.method == "PUT" && calls++ == 0
        ? Promise.resolve(
          Response.json({ code: "incomplete_body", message: "short" }, { status: 400 }),
        )
        : emulator.fetch(request)
    );
    const uploadId = await startWithOnePart(c);
    assert.equal(calls, 2, "the short first attempt, then the resend");
    assert.equal(emulator.state.uploads.get(uploadId)!.parts.size, 1);
  });

  it("reports an unknown upload as upload_not_exists", () =>
    withEmulator(small, async ({ client }) => {
      const error = await uploadPart(client(), {
        bucket,
        key: "k",
        uploadId: "nope",
        partNumber: 0,
        body: testBytes(1),
      }).catch((e) => e);
      assert.ok(error instanceof QingStorError);
      assert.equal(error.status, 404);
      assert.equal(error.code, "upload_not_exists");
      const listed = await listParts(client(), { bucket, key: "k", uploadId: "nope" }).catch((e) =>
        e
      );
      assert.equal(listed.code, "upload_not_exists");
    }));

  it("retries a part whose connection dropped mid-body, re-sending the bytes", () =>
    withEmulator(
      { ...small, faults: [{ operations: ["uploadPart"], drop: "mid-body", times: 1 }] },
      async ({ client, emulator }) => {
        const c = client();
        const { uploadId } = await initiateMultipartUpload(c, { bucket, key: "k" });
        const body = testBytes(256 * 1024);
        const { etag } = await uploadPart(c, { bucket, key: "k", uploadId, partNumber: 0, body });
        assert.equal(etag, nativeMd5(body));
        const statuses = emulator.state.requests.filter((r) => r.operation == "uploadPart").map((
          r,
        ) => r.status);
        assert.deepEqual(statuses, [0, 201]);
      },
    ));

  it("cancels an in-process request on abort, as fetch does", async () => {
    // A delay as long as setTimeout allows: only the abort can end the request.
    const { emulator, client: c } = inProcess({
      ...small,
      faults: [{ operations: ["uploadPart"], delay: 2 ** 31 - 1 }],
    });
    const { uploadId } = await initiateMultipartUpload(c, { bucket, key: "k" });
    const controller = new AbortController();
    const reason = new Error("user pressed cancel");
    const pending = uploadPart(c, {
      bucket,
      key: "k",
      uploadId,
      partNumber: 0,
      body: testBytes(10),
      signal: controller.signal,
    }).catch((e) => e);
    // The abort comes once the emulator holds the request.
    await untilRequest(emulator, (r) => r.operation == "uploadPart");
    controller.abort(reason);
    assert.equal(await pending, reason);
    assert.equal(emulator.state.requests.filter((r) => r.operation == "uploadPart").length, 1);
    assert.equal(emulator.state.uploads.get(uploadId)!.parts.size, 0);
  });
});
