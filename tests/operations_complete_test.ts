/**
 * completeMultipartUpload(): parts refused (too small, wrong ETag), an outcome unknown (an answer
 * lost, none at all), a connection dropped mid-body, an upload that is gone.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  completeMultipartUpload,
  CompleteStatusUnknownError,
  QingStorError,
  uploadPart,
} from "../mod.ts";
import { inProcess, withEmulator } from "./support/harness.ts";
import { testBytes } from "./support/bytes.ts";
import { bucket, completeOnePart, small, startWithOnePart } from "./support/one_part.ts";

describe("completeMultipartUpload()", () => {
  it("refuses a small part that is not the last with entity_too_small", () =>
    withEmulator(small, async ({ client }) => {
      const c = client();
      const uploadId = await startWithOnePart(c);
      await uploadPart(c, { bucket, key: "k", uploadId, partNumber: 1, body: testBytes(10) });
      const error = await completeMultipartUpload(c, {
        bucket,
        key: "k",
        uploadId,
        parts: [{ partNumber: 0 }, { partNumber: 1 }],
      }).catch((e) => e);
      assert.equal(error.code, "entity_too_small");
      assert.equal(error.status, 400);
    }));

  it("refuses a wrong part ETag at complete", () =>
    withEmulator(small, async ({ client }) => {
      const c = client();
      const uploadId = await startWithOnePart(c);
      const error = await completeMultipartUpload(c, {
        bucket,
        key: "k",
        uploadId,
        parts: [{ partNumber: 0, etag: "00000000000000000000000000000000" }],
      }).catch((e) => e);
      assert.equal(error.code, "invalid_request");
    }));

  it("reports a complete whose first attempt took effect unseen as status unknown", async () => {
    // In-process: over HTTP, some runtimes' fetch (Deno's) silently re-sends a request whose
    // reused connection dropped, and such a hidden retry cannot be told from a first attempt.
    const { emulator, client: c } = inProcess({
      ...small,
      faults: [{ operations: ["completeMultipartUpload"], drop: "after-handling", times: 1 }],
    });
    const uploadId = await startWithOnePart(c);
    const error = await completeOnePart(c, uploadId);
    assert.ok(error instanceof CompleteStatusUnknownError, String(error));
    assert.ok(error instanceof QingStorError);
    assert.equal(error.code, "upload_not_exists");
    assert.equal(error.attempts, 2);
    assert.match(error.message, /may have completed it/);
    assert.ok(emulator.state.objects.has(`${bucket}/k`), "the first attempt did complete");
  });

  it("reports a complete that never got an answer as status unknown", async () => {
    const { emulator, client: c } = inProcess(
      { ...small, faults: [{ operations: ["completeMultipartUpload"], drop: "after-handling" }] },
      { retry: { maxAttempts: 1 } },
    );
    const uploadId = await startWithOnePart(c);
    const error = await completeOnePart(c, uploadId);
    assert.ok(error instanceof CompleteStatusUnknownError, String(error));
    assert.equal(error.status, 0);
    assert.match(error.message, /no answer/);
    assert.ok(emulator.state.objects.has(`${bucket}/k`));
  });

  it("retries a complete whose connection dropped mid-body", () =>
    withEmulator(
      {
        ...small,
        faults: [{ operations: ["completeMultipartUpload"], drop: "mid-body", times: 1 }],
      },
      async ({ client, emulator }) => {
        const c = client();
        const uploadId = await startWithOnePart(c);
        await completeMultipartUpload(c, {
          bucket,
          key: "k",
          uploadId,
          parts: [{ partNumber: 0 }],
        });
        const completes = emulator.state.requests.filter((r) =>
          r.operation == "completeMultipartUpload"
        );
        assert.deepEqual(completes.map((r) => r.status), [0, 201]);
      },
    ));

  it("reports a plain upload_not_exists when complete was tried once", () =>
    withEmulator(small, async ({ client }) => {
      const error = await completeMultipartUpload(client(), {
        bucket,
        key: "k",
        uploadId: "gone",
        parts: [{ partNumber: 0 }],
      }).catch((e) => e);
      assert.ok(error instanceof QingStorError);
      assert.ok(!(error instanceof CompleteStatusUnknownError));
      assert.equal(error.code, "upload_not_exists");
      assert.equal(error.attempts, 1);
    }));
});
