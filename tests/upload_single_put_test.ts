/**
 * upload(): a body that fits in one part goes in one PUT Object: which bodies do (a known size up
 * to partSize, a stream that ends within its first part), what they carry, how they are reported,
 * retried and aborted; a larger body, or a resume, stays multipart.
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
  type UploadProgress,
} from "../mod.ts";
import { inProcess, localClient, withEmulator } from "./support/harness.ts";
import { halfBodyTransport } from "./support/held_body.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";
import { bucket, chunked, iterable, multipart, partSize, sizing } from "./support/upload.ts";

const KEY = new Uint8Array(32).fill(9);

/** The operations the emulator was asked for since `from`, in order. */
const operations = (emulator: { state: { requests: { operation?: string }[] } }, from = 0) =>
  emulator.state.requests.slice(from).map((record) => record.operation);

describe("upload() in one PUT", () => {
  const kinds: [string, (data: Uint8Array) => UploadBody, boolean?][] = [
    ["a Uint8Array", (data) => data],
    ["a Blob", (data) => new Blob([data.slice()])],
    ["a string", (data) => String.fromCharCode(...data.map((byte) => byte & 0x7f))],
    ["a stream with size", (data) => chunked(data, [100, 7]), true],
    ["a stream of unknown size", (data) => chunked(data, [100, 7])],
    ["an async iterable", (data) => iterable(data, 300)],
  ];
  for (const [kind, make, sized] of kinds) {
    it(`sends ${kind} of 0, 1 and partSize bytes in one request; partSize+1 goes multipart`, () =>
      withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
        for (const size of [0, 1, partSize, partSize + 1]) {
          const data = testBytes(size, size + 3);
          const body = make(data);
          const expected = typeof body == "string" ? new TextEncoder().encode(body) : data;
          const key = `${kind}/${size}`;
          const before = emulator.state.requests.length;
          const result = await upload(client(), {
            bucket,
            key,
            body,
            ...sized && { size },
            ...sizing,
          });
          const sent = operations(emulator, before);
          assert.equal(emulator.state.objects.get(`${bucket}/${key}`)!.md5, nativeMd5(expected));
          assert.equal(result.size, size);
          if (size <= partSize) {
            assert.deepEqual(sent, ["putObject"], `${kind} of ${size} bytes`);
            assert.equal(result.uploadId, undefined);
            assert.equal(result.parts, undefined);
            assert.equal(result.etag, nativeMd5(expected));
          } else {
            assert.deepEqual(
              sent,
              ["initiateMultipartUpload", "uploadPart", "uploadPart", "completeMultipartUpload"],
              `${kind} of ${size} bytes`,
            );
            assert.equal(multipart(result).parts.length, 2);
          }
        }
        assert.equal(emulator.state.uploads.size, 0);
      }));
  }

  it("stores the type, metadata, storage class and SSE-C key as a multipart upload does", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const options = {
        contentType: "video/mp4",
        metadata: { owner: "alice", "trace-id": "42" },
        storageClass: "STANDARD_IA" as const,
        encryption: { customerKey: KEY },
        ...sizing,
      };
      const small = await upload(client(), {
        bucket,
        key: "small",
        body: testBytes(10),
        ...options,
      });
      assert.equal(small.uploadId, undefined);
      assert.equal(small.encryptionAlgorithm, "AES256");
      multipart(
        await upload(client(), { bucket, key: "large", body: testBytes(3 * partSize), ...options }),
      );
      const { contentType, metadata, storageClass, encryptionKeyMd5 } = emulator.state.objects
        .get(`${bucket}/large`)!;
      const stored = emulator.state.objects.get(`${bucket}/small`)!;
      assert.deepEqual(
        {
          contentType: stored.contentType,
          metadata: stored.metadata,
          storageClass: stored.storageClass,
          encryptionKeyMd5: stored.encryptionKeyMd5,
        },
        { contentType, metadata, storageClass, encryptionKeyMd5 },
      );
      assert.ok(encryptionKeyMd5);
    }));

  it("reports progress as one part with no upload ID, done only once the object exists", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const events: UploadProgress[] = [];
      await upload(client(), {
        bucket,
        key: "reported",
        body: chunked(testBytes(700)),
        ...sizing,
        onProgress: (event) => {
          if (event.partsDone == 1) {
            assert.ok(emulator.state.objects.has(`${bucket}/reported`), "done after the PUT");
          }
          events.push({ ...event });
        },
      });
      // Bytes may be told on the way (the transport counts them over HTTP); the last event is
      // the object's, and none has an upload ID.
      assert.deepEqual(events.at(-1), {
        loaded: 700,
        total: 700,
        partsDone: 1,
        partsTotal: 1,
        skipped: 0,
      });
      assert.ok(events.every((event) => !("uploadId" in event)), JSON.stringify(events));
      assert.equal(events.filter((event) => event.partsDone == 1).length, 1);
    }));

  it("fails with what onProgress throws, as a multipart upload does", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      // Thrown at the first event, as the PUT's first attempt starts: it is never sent.
      const bug = new Error("a bug in onProgress");
      const early = upload(client(), {
        bucket,
        key: "thrown/early",
        body: testBytes(700),
        ...sizing,
        onProgress: () => {
          throw bug;
        },
      });
      await assert.rejects(early, (error) => error === bug);
      assert.equal(emulator.state.objects.has(`${bucket}/thrown/early`), false);
      // Thrown at the final event, once the object exists: the upload fails all the same.
      const late = upload(client(), {
        bucket,
        key: "thrown/late",
        body: testBytes(700),
        ...sizing,
        onProgress: ({ partsDone }) => {
          if (partsDone == 1) throw bug;
        },
      });
      await assert.rejects(late, (error) => error === bug);
      assert.ok(emulator.state.objects.has(`${bucket}/thrown/late`));
    }));

  it("sends Content-MD5 unless md5 is false, and is retried as a part is", () =>
    withEmulator(
      { minPartSize: partSize, faults: [{ operations: ["putObject"], status: 503, times: 1 }] },
      async ({ client, emulator }) => {
        const data = testBytes(500);
        await upload(client(), { bucket, key: "retried", body: data, ...sizing });
        assert.deepEqual(operations(emulator), ["putObject", "putObject"]);
        assert.equal(
          emulator.state.requests[1].headers["content-md5"],
          Buffer.from(nativeMd5(data), "hex").toString("base64"),
        );
        await upload(client(), { bucket, key: "plain", body: data, ...sizing, md5: false });
        assert.equal(emulator.state.requests[2].headers["content-md5"], undefined);
      },
    ));

  it("stays multipart when resuming, whatever the size", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const { uploadId } = await initiateMultipartUpload(client(), { bucket, key: "resumed" });
      const before = emulator.state.requests.length;
      const result = await upload(client(), {
        bucket,
        key: "resumed",
        body: testBytes(5),
        ...sizing,
        uploadId,
      });
      assert.equal(result.uploadId, uploadId);
      assert.deepEqual(operations(emulator, before), [
        "listParts",
        "uploadPart",
        "completeMultipartUpload",
      ]);
    }));

  it("fails with a SourceError naming no upload when a stream fails in its first part", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const broken = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(testBytes(10));
          controller.error(new Error("disk on fire"));
        },
      });
      const error = await upload(client(), { bucket, key: "broken", body: broken, ...sizing })
        .catch((e) => e);
      assert.ok(error instanceof SourceError, String(error));
      assert.equal(error.uploadId, undefined);
      assert.equal((error.cause as Error).message, "disk on fire");
      // A stream shorter than its promised size is refused before it is sent.
      const short = await upload(client(), {
        bucket,
        key: "short",
        body: chunked(testBytes(10)),
        size: 11,
        ...sizing,
      }).catch((e) => e);
      assert.ok(short instanceof SourceError, String(short));
      assert.equal(emulator.state.requests.length, 0);
    }));

  it("leaves nothing behind when aborted mid-PUT", async () => {
    const { emulator } = inProcess({ minPartSize: partSize });
    const held = halfBodyTransport(emulator);
    const client = localClient(held.fetch);
    const controller = new AbortController();
    const reason = new Error("cancelled mid-PUT");
    const pending = upload(client, {
      bucket,
      key: "aborted",
      body: chunked(testBytes(partSize)),
      ...sizing,
      signal: controller.signal,
    });
    await held.halfRead;
    controller.abort(reason);
    await assert.rejects(pending, (error) => error === reason);
    assert.equal((await held.answered).status, 400);
    assert.deepEqual(operations(emulator), ["putObject"]);
    assert.equal(emulator.state.objects.size, 0);
    assert.equal(emulator.state.uploads.size, 0);
  });
});
