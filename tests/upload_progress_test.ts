/**
 * upload(): Progress reports and memory: when onProgress is told, a throwing onProgress, how much of
 * the body is held at once, and no listener piling up on one signal.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { upload, UploadError, type UploadProgress } from "../mod.ts";
import { inProcess, withEmulator } from "./support/harness.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";
import { bucket, chunked, partSize, sizing } from "./support/upload.ts";

describe("upload()", () => {
  // Until byte-level progress, one event came after every part; now events are throttled to one
  // per 50 ms, so on loopback parts' events merge: only the first and the last are certain.
  it("reports progress once the upload exists, then as parts go out, and the final state", () =>
    withEmulator({ minPartSize: partSize }, async ({ client }) => {
      const events: UploadProgress[] = [];
      const data = testBytes(4 * partSize + 1);
      const result = await upload(client(), {
        bucket,
        key: "progress",
        body: data,
        ...sizing,
        onProgress: (event) => events.push(event),
      });
      // One event as soon as the upload ID is known, one with the final state, and between them
      // no more than one per part and slice of the body taken by the transport.
      assert.deepEqual(events[0], {
        uploadId: result.uploadId,
        loaded: 0,
        total: data.length,
        partsDone: 0,
        partsTotal: 5,
        skipped: 0,
      });
      assert.equal(events.at(-1)!.loaded, data.length);
      assert.equal(events.at(-1)!.partsDone, 5);
      for (const [index, event] of events.entries()) {
        assert.equal(event.total, data.length);
        assert.equal(event.partsTotal, 5);
        assert.equal(event.uploadId, result.uploadId);
        assert.equal(event.skipped, 0);
        assert.ok(event.loaded >= 0 && event.loaded <= data.length, `loaded ${event.loaded}`);
        assert.ok(index == 0 || event.partsDone >= events[index - 1].partsDone);
      }
      const unknown: UploadProgress[] = [];
      await upload(client(), {
        bucket,
        key: "p2",
        body: chunked(data),
        ...sizing,
        onProgress: (e) => unknown.push(e),
      });
      assert.equal(unknown.at(-1)!.total, undefined);
      assert.equal(unknown.at(-1)!.loaded, data.length);
    }));

  it("holds at most partSize × (concurrency + 1) bytes of body, reading only as parts go out", () =>
    withEmulator(
      { minPartSize: partSize, faults: [{ operations: ["uploadPart"], delay: 15 }] },
      async ({ client, emulator }) => {
        const concurrency = 2;
        const total = 30 * partSize;
        let emitted = 0;
        let uploadId = "";
        let loaded = 0;
        let peak = 0;
        // Read from the emulator: onProgress is throttled, and counts bytes still in flight.
        const onService = () =>
          [...emulator.state.uploads.get(uploadId)?.parts.values() ?? []]
            .reduce((sum, part) => sum + part.size, 0);
        const source = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (emitted >= total) return controller.close();
            controller.enqueue(testBytes(256, emitted));
            emitted += 256;
            // Bytes handed to upload() and not yet on the service are what it holds.
            peak = Math.max(peak, emitted - onService());
          },
        }, { highWaterMark: 0 });
        await upload(client(), {
          bucket,
          key: "bounded",
          body: source,
          ...sizing,
          concurrency,
          onProgress: (event) => {
            uploadId = event.uploadId ?? "";
            loaded = event.loaded;
          },
        });
        assert.equal(loaded, total);
        assert.ok(peak <= partSize * (concurrency + 1), `peak ${peak}`);
        assert.ok(peak > partSize, "parts really did overlap");
      },
    ));

  it("fails, and cleans up, when onProgress throws", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const bug = new Error("progress bar bug");
      const error = await upload(client(), {
        bucket,
        key: "progress-bug",
        body: testBytes(3 * partSize),
        ...sizing,
        onProgress: () => {
          throw bug;
        },
      }).catch((e) => e);
      assert.ok(error instanceof UploadError);
      assert.equal(error.cause, bug);
      assert.equal(emulator.state.uploads.size, 0);
    }));

  it("gives every attempt its own signal, so no listener piles up on one", async () => {
    // Node's Request follows the signal it is given with a listener that lives until the
    // request is collected: a signal shared by requests would collect one per part. So every
    // signal given to a Request must be given to that Request only, never the caller's.
    const given = new Map<AbortSignal, number>();
    const Original = globalThis.Request;
    globalThis.Request = class extends Original {
      constructor(input: RequestInfo | URL, init?: RequestInit) {
        if (init?.signal) given.set(init.signal, (given.get(init.signal) ?? 0) + 1);
        super(input, init);
      }
    };
    const { emulator, client: c } = inProcess({ minPartSize: 1 });
    const data = testBytes(500, 8);
    const caller = new AbortController().signal;
    try {
      await upload(c, {
        bucket,
        key: "listeners",
        body: data,
        partSize: 1,
        minPartSize: 1,
        concurrency: 32,
        signal: caller,
      });
    } finally {
      globalThis.Request = Original;
    }
    assert.equal(emulator.state.objects.get(`${bucket}/listeners`)!.md5, nativeMd5(data));
    assert.ok(given.size >= 502, `${given.size} signals`);
    assert.ok(!given.has(caller));
    assert.equal(Math.max(...given.values()), 1);
  });
});
