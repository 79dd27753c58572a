/**
 * uploadPartCopy(): ranges of an object copied into parts; a missing source, a range past its end.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  completeMultipartUpload,
  initiateMultipartUpload,
  uploadPart,
  uploadPartCopy,
} from "../mod.ts";
import { withEmulator } from "./support/harness.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";
import { bucket, small } from "./support/one_part.ts";

describe("uploadPartCopy()", () => {
  it("copies ranges of an object into parts", () =>
    withEmulator(small, async ({ client, emulator }) => {
      const c = client();
      const source = testBytes(5000, 9);
      const up = await initiateMultipartUpload(c, { bucket, key: "source" });
      await uploadPart(c, {
        bucket,
        key: "source",
        uploadId: up.uploadId,
        partNumber: 0,
        body: source,
      });
      await completeMultipartUpload(c, {
        bucket,
        key: "source",
        uploadId: up.uploadId,
        parts: [{ partNumber: 0 }],
      });

      const { uploadId } = await initiateMultipartUpload(c, { bucket, key: "copy 中" });
      const first = await uploadPartCopy(c, {
        bucket,
        key: "copy 中",
        uploadId,
        partNumber: 0,
        source: { bucket, key: "source" },
        range: { first: 1000, last: 2999 },
      });
      assert.equal(first.copyRange, "bytes 1000-2999/5000");
      assert.equal(first.etag, nativeMd5(source.subarray(1000, 3000)));
      await uploadPartCopy(c, {
        bucket,
        key: "copy 中",
        uploadId,
        partNumber: 1,
        source: { bucket, key: "source" },
      });
      await completeMultipartUpload(c, {
        bucket,
        key: "copy 中",
        uploadId,
        parts: [{ partNumber: 0 }, { partNumber: 1 }],
      });
      assert.equal(
        emulator.state.objects.get(`${bucket}/copy 中`)!.md5,
        nativeMd5(source.subarray(1000, 3000), source),
      );
      const bad = await uploadPartCopy(c, {
        bucket,
        key: "copy 中",
        uploadId: (await initiateMultipartUpload(c, { bucket, key: "x" })).uploadId,
        partNumber: 0,
        source: { bucket, key: "missing" },
      }).catch((e) => e);
      assert.equal(bad.code, "upload_not_exists", "the upload belongs to another key");
      const { uploadId: other } = await initiateMultipartUpload(c, { bucket, key: "y" });
      const missing = await uploadPartCopy(c, {
        bucket,
        key: "y",
        uploadId: other,
        partNumber: 0,
        source: { bucket, key: "missing ключ" },
      }).catch((e) => e);
      assert.equal(missing.code, "object_not_exists");
      const range = await uploadPartCopy(c, {
        bucket,
        key: "y",
        uploadId: other,
        partNumber: 0,
        source: { bucket, key: "source" },
        range: { first: 6000, last: 7000 },
      }).catch((e) => e);
      assert.equal(range.status, 416);
      assert.equal(range.code, "invalid_range");
    }));
});
