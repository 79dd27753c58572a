/**
 * upload(): Failures and the clean-up after them: faults retried, a failing source, a part refused for
 * good, an abort that fails during clean-up, and the body released when the upload cannot start.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { QingStorError, SourceError, upload, UploadError } from "../mod.ts";
import { withEmulator } from "./support/harness.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";
import { bucket, chunked, partSize, sizing } from "./support/upload.ts";

describe("upload()", () => {
  it("survives a 20% fault rate: 20 uploads byte-exact, nothing left in progress", () =>
    withEmulator(
      {
        minPartSize: partSize,
        seed: 20,
        faults: [
          // Rules are tried in turn: 8% + 92% × 6.5% + 86% × 7% ≈ 20% of part requests fail.
          { operations: ["uploadPart"], probability: 0.08, status: 503 },
          { operations: ["uploadPart"], probability: 0.065, status: 500 },
          { operations: ["uploadPart"], probability: 0.07, drop: "mid-body" },
          { operations: ["uploadPart"], probability: 0.05, delay: 30 },
        ],
      },
      async ({ client, emulator }) => {
        const c = client({ retry: { maxAttempts: 10, baseDelay: 1, maxDelay: 5 } });
        const uploads = Array.from({ length: 20 }, (_, i) => {
          const data = testBytes(i * 700 + 3000, i + 100);
          return upload(c, {
            bucket,
            key: `faulty/${i}`,
            body: i % 2 ? chunked(data) : data,
            ...sizing,
          })
            .then(() =>
              assert.equal(
                emulator.state.objects.get(`${bucket}/faulty/${i}`)!.md5,
                nativeMd5(data),
              )
            );
        });
        await Promise.all(uploads);
        assert.equal(emulator.state.uploads.size, 0);
        const puts = emulator.state.requests.filter((r) => r.operation == "uploadPart");
        const rate = puts.filter((r) => r.status != 201).length / puts.length;
        assert.ok(rate > 0.12 && rate < 0.3, `fault rate ${rate} of ${puts.length} part requests`);
      },
    ));

  it("turns a failing source into a SourceError, and cleans up", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const broken = new Error("disk read error");
      let sent = 0;
      const source = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 3 * partSize) return controller.error(broken);
          controller.enqueue(testBytes(512, sent));
          sent += 512;
        },
      });
      const error = await upload(client(), { bucket, key: "broken", body: source, ...sizing })
        .catch((e) => e);
      assert.ok(error instanceof SourceError, String(error));
      assert.ok(error instanceof UploadError);
      assert.equal(error.cause, broken);
      assert.equal(error.aborted, true);
      assert.match(error.message, /disk read error/);
      assert.equal(emulator.state.uploads.size, 0);
    }));

  it("fails for good on a part error, aborting the upload, with the cause attached", () =>
    withEmulator(
      { minPartSize: partSize, faults: [{ operations: ["uploadPart"], status: 403 }] },
      async ({ client, emulator }) => {
        const error = await upload(client(), {
          bucket,
          key: "denied",
          body: testBytes(3000),
          ...sizing,
        })
          .catch((e) => e);
        assert.ok(error instanceof UploadError && !(error instanceof SourceError), String(error));
        assert.equal((error.cause as { code: string }).code, "permission_denied");
        assert.equal(error.aborted, true);
        assert.equal(emulator.state.uploads.size, 0);
      },
    ));

  it("reports an abort that fails during clean-up, keeping the real cause", () =>
    withEmulator(
      {
        minPartSize: partSize,
        faults: [
          { operations: ["uploadPart"], status: 403 },
          { operations: ["abortMultipartUpload"], status: 503 },
        ],
      },
      async ({ client, emulator }) => {
        const error = await upload(client(), {
          bucket,
          key: "stuck",
          body: testBytes(3000),
          ...sizing,
        }).catch((e) => e);
        assert.ok(error instanceof UploadError, String(error));
        assert.equal((error.cause as QingStorError).code, "permission_denied");
        assert.equal(error.aborted, false);
        assert.ok(error.abortError instanceof QingStorError, String(error.abortError));
        assert.equal(error.abortError.status, 503);
        assert.equal(emulator.state.uploads.size, 1, "the upload is still there");
      },
    ));

  it("releases the body when the upload cannot even start", () =>
    withEmulator(
      { minPartSize: partSize, faults: [{ operations: ["initiateMultipartUpload"], status: 403 }] },
      async ({ client }) => {
        let cancelled = false;
        const body = new ReadableStream<Uint8Array>({
          pull: (controller) => controller.enqueue(testBytes(10)),
          cancel: () => {
            cancelled = true;
          },
        });
        const error = await upload(client(), { bucket, key: "denied", body, ...sizing })
          .catch((e) => e);
        assert.equal(error.code, "permission_denied");
        assert.ok(cancelled);
      },
    ));

  it("keeps the real error when an iterable's return() hands back a plain value", () =>
    withEmulator(
      { minPartSize: partSize, faults: [{ operations: ["initiateMultipartUpload"], status: 403 }] },
      async ({ client }) => {
        const body: AsyncIterable<Uint8Array> = {
          [Symbol.asyncIterator]: () => ({
            next: () => Promise.resolve({ done: false, value: testBytes(10) }),
            return: (() => ({ done: true, value: undefined })) as never,
          }),
        };
        const error = await upload(client(), { bucket, key: "k", body, ...sizing }).catch((e) => e);
        assert.equal(error.code, "permission_denied", String(error));
      },
    ));
});
