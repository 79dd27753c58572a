/**
 * No orphaned uploads when an initiate's answer is lost: initiate is not
 * idempotent, so an attempt that took effect unseen, and every retry after
 * it, may leave an upload nobody knows. upload() finds and aborts them.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CompleteStatusUnknownError,
  initiateMultipartUpload,
  LeftoverUploadsError,
  QingStorError,
  upload,
  UploadError,
} from "../mod.ts";
import type { Emulator, FaultRule } from "../src/testing/mod.ts";
import { inProcess } from "./support/harness.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";
import { bucket, sizing } from "./support/upload.ts";

/** The operations the emulator was asked, in order. */
const operations = (emulator: Emulator) => emulator.state.requests.map((r) => r.operation);

/** An initiate whose answer is lost once, after the service made the upload. */
const LOST_ONCE: FaultRule = {
  operations: ["initiateMultipartUpload"],
  drop: "after-handling",
  times: 1,
};

describe("uploads created by initiate attempts whose answers were lost", () => {
  it("upload() aborts the one a lost answer made, and keeps its own", async () => {
    const { emulator, client } = inProcess({ minPartSize: 1024, faults: [LOST_ONCE] });
    const data = testBytes(3000);
    const result = await upload(client, { bucket, key: "k", body: data, ...sizing });
    assert.equal(emulator.state.objects.get(`${bucket}/k`)!.md5, nativeMd5(data));
    assert.equal(emulator.state.uploads.size, 0, "nothing left in progress");
    assert.equal(result.cleanupError, undefined);
    const ops = operations(emulator);
    assert.deepEqual(ops.slice(0, 2), ["initiateMultipartUpload", "initiateMultipartUpload"]);
    assert.ok(ops.includes("listMultipartUploads"));
    assert.equal(ops.filter((op) => op == "abortMultipartUpload").length, 1);
  });

  it("24 upload()s with a timeout shorter than the service's answer leave nothing in progress", async () => {
    const { emulator, client } = inProcess(
      {
        minPartSize: 1024,
        faults: [{ operations: ["initiateMultipartUpload"], delayAnswer: 250 }],
      },
      // Far apart, so that a loaded machine does not blur them.
      { timeout: 150 },
    );
    const outcomes = await Promise.allSettled(
      Array.from(
        { length: 24 },
        (_, i) => upload(client, { bucket, key: `slow/${i}`, body: testBytes(2000, i), ...sizing }),
      ),
    );
    for (const outcome of outcomes) {
      assert.equal(outcome.status, "rejected");
      const error = (outcome as PromiseRejectedResult).reason;
      assert.ok(error instanceof QingStorError, String(error));
      assert.equal(error.status, 0);
      assert.equal(error.mayHaveTakenEffect, true);
    }
    const made = operations(emulator).filter((op) => op == "initiateMultipartUpload").length;
    assert.equal(made, 24 * 4, "every attempt made an upload");
    assert.equal(emulator.state.uploads.size, 0, "and every one was aborted");
  });

  it("with some answers late, every upload() settles, the objects are right, nothing is left", async () => {
    const { emulator, client } = inProcess(
      {
        minPartSize: 1024,
        seed: 9,
        faults: [{ operations: ["initiateMultipartUpload"], delayAnswer: 300, probability: 0.6 }],
      },
      { timeout: 200 },
    );
    const bodies = Array.from({ length: 24 }, (_, i) => testBytes(500 + 700 * i, i + 1));
    const outcomes = await Promise.allSettled(
      bodies.map((body, i) => upload(client, { bucket, key: `late/${i}`, body, ...sizing })),
    );
    let succeeded = 0;
    outcomes.forEach((outcome, i) => {
      const object = emulator.state.objects.get(`${bucket}/late/${i}`);
      if (outcome.status == "fulfilled") {
        succeeded++;
        assert.equal(outcome.value.cleanupError, undefined);
        assert.equal(object!.md5, nativeMd5(bodies[i]));
      } else if (outcome.reason instanceof UploadError) {
        // On a loaded machine a part or complete may outlast the timeout too: the upload is
        // then aborted, or complete's outcome is unknown, and the object, if there, is right.
        const unknown = outcome.reason.cause instanceof CompleteStatusUnknownError;
        assert.ok(unknown || outcome.reason.aborted, String(outcome.reason));
        if (object) assert.equal(object.md5, nativeMd5(bodies[i]));
      } else {
        assert.ok(outcome.reason instanceof QingStorError, String(outcome.reason));
        assert.equal(object, undefined);
      }
    });
    assert.ok(succeeded > 0, `${succeeded} of 24 succeeded`);
    assert.ok(
      operations(emulator).filter((op) => op == "abortMultipartUpload").length > 0,
      "orphans were made and aborted",
    );
    assert.equal(emulator.state.uploads.size, 0);
  });

  it("aborts only this key's uploads created since the lost attempt", async () => {
    const { emulator, client } = inProcess({ minPartSize: 1024 });
    const older = await initiateMultipartUpload(client, { bucket, key: "k" });
    emulator.state.uploads.get(older.uploadId)!.created = new Date(emulator.now() - 60_000);
    const longer = await initiateMultipartUpload(client, { bucket, key: "k-and-more" });
    emulator.faults.push(LOST_ONCE);
    const result = await upload(client, { bucket, key: "k", body: testBytes(2000), ...sizing });
    assert.equal(result.cleanupError, undefined);
    assert.deepEqual(
      [...emulator.state.uploads.keys()].sort(),
      [older.uploadId, longer.uploadId].sort(),
      "the older upload of the key and the other key's are kept",
    );
    // Not even tried: the service might not check that an upload ID belongs to the key.
    const aborts = emulator.state.requests.filter((r) => r.operation == "abortMultipartUpload");
    assert.equal(aborts.length, 1);
    for (const { uploadId } of [older, longer]) {
      assert.ok(!aborts[0].target.includes(uploadId));
    }
  });

  it("says since when uploads may remain when listing them fails", async () => {
    const { emulator, client } = inProcess({
      minPartSize: 1024,
      faults: [LOST_ONCE, { operations: ["listMultipartUploads"], status: 403 }],
    });
    const before = emulator.now();
    const result = await upload(client, { bucket, key: "k", body: testBytes(2000), ...sizing });
    assert.ok(emulator.state.objects.has(`${bucket}/k`), "the upload itself succeeded");
    const left = result.cleanupError;
    assert.ok(left instanceof LeftoverUploadsError, String(left));
    assert.deepEqual(left.uploadIds, []);
    assert.ok(left.since && Math.abs(left.since.getTime() - before) < 5000, String(left.since));
    assert.match(left.message, /Uploads of k created since \d{4}-.*Z may remain: listing them/);
    assert.equal((left.cause as QingStorError).code, "permission_denied");
    // What it says is so: the orphan is there, created after `since`.
    const [orphan] = emulator.state.uploads.values();
    assert.ok(orphan.created >= left.since!);

    // A part failing too: the UploadError carries it.
    emulator.faults.push({ operations: ["uploadPart"], status: 403 });
    emulator.faults.push({ ...LOST_ONCE });
    const error = await upload(client, { bucket, key: "k2", body: testBytes(2000), ...sizing })
      .catch((e) => e);
    assert.ok(error instanceof UploadError, String(error));
    assert.equal(error.aborted, true);
    assert.ok(error.cleanupError instanceof LeftoverUploadsError);
  });

  it("searches again when the listing fails for a passing reason, not when it is refused", async () => {
    const { emulator, client } = inProcess({
      minPartSize: 1024,
      faults: [LOST_ONCE, { operations: ["listMultipartUploads"], status: 503, times: 4 }],
    });
    const result = await upload(client, { bucket, key: "k", body: testBytes(2000), ...sizing });
    assert.equal(result.cleanupError, undefined);
    assert.equal(emulator.state.uploads.size, 0);
    const listings = operations(emulator).filter((op) => op == "listMultipartUploads");
    assert.equal(listings.length, 5, "a first round of 4 attempts failed; the second listed");

    const refused = inProcess({
      minPartSize: 1024,
      faults: [LOST_ONCE, { operations: ["listMultipartUploads"], status: 403 }],
    });
    const told = await upload(refused.client, {
      bucket,
      key: "k",
      body: testBytes(2000),
      ...sizing,
    });
    assert.ok(told.cleanupError instanceof LeftoverUploadsError);
    assert.equal(
      operations(refused.emulator).filter((op) => op == "listMultipartUploads").length,
      1,
      "a refusal is final",
    );
  });

  it("names the uploads it could not abort", async () => {
    const { emulator, client } = inProcess({
      minPartSize: 1024,
      faults: [LOST_ONCE, { operations: ["abortMultipartUpload"], status: 403 }],
    });
    const result = await upload(client, { bucket, key: "k", body: testBytes(2000), ...sizing });
    const left = result.cleanupError!;
    assert.ok(left instanceof LeftoverUploadsError, String(left));
    const orphans = [...emulator.state.uploads.keys()];
    assert.equal(orphans.length, 1);
    assert.deepEqual(left.uploadIds, orphans);
    assert.equal(left.since, undefined);
    assert.ok(left.message.includes(orphans[0]), left.message);
  });

  it("rejects with a LeftoverUploadsError when initiate fails and the listing too", async () => {
    const { emulator, client } = inProcess(
      {
        minPartSize: 1024,
        faults: [
          { operations: ["initiateMultipartUpload"], drop: "after-handling" },
          { operations: ["listMultipartUploads"], status: 503 },
        ],
      },
      { retry: { maxAttempts: 2, baseDelay: 1 } },
    );
    const error = await upload(client, { bucket, key: "k", body: testBytes(2000), ...sizing })
      .catch((e) => e);
    assert.ok(error instanceof LeftoverUploadsError, String(error));
    assert.ok(error.failure instanceof QingStorError);
    assert.equal(error.failure.mayHaveTakenEffect, true);
    assert.ok(error.since instanceof Date);
    assert.match(error.message, /^Starting k failed \(.*\)\. Uploads of k created since/);
    assert.equal(emulator.state.uploads.size, 2, "the two it says may remain");
  });
});

describe("initiateMultipartUpload says when an upload may have been made", () => {
  for (
    const [fault, expected] of [
      [{ drop: "after-handling" }, true],
      [{ drop: "before-body" }, true],
      [{ status: 502 }, true],
      [{ status: 429 }, false],
      [{ status: 403 }, false],
    ] as [FaultRule, boolean][]
  ) {
    it(`${JSON.stringify(fault)}: mayHaveTakenEffect ${expected}`, async () => {
      const { client } = inProcess(
        { faults: [{ operations: ["initiateMultipartUpload"], ...fault }] },
        { retry: { maxAttempts: 2, baseDelay: 1 } },
      );
      const error = await initiateMultipartUpload(client, { bucket, key: "k" }).catch((e) => e);
      assert.ok(error instanceof QingStorError, String(error));
      assert.equal(error.mayHaveTakenEffect, expected);
    });
  }
});
