/**
 * upload(): Bodies of every kind, their sizes and the part plan: byte-exact uploads, cutting at part
 * boundaries, the size promised, the 10,000-part limit, and what each part request carries.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  initiateMultipartUpload,
  SourceError,
  upload,
  type UploadBody,
  uploadPart,
  ValidationError,
} from "../mod.ts";
import { inProcess, withEmulator } from "./support/harness.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";
import { bucket, chunked, iterable, multipart, partSize, sizing } from "./support/upload.ts";
import { partSizeAt, readParts } from "../src/upload/read_parts.ts";

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
          const before = emulator.state.requests.length;
          const result = await upload(client(), { bucket, key, body: make(data), ...sizing });
          assert.equal(result.size, size);
          if (size <= partSize) {
            // One part's worth or less: one PUT, one request.
            assert.equal(result.uploadId, undefined);
            assert.equal(emulator.state.requests.length - before, 1);
          } else {
            const { parts } = multipart(result);
            assert.equal(parts.length, Math.ceil(size / partSize));
            assert.deepEqual(parts.map((p) => p.partNumber), parts.map((_, i) => i));
          }
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
      const result = multipart(
        await upload(client(), {
          bucket,
          key: "odd",
          body: chunked(data, [1, 7, 1023, 1024, 1025, 4096, 3]),
          ...sizing,
          concurrency: 3,
        }),
      );
      assert.equal(result.parts.length, 21);
      for (const part of result.parts.slice(0, -1)) assert.equal(part.size, partSize);
      assert.equal(result.parts[20].size, 17);
      for (const part of result.parts) {
        const slice = data.subarray(part.partNumber * partSize, (part.partNumber + 1) * partSize);
        assert.equal(part.etag, nativeMd5(slice), `part ${part.partNumber}`);
      }
      assert.equal(emulator.state.objects.get(`${bucket}/odd`)!.md5, nativeMd5(data));
    }));

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

  it("needs fewer than 10,000 parts for more than 10,000 parts' worth of unknown-length stream", async () => {
    // In-process: thousands of one-byte-sized parts would only time the loopback.
    const { emulator, client } = inProcess({ minPartSize: 1 });
    const data = testBytes(12_000, 9);
    const result = multipart(
      await upload(client, {
        bucket,
        key: "many",
        body: chunked(data, [97, 13, 500]),
        partSize: 1,
        minPartSize: 1,
        concurrency: 8,
      }),
    );
    assert.ok(result.parts.length < 10_000);
    assert.equal(result.parts.length, 1000 + 1000 + 1000 + 625);
    assert.deepEqual(new Set(result.parts.map((p) => p.size)), new Set([1, 2, 4, 8]));
    assert.equal(emulator.state.objects.get(`${bucket}/many`)!.md5, nativeMd5(data));
  });

  it("grows the part size so a known size fits in 10,000 parts", async () => {
    const { emulator, client } = inProcess({ minPartSize: 1 });
    // One byte too many for 10,000 one-byte parts: the part size must become 2.
    const data = testBytes(10_001, 4);
    const result = multipart(
      await upload(client, {
        bucket,
        key: "grown",
        body: data,
        partSize: 1,
        minPartSize: 1,
        concurrency: 16,
      }),
    );
    assert.equal(result.parts.length, 5001);
    assert.equal(result.parts[0].size, 2);
    assert.equal(result.parts.at(-1)!.size, 1);
    assert.equal(emulator.state.objects.get(`${bucket}/grown`)!.md5, nativeMd5(data));
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
      for await (const part of readParts(body, { partSize: 1 })) {
        assert.equal(part.partNumber, parts++);
        bytes += part.bytes.length;
      }
    })().catch((e) => e);
    assert.ok(error instanceof ValidationError, String(error));
    assert.match(error.message, /more than 10000 parts, received 10000/);
    assert.equal(parts, 10_000);
    assert.equal(bytes, capacity);
    assert.equal(partSizeAt(9_999, { partSize: 1, growing: true }), 512);
  });
});
