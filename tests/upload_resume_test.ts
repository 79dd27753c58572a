/**
 * upload(): Parts kept on failure (leavePartsOnError, resumed uploads) and resuming an upload: only the
 * missing or mismatched parts are sent.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  initiateMultipartUpload,
  QingStorError,
  SourceError,
  upload,
  UploadError,
  uploadPart,
} from "../mod.ts";
import { withEmulator } from "./support/harness.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";
import { bucket, chunked, partSize, sizing, uploadIdOf } from "./support/upload.ts";

describe("upload()", () => {
  it("keeps the parts with leavePartsOnError, then resumes sending only the missing ones", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const data = testBytes(8 * partSize + 100, 77);
      let sent = 0;
      const failing = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 5 * partSize) return controller.error(new Error("network share vanished"));
          controller.enqueue(data.slice(sent, sent + 256));
          sent += 256;
        },
      });
      const error = await upload(client(), {
        bucket,
        key: "resume",
        body: failing,
        ...sizing,
        concurrency: 2,
        leavePartsOnError: true,
      }).catch((e) => e);
      assert.ok(error instanceof SourceError, String(error));
      assert.equal(error.aborted, false);
      const kept = emulator.state.uploads.get(uploadIdOf(error))!;
      // Parts in flight at the failure were allowed to finish: the error lists exactly what is kept.
      assert.deepEqual(
        [...kept.parts.values()].map((p) => [p.partNumber, p.etag]).sort(),
        error.parts.map((p) => [p.partNumber, p.etag]),
      );
      assert.ok(error.parts.length >= 3, `parts kept: ${error.parts.length}`);

      const result = await upload(client(), {
        bucket,
        key: "resume",
        body: chunked(data, [999]),
        ...sizing,
        uploadId: error.uploadId,
      });
      // A part cancelled by the failure may still reach the server late: count from the listing on.
      const listing = emulator.state.requests.findIndex((r) => r.operation == "listParts");
      const resent = emulator.state.requests.slice(listing).filter((r) =>
        r.operation == "uploadPart"
      );
      assert.equal(resent.length, 9 - error.parts.length, "only the missing parts were sent");
      assert.equal(result.uploadId, error.uploadId);
      assert.equal(emulator.state.objects.get(`${bucket}/resume`)!.md5, nativeMd5(data));
    }));

  it("re-sends a part whose size or MD5 does not match when resuming", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const c = client();
      const data = testBytes(3 * partSize, 3);
      const { uploadId } = await initiateMultipartUpload(c, { bucket, key: "mismatch" });
      const wrong = data.slice(0, partSize);
      wrong[10] ^= 1;
      await uploadPart(c, { bucket, key: "mismatch", uploadId, partNumber: 0, body: wrong });
      await uploadPart(c, {
        bucket,
        key: "mismatch",
        uploadId,
        partNumber: 1,
        body: data.slice(partSize, 2 * partSize),
      });
      await uploadPart(c, {
        bucket,
        key: "mismatch",
        uploadId,
        partNumber: 2,
        body: data.slice(0, 10),
      });
      const before = emulator.state.requests.length;
      await upload(c, { bucket, key: "mismatch", body: data, ...sizing, uploadId });
      const resent = emulator.state.requests.slice(before).filter((r) =>
        r.operation == "uploadPart"
      );
      assert.deepEqual(resent.map((r) => /part_number=(\d+)/.exec(r.target)![1]).sort(), [
        "0",
        "2",
      ]);
      assert.equal(emulator.state.objects.get(`${bucket}/mismatch`)!.md5, nativeMd5(data));
    }));

  it("keeps the parts on a part failure with leavePartsOnError, listing exactly those", () =>
    withEmulator(
      {
        minPartSize: partSize,
        faults: [{ operations: ["uploadPart"], status: 403, probability: 0.3 }],
        seed: 3,
      },
      async ({ client, emulator }) => {
        const error = await upload(client(), {
          bucket,
          key: "kept",
          body: testBytes(10 * partSize),
          ...sizing,
          leavePartsOnError: true,
        }).catch((e) => e);
        assert.ok(error instanceof UploadError && !(error instanceof SourceError), String(error));
        assert.equal(error.aborted, false);
        const kept = emulator.state.uploads.get(uploadIdOf(error))!;
        assert.deepEqual(
          [...kept.parts.keys()].sort((a, b) => a - b),
          error.parts.map((p) => p.partNumber),
        );
      },
    ));

  it("keeps a resumed upload's parts on failure by default", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const c = client();
      const { uploadId } = await initiateMultipartUpload(c, { bucket, key: "mine" });
      await uploadPart(c, {
        bucket,
        key: "mine",
        uploadId,
        partNumber: 0,
        body: testBytes(partSize),
      });
      emulator.faults.push({ operations: ["uploadPart"], status: 403 });
      const error = await upload(c, {
        bucket,
        key: "mine",
        body: testBytes(3 * partSize),
        ...sizing,
        uploadId,
      })
        .catch((e) => e);
      assert.ok(error instanceof UploadError);
      assert.equal(error.aborted, false);
      assert.ok(emulator.state.uploads.has(uploadId), "the caller's upload is left for them");
    }));

  it("leaves the caller's upload when listing its parts fails, and sends nothing", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const c = client();
      const { uploadId } = await initiateMultipartUpload(c, { bucket, key: "unlisted" });
      const from = emulator.state.requests.length;
      emulator.faults.push({ operations: ["listParts"], status: 403 });
      const error = await upload(c, {
        bucket,
        key: "unlisted",
        body: testBytes(3 * partSize),
        ...sizing,
        uploadId,
      })
        .catch((e) => e);
      assert.ok(error instanceof QingStorError, String(error));
      assert.equal(error.status, 403);
      assert.deepEqual(
        emulator.state.requests.slice(from).map((request) => request.operation),
        ["listParts"],
        "no part, and no abort",
      );
      assert.ok(emulator.state.uploads.has(uploadId), "the caller's upload is left for them");
    }));
});
