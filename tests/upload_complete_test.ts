/**
 * upload(): Completion: a complete already sent when the abort comes, and a complete whose outcome is
 * unknown (no answer, or cut off by the abort), reported as possibly done without aborting.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CompleteStatusUnknownError, upload, UploadError } from "../mod.ts";
import { inProcess, untilRequest, withEmulator } from "./support/harness.ts";
import { testBytes } from "./support/bytes.ts";
import { bucket, partSize, sizing } from "./support/upload.ts";

describe("upload()", () => {
  it("lets a complete already sent finish when the abort comes then", () =>
    withEmulator(
      { minPartSize: partSize, faults: [{ operations: ["completeMultipartUpload"], delay: 60 }] },
      async ({ client, emulator }) => {
        const controller = new AbortController();
        const pending = upload(client(), {
          bucket,
          key: "late",
          body: testBytes(3000),
          ...sizing,
          signal: controller.signal,
        });
        await untilRequest(emulator, (r) => r.operation == "completeMultipartUpload");
        controller.abort(new Error("too late"));
        const result = await pending;
        assert.equal(result.size, 3000);
        assert.ok(emulator.state.objects.has(`${bucket}/late`), "the object exists, as reported");
      },
    ));

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
    const { emulator, client: c } = inProcess({
      minPartSize: partSize,
      faults: [{ operations: ["completeMultipartUpload"], delay: 40, drop: "after-handling" }],
    });
    const controller = new AbortController();
    const pending = upload(c, {
      bucket,
      key: "cut",
      body: testBytes(3000),
      ...sizing,
      signal: controller.signal,
    });
    await untilRequest(emulator, (r) => r.operation == "completeMultipartUpload");
    controller.abort(new Error("user abort"));
    const error = await pending.catch((e) => e);
    assert.ok(error instanceof UploadError, String(error));
    assert.ok(error.cause instanceof CompleteStatusUnknownError);
    assert.equal(error.aborted, false);
    assert.ok(emulator.state.objects.has(`${bucket}/cut`), "the object exists, as reported");
  });
});
