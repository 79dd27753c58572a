/**
 * listMultipartUploads() and iterateMultipartUploads(): prefix, delimiter, paging, and paging on
 * while the listed uploads are aborted.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  abortMultipartUpload,
  initiateMultipartUpload,
  iterateMultipartUploads,
  listMultipartUploads,
} from "../mod.ts";
import { withEmulator } from "./support/harness.ts";
import { bucket, small } from "./support/one_part.ts";

describe("listMultipartUploads()", () => {
  it("lists uploads in progress with prefix, delimiter and paging", () =>
    withEmulator(small, async ({ client }) => {
      const c = client();
      const keys = ["a/1", "a/2", "b", "b", "c/x", "d"];
      const ids: string[] = [];
      for (const key of keys) {
        ids.push((await initiateMultipartUpload(c, { bucket, key })).uploadId);
      }
      const grouped = await listMultipartUploads(c, { bucket, delimiter: "/" });
      assert.deepEqual(grouped.commonPrefixes, ["a/", "c/"]);
      assert.deepEqual(grouped.uploads.map((u) => u.key), ["b", "b", "d"]);
      assert.equal(grouped.hasMore, false);
      const prefixed = await listMultipartUploads(c, { bucket, prefix: "a/" });
      assert.deepEqual(prefixed.uploads.map((u) => u.key), ["a/1", "a/2"]);
      const first = await listMultipartUploads(c, { bucket, limit: 2 });
      assert.equal(first.hasMore, true);
      assert.equal(first.nextKeyMarker, "a/2");
      const seen = [];
      for await (const upload of iterateMultipartUploads(c, { bucket, limit: 1 })) {
        seen.push([upload.key, upload.uploadId]);
      }
      assert.deepEqual(seen, keys.map((key, i) => [key, ids[i]]));
    }));

  it("pages on past uploads aborted while the listing goes on", () =>
    withEmulator(small, async ({ client }) => {
      const c = client();
      for (const key of ["same", "same", "same", "same", "same", "z"]) {
        await initiateMultipartUpload(c, { bucket, key });
      }
      let seen = 0;
      for await (const upload of iterateMultipartUploads(c, { bucket, limit: 2 })) {
        seen++;
        await abortMultipartUpload(c, { bucket, ...upload });
      }
      assert.equal(seen, 6);
    }));
});
