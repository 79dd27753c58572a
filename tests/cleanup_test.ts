/**
 * An abort settles promptly, whatever the service does: upload()'s clean-up
 * gets cleanupTimeout in total, and what it did not get to is reported. The
 * client's own timeout is as long as it can be in these tests, so that only
 * the clean-up time can end a wait; each test has a limit of its own, so a
 * hang fails it rather than the run.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type Client,
  CompleteStatusUnknownError,
  LeftoverUploadsError,
  type QingStorError,
  upload,
  UploadError,
  type UploadInput,
  ValidationError,
} from "../mod.ts";
import type { FaultRule } from "../src/testing/mod.ts";
import { planUpload } from "../src/upload/plan_upload.ts";
import { deferred } from "./support/deferred.ts";
import { inProcess, localClient, untilRequest } from "./support/harness.ts";
import { testBytes } from "./support/bytes.ts";
import { bucket, sizing, uploadIdOf } from "./support/upload.ts";

const LIMIT = { timeout: 10_000 };
/** The longest wait setTimeout takes: never, as far as a test can tell. */
const NEVER = 2 ** 31 - 1;

/** An in-process emulator with these faults, and a client that would wait for it forever. */
function patient(faults: FaultRule[]) {
  return inProcess({ minPartSize: 1024, faults }, { timeout: NEVER });
}

/** upload() of `size` test bytes to "k" in small parts, with 50 ms for its clean-up. */
function uploadBounded(client: Client, size: number, options: Partial<UploadInput> = {}) {
  return upload(client, {
    bucket,
    key: "k",
    body: testBytes(size),
    ...sizing,
    cleanupTimeout: 50,
    ...options,
  });
}

describe("upload()'s clean-up is bounded", () => {
  it(
    "settles within the clean-up time when the service never answers the clean-up abort",
    LIMIT,
    async () => {
      const { emulator, client } = patient([
        { operations: ["uploadPart"], delay: NEVER },
        { operations: ["abortMultipartUpload"], delay: NEVER },
      ]);
      const controller = new AbortController();
      const reason = new Error("user pressed cancel");
      let told: string | undefined;
      const pending = uploadBounded(client, 5000, {
        signal: controller.signal,
        onProgress: ({ uploadId }) => told = uploadId,
      });
      await untilRequest(emulator, (r) => r.operation == "uploadPart");
      controller.abort(reason);
      const error = await pending.catch((e) => e);
      assert.ok(error instanceof UploadError, String(error));
      assert.equal(error.cause, reason);
      assert.equal(error.aborted, false, "the upload may remain");
      assert.equal(error.uploadId, told);
      assert.equal((error.abortError as Error).name, "TimeoutError");
      assert.match(error.message, /was aborted \(user pressed cancel\), and its clean-up did not/);
      assert.match(error.message, /clean-up did not finish within 50 ms/);
    },
  );

  it(
    "gives an initiate that never answers at most the clean-up time, and says what may remain",
    LIMIT,
    async () => {
      const { emulator, client } = patient([
        { operations: ["initiateMultipartUpload"], delayAnswer: NEVER },
      ]);
      const controller = new AbortController();
      const reason = new Error("user pressed cancel");
      const pending = uploadBounded(client, 2000, { signal: controller.signal });
      await untilRequest(emulator, (r) => r.operation == "initiateMultipartUpload");
      controller.abort(reason);
      const error = await pending.catch((e) => e);
      assert.ok(error instanceof LeftoverUploadsError, String(error));
      assert.equal(error.failure, reason);
      assert.deepEqual(error.uploadIds, []);
      assert.match(error.message, /Uploads of k created since .* may remain/);
      // It says so rightly: the service made the upload, and never told its ID.
      const [made] = emulator.state.uploads.values();
      assert.ok(made && error.since! <= made.created, String(error.since));
    },
  );

  it(
    "cuts off a complete that never answers after the abort, and reports it as possibly done",
    LIMIT,
    async () => {
      const { emulator, client } = patient([
        { operations: ["completeMultipartUpload"], delayAnswer: NEVER },
      ]);
      const controller = new AbortController();
      const pending = uploadBounded(client, 3000, { signal: controller.signal });
      await untilRequest(emulator, (r) => r.operation == "completeMultipartUpload");
      controller.abort(new Error("too late"));
      const error = await pending.catch((e) => e);
      assert.ok(error instanceof UploadError, String(error));
      assert.ok(error.cause instanceof CompleteStatusUnknownError, String(error.cause));
      assert.equal(error.aborted, false);
      assert.ok(emulator.state.objects.has(`${bucket}/k`), "it did complete");
    },
  );

  it("bounds the clean-up after a failure too, not only after an abort", LIMIT, async () => {
    const { client } = patient([
      { operations: ["uploadPart"], status: 403 },
      { operations: ["abortMultipartUpload"], delay: NEVER },
    ]);
    const error = await uploadBounded(client, 3000).catch((e) => e);
    assert.ok(error instanceof UploadError, String(error));
    assert.equal((error.cause as QingStorError).code, "permission_denied");
    assert.equal(error.aborted, false);
    assert.equal((error.abortError as Error).name, "TimeoutError");
    assert.match(error.message, /aborting upload \w+ failed: The clean-up did not finish/);
  });

  it("bounds the search for orphans: a successful upload says what may remain", LIMIT, async () => {
    const { emulator, client } = patient([
      { operations: ["initiateMultipartUpload"], drop: "after-handling", times: 1 },
      { operations: ["listMultipartUploads"], delay: NEVER },
    ]);
    const result = await uploadBounded(client, 2000);
    assert.ok(emulator.state.objects.has(`${bucket}/k`));
    assert.ok(result.cleanupError instanceof LeftoverUploadsError, String(result.cleanupError));
    assert.equal((result.cleanupError.cause as Error).name, "TimeoutError");
    assert.ok(result.cleanupError.since instanceof Date);
  });

  it(
    "reports an upload made while the caller aborted whose abort then fails (no longer swallowed)",
    LIMIT,
    async () => {
      const { emulator } = inProcess({
        faults: [{ operations: ["abortMultipartUpload"], status: 403 }],
      });
      // Initiate's answer is held until the test has aborted: the attempt is in flight meanwhile.
      const held = deferred();
      const client = localClient(async (request) => {
        const response = await emulator.fetch(request);
        if (request.method == "POST" && request.url.endsWith("?uploads")) await held.promise;
        return response;
      });
      const controller = new AbortController();
      const reason = new Error("cancelled during initiate");
      const pending = upload(client, {
        bucket,
        key: "k",
        body: testBytes(2000),
        ...sizing,
        signal: controller.signal,
      });
      await untilRequest(emulator, (r) => r.operation == "initiateMultipartUpload");
      controller.abort(reason);
      held.resolve();
      const error = await pending.catch((e) => e);
      assert.ok(error instanceof UploadError, String(error));
      assert.equal(error.cause, reason);
      assert.equal(error.aborted, false);
      assert.equal((error.abortError as QingStorError).code, "permission_denied");
      assert.ok(emulator.state.uploads.has(uploadIdOf(error)), "the upload it names is there");
    },
  );

  it("takes cleanupTimeout from 0 to 2147483647 ms, 10 s by default", () => {
    assert.equal(planUpload({ bucket, key: "k", body: "x" }).cleanupTimeout, 10_000);
    assert.equal(planUpload({ bucket, key: "k", body: "x", cleanupTimeout: 0 }).cleanupTimeout, 0);
    for (const cleanupTimeout of [-1, NaN, 2 ** 31, "5" as never]) {
      assert.throws(
        () => planUpload({ bucket, key: "k", body: "x", cleanupTimeout }),
        (error) => error instanceof ValidationError && error.parameter == "cleanupTimeout",
      );
    }
  });
});
