/**
 * upload(): Completion: a complete already sent when the abort comes, and a complete whose outcome is
 * unknown (no answer, or cut off by the abort), reported as possibly done without aborting.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CompleteStatusUnknownError, upload, UploadError } from "../mod.ts";
import { inProcess, localClient, withEmulator } from "./support/harness.ts";
import { holdRequest, isComplete } from "./support/held_request.ts";
import { testBytes } from "./support/bytes.ts";
import { bucket, partSize, sizing } from "./support/upload.ts";

describe("upload()", () => {
  it("lets a complete already sent finish when the abort comes then", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      // The complete is held once upload() has sent it; the abort comes then.
      const held = holdRequest((request) => fetch(request), isComplete);
      const controller = new AbortController();
      const pending = upload(client({ fetch: held.fetch }), {
        bucket,
        key: "late",
        body: testBytes(3000),
        ...sizing,
        signal: controller.signal,
      });
      await held.arrived;
      controller.abort(new Error("too late"));
      held.release();
      const result = await pending;
      assert.equal(result.size, 3000);
      assert.ok(emulator.state.objects.has(`${bucket}/late`), "the object exists, as reported");
    }));

  it("reports a complete whose outcome is unknown without aborting the upload", async () => {
    const { emulator, client: c } = inProcess({
      minPartSize: partSize,
      faults: [{ operations: ["completeMultipartUpload"], drop: "after-handling", times: 1 }],
    });
    const error = await upload(c, { bucket, key: "unknown", body: testBytes(3000), ...sizing })
      .catch((e) => e);
    assert.ok(error instanceof UploadError, String(error));
    assert.ok(error.cause instanceof CompleteStatusUnknownError);
    assert.equal(error.aborted, false);
    assert.match(error.message, /may have succeeded/);
    assert.ok(emulator.state.objects.has(`${bucket}/unknown`));
    assert.ok(!emulator.state.requests.some((r) => r.operation == "abortMultipartUpload"));
  });

  it("reports a complete with no answer as possibly done, without aborting", async () => {
    const { emulator, client: c } = inProcess(
      {
        minPartSize: partSize,
        faults: [{ operations: ["completeMultipartUpload"], drop: "after-handling" }],
      },
      { retry: { maxAttempts: 1 } },
    );
    const error = await upload(c, { bucket, key: "silent", body: testBytes(3000), ...sizing })
      .catch((e) => e);
    assert.ok(error instanceof UploadError, String(error));
    assert.ok(error.cause instanceof CompleteStatusUnknownError);
    assert.equal(error.aborted, false);
    assert.ok(emulator.state.objects.has(`${bucket}/silent`));
  });

  it("reports a complete cut off by the abort as possibly done, not as the abort", async () => {
    const { emulator } = inProcess({
      minPartSize: partSize,
      faults: [{ operations: ["completeMultipartUpload"], drop: "after-handling" }],
    });
    // The complete is held once upload() has sent it; the abort comes then, and its answer is lost.
    const held = holdRequest(emulator.fetch, isComplete);
    const controller = new AbortController();
    const pending = upload(localClient(held.fetch), {
      bucket,
      key: "cut",
      body: testBytes(3000),
      ...sizing,
      signal: controller.signal,
    });
    await held.arrived;
    controller.abort(new Error("user abort"));
    held.release();
    const error = await pending.catch((e) => e);
    assert.ok(error instanceof UploadError, String(error));
    assert.ok(error.cause instanceof CompleteStatusUnknownError);
    assert.equal(error.aborted, false);
    assert.ok(emulator.state.objects.has(`${bucket}/cut`), "the object exists, as reported");
    const completes = emulator.state.requests.filter((r) =>
      r.operation == "completeMultipartUpload"
    );
    assert.equal(completes.length, 1, "no retry after the abort");
  });
});
