/**
 * The multipart operations end to end over HTTP: every body kind uploaded, listed, completed
 * byte-exact; abort idempotent.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  abortMultipartUpload,
  completeMultipartUpload,
  initiateMultipartUpload,
  iterateParts,
  listParts,
  uploadPart,
} from "../mod.ts";
import { withEmulator } from "./support/harness.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";
import { bucket, small, startWithOnePart } from "./support/one_part.ts";

describe("the multipart lifecycle over HTTP", () => {
  it("uploads parts of every body kind, lists them, completes byte-exact", () =>
    withEmulator(small, async ({ client, emulator }) => {
      const c = client();
      const key = "lifecycle/大 file.bin";
      const { uploadId } = await initiateMultipartUpload(c, {
        bucket,
        key,
        contentType: "application/x-test",
      });
      const chunks = [testBytes(1024, 1), testBytes(2048, 2), testBytes(100, 3)];
      const bodies = [
        chunks[0],
        chunks[1].slice().buffer,
        new Blob([chunks[2]], { type: "text/plain" }),
      ];
      const etags: string[] = [];
      for (const [partNumber, body] of bodies.entries()) {
        const { etag, requestId } = await uploadPart(c, {
          bucket,
          key,
          uploadId,
          partNumber,
          body,
        });
        assert.equal(etag, nativeMd5(chunks[partNumber]), "bare MD5 hex, no quotes");
        assert.match(requestId, /^[0-9a-f]{32}$/);
        etags.push(etag!);
      }
      const puts = emulator.state.requests.filter((r) => r.operation == "uploadPart");
      // A Blob's type is dropped, except in Bun, which keeps it through slice(); then it is signed.
      const blobType = "Bun" in globalThis ? "text/plain;charset=utf-8" : undefined;
      assert.equal(puts[2].headers["content-type"], blobType);
      assert.equal(
        puts[0].headers["content-md5"],
        Buffer.from(nativeMd5(chunks[0]), "hex").toString("base64"),
      );
      assert.equal(
        puts[0].target,
        `/mybucket/lifecycle/%E5%A4%A7%20file.bin?part_number=0&upload_id=${uploadId}`,
      );

      const page = await listParts(c, { bucket, key, uploadId, limit: 2 });
      assert.deepEqual(page.parts.map((p) => [p.partNumber, p.size, p.etag]), [
        [0, 1024, etags[0]],
        [1, 2048, etags[1]],
      ]);
      assert.ok(page.parts[0].created instanceof Date && !isNaN(page.parts[0].created.getTime()));
      const all = [];
      for await (const part of iterateParts(c, { bucket, key, uploadId, limit: 2 })) {
        all.push(part.partNumber);
      }
      assert.deepEqual(all, [0, 1, 2]);

      await completeMultipartUpload(c, {
        bucket,
        key,
        uploadId,
        parts: etags.map((etag, partNumber) => ({ partNumber, etag })),
        etag: "0c2f573d81194064b129e940edcefe9b",
      });
      const object = emulator.state.objects.get(`${bucket}/${key}`)!;
      assert.equal(object.md5, nativeMd5(...chunks));
      assert.equal(object.size, 3172);
      assert.equal(object.etag, '"0c2f573d81194064b129e940edcefe9b"', "sent quoted");
      assert.equal(object.contentType, "application/x-test");
      assert.equal(emulator.state.uploads.size, 0);
      const complete = emulator.state.requests.find((r) =>
        r.operation == "completeMultipartUpload"
      )!;
      assert.equal(complete.headers["content-type"], "application/json");
    }));

  it("aborts idempotently and leaves nothing behind", () =>
    withEmulator(small, async ({ client, emulator }) => {
      const c = client();
      const uploadId = await startWithOnePart(c);
      await abortMultipartUpload(c, { bucket, key: "k", uploadId });
      assert.equal(emulator.state.uploads.size, 0);
      const again = await abortMultipartUpload(c, { bucket, key: "k", uploadId });
      assert.match(again.requestId, /^[0-9a-f]{32}$/);
      await abortMultipartUpload(c, { bucket, key: "k", uploadId: "never-existed" });
    }));
});
