/**
 * upload(): The caller's abort, in every phase: mid-upload, while the source waits for data, during
 * initiate and its retries, with parts in flight, and before any part.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  createClient,
  type QingStorError,
  upload,
  UploadError,
  type UploadProgress,
} from "../mod.ts";
import { CREDENTIALS, inProcess, untilRequest, withEmulator } from "./support/harness.ts";
import { testBytes } from "./support/bytes.ts";
import { bucket, chunked, partSize, sizing } from "./support/upload.ts";

describe("upload()", () => {
  it("aborts mid-upload: rejects with the reason and leaves nothing on the server", () =>
    withEmulator(
      { minPartSize: partSize, faults: [{ operations: ["uploadPart"], delay: 20 }] },
      async ({ client, emulator }) => {
        const controller = new AbortController();
        const reason = new Error("user pressed cancel");
        let parts = 0;
        const pending = upload(client(), {
          bucket,
          key: "aborted",
          body: chunked(testBytes(50 * partSize)),
          ...sizing,
          signal: controller.signal,
          onProgress: () => ++parts == 3 && controller.abort(reason),
        });
        await assert.rejects(pending, (error) => error === reason);
        // Settled only after the server-side abort: nothing is left.
        assert.equal(emulator.state.uploads.size, 0);
        assert.equal(emulator.state.objects.size, 0);
        // A part cancelled as it went out may still reach the server after the abort, when its
        // bytes were already in the socket (onProgress is called as they go out, so the abort
        // can come at that moment): it then finds no upload.
        const requests = emulator.state.requests;
        const abort = requests.findIndex((r) => r.operation == "abortMultipartUpload");
        assert.ok(abort > 0);
        for (const late of requests.slice(abort + 1)) {
          assert.equal(late.operation, "uploadPart");
          assert.ok(late.status == 404 || late.status == 0, `late part answered ${late.status}`);
        }
      },
    ));

  it("aborts while the source is waiting for data, and cleans up", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const controller = new AbortController();
      const reason = new Error("cancelled while stalled");
      let cancelled: unknown;
      let giveUp: ReturnType<typeof setTimeout> | undefined;
      let gaveUp = false;
      const stalled = new ReadableStream<Uint8Array>({
        start(stream) {
          stream.enqueue(testBytes(10)); // then nothing, ever
        },
        // With no queue (highWaterMark 0), pull() is called only when a read waits: the first
        // chunk taken, upload() is waiting for the next. The abort comes once it waits.
        pull(stream) {
          queueMicrotask(() => controller.abort(reason));
          // After 5 s the source gives up and fails, so that an abort that does not end the wait
          // fails the test rather than hanging it.
          giveUp = setTimeout(() => {
            gaveUp = true;
            stream.error(new Error("the wait was never ended"));
          }, 5_000);
          return new Promise(() => {});
        },
        cancel(why) {
          clearTimeout(giveUp);
          cancelled = why ?? "cancelled";
        },
      }, { highWaterMark: 0 });
      const pending = upload(client(), {
        bucket,
        key: "stalled",
        body: stalled,
        ...sizing,
        signal: controller.signal,
      });
      await assert.rejects(pending, (error) => error === reason);
      clearTimeout(giveUp);
      assert.ok(!gaveUp, "the abort ended the wait");
      assert.ok(cancelled, "the source was cancelled");
      assert.equal(emulator.state.uploads.size, 0);
    }));

  it("aborts while an async iterable is waiting for data", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const controller = new AbortController();
      let giveUp: ReturnType<typeof setTimeout> | undefined;
      let gaveUp = false;
      async function* stalled() {
        yield testBytes(10);
        // Reached only when upload() asks for more: it is waiting. The abort comes once it waits.
        queueMicrotask(() => controller.abort(new Error("stop")));
        // Never resolves; after 5 s it fails, so that an abort that does not end the wait fails
        // the test rather than hanging it.
        await new Promise((_, reject) => {
          giveUp = setTimeout(() => {
            gaveUp = true;
            reject(new Error("the wait was never ended"));
          }, 5_000);
        });
      }
      const pending = upload(client(), {
        bucket,
        key: "stalled",
        body: stalled(),
        ...sizing,
        signal: controller.signal,
      });
      await assert.rejects(pending, /stop/);
      clearTimeout(giveUp);
      assert.ok(!gaveUp, "the abort ended the wait");
      assert.equal(emulator.state.uploads.size, 0);
    }));

  it("leaves no orphan when the abort comes during initiate", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const controller = new AbortController();
      const reason = new Error("cancelled during initiate");
      // The abort comes as the initiate request goes out, once it is handed to fetch.
      const c = client({
        fetch: (request) => {
          const response = fetch(request);
          if (request.method == "POST" && new URL(request.url).searchParams.has("uploads")) {
            controller.abort(reason);
          }
          return response;
        },
      });
      await assert.rejects(
        upload(c, {
          bucket,
          key: "early",
          body: testBytes(3000),
          ...sizing,
          signal: controller.signal,
        }),
        (error) => error === reason,
      );
      assert.deepEqual(emulator.state.requests.map((r) => r.operation), [
        "initiateMultipartUpload",
        "abortMultipartUpload",
      ]);
      assert.equal(emulator.state.uploads.size, 0);
    }));

  for (const trigger of ["a part failure", "the caller's abort"] as const) {
    it(`cancels the parts in flight on ${trigger}`, async () => {
      const { emulator } = inProcess({ minPartSize: partSize });
      const controller = new AbortController();
      const reason = new Error("user pressed cancel");
      let hanging = 0;
      let cancelled = 0;
      // The failing part answers only once two others are in flight, whatever the runtime's pace.
      let twoInFlight!: () => void;
      const othersSent = new Promise<void>((resolve) => twoInFlight = resolve);
      const c = createClient({
        endpoint: "http://localhost",
        credentials: CREDENTIALS,
        retry: { baseDelay: 1 },
        fetch: (request) => {
          if (request.method != "PUT") return emulator.fetch(request);
          if (trigger == "a part failure" && request.url.includes("part_number=0&")) {
            return othersSent.then(() =>
              Response.json({ code: "permission_denied", message: "no" }, { status: 403 })
            );
          }
          if (++hanging == 2) {
            twoInFlight();
            if (trigger == "the caller's abort") setTimeout(() => controller.abort(reason), 0);
          }
          // A part that never gets its answer unless cancelled; after 5 s it gives up with a
          // 500, so that a missing cancel fails the test rather than hanging it.
          return new Promise((resolve, reject) => {
            const timer = setTimeout(() => resolve(new Response(null, { status: 500 })), 5_000);
            request.signal.addEventListener("abort", () => {
              clearTimeout(timer);
              cancelled++;
              reject(request.signal.reason);
            }, { once: true });
          });
        },
      });
      const error = await upload(c, {
        bucket,
        key: "cancelled",
        body: testBytes(8 * partSize),
        ...sizing,
        signal: controller.signal,
      }).catch((e) => e);
      if (trigger == "a part failure") {
        assert.ok(error instanceof UploadError, String(error));
        assert.equal((error.cause as QingStorError).code, "permission_denied");
      } else {
        assert.equal(error, reason);
      }
      assert.ok(hanging >= 2);
      assert.equal(cancelled, hanging);
      assert.equal(emulator.state.uploads.size, 0);
    });
  }

  it("rejects with the reason, and leaves no orphan, when aborted while initiate is retried", () =>
    withEmulator(
      { minPartSize: partSize, faults: [{ operations: ["initiateMultipartUpload"], status: 503 }] },
      async ({ client, emulator }) => {
        const controller = new AbortController();
        const reason = new Error("cancelled while initiate retries");
        const slow = client({ retry: { maxAttempts: 10, baseDelay: 60_000, maxDelay: 60_000 } });
        const pending = upload(slow, {
          bucket,
          key: "retrying",
          body: testBytes(3000),
          ...sizing,
          signal: controller.signal,
        });
        await untilRequest(emulator);
        controller.abort(reason);
        await assert.rejects(pending, (error) => error === reason);
        const initiates = emulator.state.requests.filter((r) =>
          r.operation == "initiateMultipartUpload"
        );
        assert.equal(initiates.length, 1, "no retry after the abort");
        assert.equal(emulator.state.uploads.size, 0);
      },
    ));

  it("aborts a new upload with no part on the service even when parts are kept", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const controller = new AbortController();
      const events: UploadProgress[] = [];
      // More than one part, so it goes multipart; then no more: no part has been sent when the
      // upload ID is told.
      const stalled = new ReadableStream<Uint8Array>({
        start: (stream) => stream.enqueue(testBytes(partSize + 1)),
        pull: () => new Promise(() => {}),
      });
      const pending = upload(client(), {
        bucket,
        key: "nothing-yet",
        body: stalled,
        ...sizing,
        leavePartsOnError: true,
        signal: controller.signal,
        onProgress: (event) => {
          events.push(event);
          controller.abort(new Error("stop"));
        },
      });
      await assert.rejects(pending, /stop/);
      assert.equal(events.length, 1, "the upload ID was told before any part");
      assert.equal(events[0].partsDone, 0);
      assert.equal(emulator.state.uploads.size, 0, "nothing to keep, so nothing kept");
    }));
});
