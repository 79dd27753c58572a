import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { completeMultipartUpload, initiateMultipartUpload, uploadPart } from "../mod.ts";
import { OPERATIONS } from "../src/testing/operations/mod.ts";
import { inProcess } from "./support/harness.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";

const bucket = "mybucket";

describe("two emulators in one process are independent", () => {
  it("upload IDs: each emulator counts its own uploads from the first", async () => {
    const a = inProcess();
    const b = inProcess();
    const first = await initiateMultipartUpload(a.client, { bucket, key: "k" });
    await initiateMultipartUpload(a.client, { bucket, key: "k" });
    const other = await initiateMultipartUpload(b.client, { bucket, key: "k" });
    // The ID starts with the emulator's own count of uploads, in 8 hex digits.
    assert.equal(first.uploadId.slice(0, 8), "00000001");
    assert.equal(other.uploadId.slice(0, 8), "00000001");
    assert.equal(a.emulator.state.uploads.size, 2);
    assert.deepEqual([...b.emulator.state.uploads.keys()], [other.uploadId]);
  });

  it("digest chains: parts interleaved across emulators hash into their own objects", async () => {
    const options = { storage: "digest" as const, minPartSize: 1 };
    const a = inProcess(options);
    const b = inProcess(options);
    const key = "same-key";
    const [ua, ub] = await Promise.all(
      [a, b].map(({ client }) => initiateMultipartUpload(client, { bucket, key })),
    );
    const partsOf = (seed: number) => [testBytes(1000, seed), testBytes(700, seed + 1)];
    const [pa, pb] = [partsOf(1), partsOf(5)];
    // Part 2 of one emulator's upload arrives between parts 1 and 2 of the other's.
    await uploadPart(a.client, { bucket, key, uploadId: ua.uploadId, partNumber: 1, body: pa[0] });
    await uploadPart(b.client, { bucket, key, uploadId: ub.uploadId, partNumber: 1, body: pb[0] });
    await uploadPart(b.client, { bucket, key, uploadId: ub.uploadId, partNumber: 2, body: pb[1] });
    await uploadPart(a.client, { bucket, key, uploadId: ua.uploadId, partNumber: 2, body: pa[1] });
    const parts = [{ partNumber: 1 }, { partNumber: 2 }];
    await completeMultipartUpload(a.client, { bucket, key, uploadId: ua.uploadId, parts });
    await completeMultipartUpload(b.client, { bucket, key, uploadId: ub.uploadId, parts });
    const objectA = a.emulator.state.objects.get(`${bucket}/${key}`)!;
    const objectB = b.emulator.state.objects.get(`${bucket}/${key}`)!;
    assert.equal(objectA.md5Unknown, undefined);
    assert.equal(objectA.md5, nativeMd5(...pa));
    assert.equal(objectB.md5Unknown, undefined);
    assert.equal(objectB.md5, nativeMd5(...pb));
  });
});

describe("the emulator's operations", () => {
  it("no request matches two operations, so their order does not matter", () => {
    const queries = [[], ["uploads"], ["upload_id"], ["uploads", "upload_id"], ["part_number"]];
    const headerSets = [[], ["x-qs-copy-source"], ["x-qs-move-source"]];
    for (const method of ["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"]) {
      for (const key of [undefined, "k"]) {
        for (const names of queries) {
          for (const headerNames of headerSets) {
            const query = new Map(names.map((name) => [name, "x"]));
            const headers = new Headers(
              headerNames.map((name): [string, string] => [name, "/b/k"]),
            );
            const matched = OPERATIONS.filter((op) => op.matches(method, key, query, headers))
              .map((op) => op.name);
            assert.ok(
              matched.length <= 1,
              `${method} ${key} ?${names.join("&")} ${headerNames}: ${matched.join(", ")}`,
            );
          }
        }
      }
    }
  });
});
