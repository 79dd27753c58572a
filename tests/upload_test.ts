import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CompleteStatusUnknownError,
  createClient,
  initiateMultipartUpload,
  QingStorError,
  SourceError,
  upload,
  type UploadBody,
  UploadError,
  uploadPart,
  type UploadProgress,
  ValidationError,
} from "../mod.ts";
import {
  countingFetch,
  CREDENTIALS,
  inProcess,
  untilRequest,
  withEmulator,
} from "./support/harness.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";
import { partSizeAt, readParts } from "../src/upload/read_parts.ts";

const bucket = "mybucket";
const partSize = 1024;
const sizing = { partSize, minPartSize: partSize };

/** A stream of `data` in chunks of the given sizes, cycled. */
function chunked(data: Uint8Array, sizes = [333]): ReadableStream<Uint8Array> {
  let offset = 0;
  let turn = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= data.length) return controller.close();
      const size = sizes[turn++ % sizes.length];
      controller.enqueue(data.slice(offset, offset + size));
      offset += size;
    },
  });
}

function lockedStream(): ReadableStream<Uint8Array> {
  const stream = new ReadableStream<Uint8Array>();
  stream.getReader();
  return stream;
}

async function* iterable(data: Uint8Array, size = 700): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < data.length; offset += size) {
    yield data.slice(offset, offset + size);
  }
}

describe("upload()", () => {
  const kinds: [string, (data: Uint8Array) => UploadBody][] = [
    ["Uint8Array", (data) => data],
    ["ArrayBuffer", (data) => data.slice().buffer],
    ["Blob", (data) => new Blob([data.slice()], { type: "application/x-typed" })],
    ["ReadableStream", (data) => chunked(data)],
    ["AsyncIterable", (data) => iterable(data)],
  ];
  if (typeof File == "function") kinds.push(["File", (data) => new File([data.slice()], "f.bin")]);

  for (const [kind, make] of kinds) {
    it(`uploads a ${kind} byte-exact at sizes 0, 1, partSize−1, partSize, partSize+1 and 5½ parts`, () =>
      withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
        for (const size of [0, 1, partSize - 1, partSize, partSize + 1, 5.5 * partSize]) {
          const data = testBytes(size, size + 1);
          const key = `${kind}/${size}`;
          const result = await upload(client(), { bucket, key, body: make(data), ...sizing });
          assert.equal(result.size, size);
          assert.equal(result.parts.length, Math.max(1, Math.ceil(size / partSize)));
          assert.deepEqual(result.parts.map((p) => p.partNumber), result.parts.map((_, i) => i));
          const object = emulator.state.objects.get(`${bucket}/${key}`)!;
          assert.equal(object.size, size);
          assert.equal(object.md5, nativeMd5(data), `${kind} of ${size} bytes`);
        }
        assert.equal(emulator.state.uploads.size, 0);
      }));
  }

  it("uploads a string as UTF-8", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const text = "大文件 ".repeat(1000);
      await upload(client(), { bucket, key: "text", body: text, ...sizing });
      assert.equal(
        emulator.state.objects.get(`${bucket}/text`)!.md5,
        nativeMd5(new TextEncoder().encode(text)),
      );
    }));

  it("cuts a stream arriving in odd chunk sizes at exact part boundaries", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const data = testBytes(20 * partSize + 17, 5);
      const result = await upload(client(), {
        bucket,
        key: "odd",
        body: chunked(data, [1, 7, 1023, 1024, 1025, 4096, 3]),
        ...sizing,
        concurrency: 3,
      });
      assert.equal(result.parts.length, 21);
      for (const part of result.parts.slice(0, -1)) assert.equal(part.size, partSize);
      assert.equal(result.parts[20].size, 17);
      for (const part of result.parts) {
        const slice = data.subarray(part.partNumber * partSize, (part.partNumber + 1) * partSize);
        assert.equal(part.etag, nativeMd5(slice), `part ${part.partNumber}`);
      }
      assert.equal(emulator.state.objects.get(`${bucket}/odd`)!.md5, nativeMd5(data));
    }));

  it("reports progress once the upload exists, then after every part", () =>
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
      // One event as soon as the upload ID is known, then one after every part.
      assert.deepEqual(events.map((e) => e.partsDone), [0, 1, 2, 3, 4, 5]);
      assert.equal(events[0].loaded, 0);
      assert.equal(events.at(-1)!.loaded, data.length);
      for (const event of events) {
        assert.equal(event.total, data.length);
        assert.equal(event.partsTotal, 5);
        assert.equal(event.uploadId, result.uploadId);
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
      async ({ client }) => {
        const concurrency = 2;
        const total = 30 * partSize;
        let emitted = 0;
        let loaded = 0;
        let peak = 0;
        const source = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (emitted >= total) return controller.close();
            controller.enqueue(testBytes(256, emitted));
            emitted += 256;
            // Bytes handed to upload() and not yet on the service are what it holds.
            peak = Math.max(peak, emitted - loaded);
          },
        }, { highWaterMark: 0 });
        await upload(client(), {
          bucket,
          key: "bounded",
          body: source,
          ...sizing,
          concurrency,
          onProgress: (event) => (loaded = event.loaded),
        });
        assert.equal(loaded, total);
        assert.ok(peak <= partSize * (concurrency + 1), `peak ${peak}`);
        assert.ok(peak > partSize, "parts really did overlap");
      },
    ));

  it("sends no Content-MD5 when md5 is false", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      await upload(client(), {
        bucket,
        key: "nomd5",
        body: testBytes(2000),
        ...sizing,
        md5: false,
      });
      const puts = emulator.state.requests.filter((r) => r.operation == "uploadPart");
      assert.equal(puts.length, 2);
      for (const put of puts) assert.equal(put.headers["content-md5"], undefined);
    }));

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
        assert.equal(emulator.state.requests.at(-1)!.operation, "abortMultipartUpload");
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

  it("refuses a stream shorter than the size promised", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const error = await upload(client(), {
        bucket,
        key: "short",
        body: chunked(testBytes(3000)),
        size: 4000,
        ...sizing,
      }).catch((e) => e);
      assert.ok(error instanceof SourceError);
      assert.match(error.message, /had 3000 bytes, not the 4000 given as size/);
      assert.equal(emulator.state.uploads.size, 0);
    }));

  it("refuses a Blob whose slices read short (a file truncated mid-upload), last part included", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      /** Claims `data`'s size, but its bytes end at `cut`, as a File truncated on disk reads in Bun. */
      class TruncatedBlob extends Blob {
        constructor(readonly data: Uint8Array<ArrayBuffer>, readonly cut: number) {
          super([]);
        }
        override get size() {
          return this.data.length;
        }
        override slice(start = 0, end = this.size): Blob {
          return new Blob([this.data.slice(Math.min(start, this.cut), Math.min(end, this.cut))]);
        }
      }
      const data = testBytes(4 * partSize + 100, 31);
      // Cut in the middle (the next parts read empty), and in the last part only.
      for (const cut of [2 * partSize + 10, 4 * partSize + 50]) {
        const error = await upload(client(), {
          bucket,
          key: `truncated-${cut}`,
          body: new TruncatedBlob(data, cut),
          ...sizing,
        }).catch((e) => e);
        assert.ok(error instanceof SourceError, String(error));
        assert.match(error.message, /read as \d+ bytes, not \d+: the Blob changed/);
        assert.equal(error.aborted, true);
        assert.equal(emulator.state.objects.size, 0, String(cut));
        assert.equal(emulator.state.uploads.size, 0);
      }
    }));

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
      const kept = emulator.state.uploads.get(error.uploadId)!;
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

  it("needs fewer than 10,000 parts for more than 10,000 parts' worth of unknown-length stream", async () => {
    // In-process: thousands of one-byte-sized parts would only time the loopback.
    const { emulator, client } = inProcess({ minPartSize: 1 });
    const data = testBytes(12_000, 9);
    const result = await upload(client, {
      bucket,
      key: "many",
      body: chunked(data, [97, 13, 500]),
      partSize: 1,
      minPartSize: 1,
      concurrency: 8,
    });
    assert.ok(result.parts.length < 10_000);
    assert.equal(result.parts.length, 1000 + 1000 + 1000 + 625);
    assert.deepEqual(new Set(result.parts.map((p) => p.size)), new Set([1, 2, 4, 8]));
    assert.equal(emulator.state.objects.get(`${bucket}/many`)!.md5, nativeMd5(data));
  });

  it("grows the part size so a known size fits in 10,000 parts", async () => {
    const { emulator, client } = inProcess({ minPartSize: 1 });
    // One byte too many for 10,000 one-byte parts: the part size must become 2.
    const data = testBytes(10_001, 4);
    const result = await upload(client, {
      bucket,
      key: "grown",
      body: data,
      partSize: 1,
      minPartSize: 1,
      concurrency: 16,
    });
    assert.equal(result.parts.length, 5001);
    assert.equal(result.parts[0].size, 2);
    assert.equal(result.parts.at(-1)!.size, 1);
    assert.equal(emulator.state.objects.get(`${bucket}/grown`)!.md5, nativeMd5(data));
  });

  it("aborts while the source is waiting for data, and cleans up", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const controller = new AbortController();
      const reason = new Error("cancelled while stalled");
      let cancelled: unknown;
      const stalled = new ReadableStream<Uint8Array>({
        start(stream) {
          stream.enqueue(testBytes(10)); // then nothing, ever
        },
        cancel(why) {
          cancelled = why ?? "cancelled";
        },
      });
      const pending = upload(client(), {
        bucket,
        key: "stalled",
        body: stalled,
        ...sizing,
        signal: controller.signal,
      });
      await untilRequest(emulator, (r) => r.operation == "initiateMultipartUpload");
      await new Promise((resolve) => setTimeout(resolve, 20));
      controller.abort(reason);
      await assert.rejects(pending, (error) => error === reason);
      assert.ok(cancelled, "the source was cancelled");
      assert.equal(emulator.state.uploads.size, 0);
    }));

  it("aborts while an async iterable is waiting for data", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const controller = new AbortController();
      async function* stalled() {
        yield testBytes(10);
        await new Promise(() => {}); // never resolves
      }
      const pending = upload(client(), {
        bucket,
        key: "stalled",
        body: stalled(),
        ...sizing,
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(new Error("stop")), 50);
      await assert.rejects(pending, /stop/);
      assert.equal(emulator.state.uploads.size, 0);
    }));

  it("leaves no orphan when the abort comes during initiate", () =>
    withEmulator(
      { minPartSize: partSize, faults: [{ operations: ["initiateMultipartUpload"], delay: 60 }] },
      async ({ client, emulator }) => {
        const controller = new AbortController();
        const reason = new Error("cancelled during initiate");
        setTimeout(() => controller.abort(reason), 20);
        await assert.rejects(
          upload(client(), {
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
      },
    ));

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

  it("refuses a stream longer than the size promised as soon as it shows", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const error = await upload(client(), {
        bucket,
        key: "long",
        body: chunked(testBytes(100 * partSize), [512]),
        size: 2 * partSize,
        ...sizing,
      }).catch((e) => e);
      assert.ok(error instanceof SourceError);
      assert.match(error.message, /longer than the 2048 bytes given as size/);
      const puts = emulator.state.requests.filter((r) => r.operation == "uploadPart");
      assert.ok(puts.length <= 2, `${puts.length} parts sent`);
      assert.equal(emulator.state.uploads.size, 0);
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
        const kept = emulator.state.uploads.get(error.uploadId)!;
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

  it("sends the SSE-C key with every part, as the service requires", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const encryption = { customerKey: new Uint8Array(32).fill(3) };
      const data = testBytes(3 * partSize + 5, 9);
      await upload(client(), { bucket, key: "sse-c", body: data, encryption, ...sizing });
      assert.equal(emulator.state.objects.get(`${bucket}/sse-c`)!.md5, nativeMd5(data));
      // What the emulator holds parts to: without the key, or with another, a part is refused.
      const c = client();
      const { uploadId } = await initiateMultipartUpload(c, { bucket, key: "sse-c 2", encryption });
      for (const other of [undefined, { customerKey: new Uint8Array(32).fill(4) }]) {
        const error = await uploadPart(c, {
          bucket,
          key: "sse-c 2",
          uploadId,
          partNumber: 0,
          body: testBytes(10),
          encryption: other,
        }).catch((e) => e);
        assert.equal(error.status, 400, String(error));
        assert.equal(error.code, "invalid_argument");
      }
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
      const stalled = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) });
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

  it("releases the body when its input is refused, as when the upload cannot start", async () => {
    const counter = countingFetch();
    const c = createClient({ zone: "pek3a", credentials: CREDENTIALS, fetch: counter.fetch });
    for (const refused of [{ key: "" }, { partSize: 1 }, { metadata: { "bad name": "v" } }]) {
      let cancelled = false;
      const body = new ReadableStream<Uint8Array>({
        pull: (controller) => controller.enqueue(testBytes(10)),
        cancel: () => {
          cancelled = true;
        },
      });
      const error = await upload(c, { bucket, key: "k", body, ...refused }).catch((e) => e);
      assert.ok(error instanceof ValidationError, String(error));
      await new Promise((resolve) => setTimeout(resolve, 0));
      assert.ok(cancelled, JSON.stringify(refused));
    }
    assert.equal(counter.count, 0);
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

  it("checks its input before sending anything", async () => {
    const counter = countingFetch();
    const c = createClient({ zone: "pek3a", credentials: CREDENTIALS, fetch: counter.fetch });
    const cases: [Parameters<typeof upload>[1], string, RegExp][] = [
      [
        { bucket, key: "k", body: testBytes(1), partSize: 1024 },
        "partSize",
        /from 4194304 \(minPartSize\).*received 1024/,
      ],
      [
        { bucket, key: "k", body: testBytes(1), partSize: 5_000_000_001 },
        "partSize",
        /to 5000000000, received 5000000001/,
      ],
      [
        { bucket, key: "k", body: testBytes(1), concurrency: 0 },
        "concurrency",
        /1 to 64, received 0/,
      ],
      [
        { bucket, key: "k", body: testBytes(10), size: 11 },
        "size",
        /match the body's length, received 11/,
      ],
      [{ bucket, key: "k", body: 42 as never }, "body", /received "\[object Number\]"/],
      [{ bucket, key: "k", body: testBytes(1), minPartSize: 0 }, "minPartSize", /received 0/],
      [{ bucket, key: "", body: testBytes(1) }, "key", /non-empty/],
      [{ bucket, key: "k", body: lockedStream() }, "body", /must not be locked/],
      [{ bucket, key: "k", body: testBytes(1), uploadId: "" }, "uploadId", /printable ASCII/],
      [
        { bucket, key: "k", body: new Uint8Array(new SharedArrayBuffer(8)) },
        "body",
        /shared memory/,
      ],
    ];
    for (const [input, parameter, pattern] of cases) {
      const error = await upload(c, input).catch((e) => e);
      assert.ok(error instanceof ValidationError, String(error));
      assert.equal(error.parameter, parameter);
      assert.match(error.message, pattern);
    }
    assert.equal(counter.count, 0);
  });
});

describe("readParts", () => {
  it("refuses a 10,001st part of a stream of unknown length as its first byte arrives", async () => {
    // With base 1 the sizes double every 1000 parts: 10,000 parts hold 1000 × 1023 bytes.
    const capacity = 1000 * 1023;
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = new Uint8Array(Math.min(4096, capacity + 100 - pulled));
        pulled += chunk.length;
        chunk.length ? controller.enqueue(chunk) : controller.close();
      },
    });
    let parts = 0;
    let bytes = 0;
    const error = await (async () => {
      for await (const part of readParts(body, 1)) {
        assert.equal(part.partNumber, parts++);
        bytes += part.bytes.length;
      }
    })().catch((e) => e);
    assert.ok(error instanceof ValidationError, String(error));
    assert.match(error.message, /more than 10000 parts, received 10000/);
    assert.equal(parts, 10_000);
    assert.equal(bytes, capacity);
    assert.equal(partSizeAt(9_999, 1, true), 512);
  });
});
