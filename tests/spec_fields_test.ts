/**
 * The spec's headers and fields, each seen on the wire (the emulator's record
 * of a request and its answer, or a raw request) and in the client's result:
 * the echoed SSE-C algorithm, the copy conditions and the copy source's key,
 * List Parts' `count`, and the fields List Multipart Uploads echoes.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type Client,
  completeMultipartUpload,
  initiateMultipartUpload,
  listMultipartUploads,
  listParts,
  QingStorError,
  uploadPart,
  uploadPartCopy,
  type UploadPartCopyInput,
} from "../mod.ts";
import type { Emulator } from "../src/testing/mod.ts";
import { inProcess, localClient, withEmulator } from "./support/harness.ts";
import { rawRequest, signedHeaders } from "./support/hand_sign.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";

const bucket = "mybucket";
const ALGORITHM = "x-qs-encryption-customer-algorithm";
const encryption = { customerKey: new Uint8Array(32).fill(120) };
const otherKey = { customerKey: new Uint8Array(32).fill(121) };

/** The emulator's record of the last request: what went over the wire, both ways. */
const lastRecord = (emulator: Emulator) => emulator.state.requests.at(-1)!;

/** Uploads a one-part object through the multipart API; returns nothing. */
async function makeObject(client: Client, key: string, body: Uint8Array, encrypted = false) {
  const keyed = encrypted ? { encryption } : {};
  const { uploadId } = await initiateMultipartUpload(client, { bucket, key, ...keyed });
  await uploadPart(client, { bucket, key, uploadId, partNumber: 0, body, ...keyed });
  await completeMultipartUpload(client, {
    bucket,
    key,
    uploadId,
    parts: [{ partNumber: 0 }],
    ...keyed,
  });
}

describe("the SSE-C algorithm is echoed", () => {
  it("on initiate (200), upload part (201), copy (201) and complete (201), and in each result", () =>
    withEmulator({ minPartSize: 1 }, async ({ client, emulator }) => {
      const c = client();
      const target = { bucket, key: "secret", encryption };
      const started = await initiateMultipartUpload(c, target);
      assert.equal(started.encryptionAlgorithm, "AES256");
      assert.equal(lastRecord(emulator).status, 200);
      assert.equal(lastRecord(emulator).responseHeaders[ALGORITHM], "AES256");
      const { uploadId } = started;
      const part = await uploadPart(c, { ...target, uploadId, partNumber: 0, body: testBytes(9) });
      assert.equal(part.encryptionAlgorithm, "AES256");
      assert.equal(lastRecord(emulator).status, 201);
      assert.equal(lastRecord(emulator).responseHeaders[ALGORITHM], "AES256");
      await makeObject(c, "plain source", testBytes(9, 2));
      const copied = await uploadPartCopy(c, {
        ...target,
        uploadId,
        partNumber: 1,
        source: { bucket, key: "plain source" },
      });
      assert.equal(copied.encryptionAlgorithm, "AES256");
      assert.equal(lastRecord(emulator).responseHeaders[ALGORITHM], "AES256");
      const done = await completeMultipartUpload(c, {
        ...target,
        uploadId,
        parts: [{ partNumber: 0 }, { partNumber: 1 }],
      });
      assert.equal(done.encryptionAlgorithm, "AES256");
      assert.equal(lastRecord(emulator).status, 201);
      assert.equal(lastRecord(emulator).responseHeaders[ALGORITHM], "AES256");
    }));

  it("complete may leave the key out, but not give another", () =>
    withEmulator({}, async ({ client }) => {
      const c = client();
      const { uploadId } = await initiateMultipartUpload(c, { bucket, key: "k", encryption });
      await uploadPart(c, {
        bucket,
        key: "k",
        uploadId,
        partNumber: 0,
        body: testBytes(5),
        encryption,
      });
      const parts = [{ partNumber: 0 }];
      const other = await completeMultipartUpload(c, {
        bucket,
        key: "k",
        uploadId,
        parts,
        encryption: otherKey,
      }).catch((e) => e);
      assert.deepEqual([other.status, other.code], [400, "invalid_argument"]);
      const done = await completeMultipartUpload(c, { bucket, key: "k", uploadId, parts });
      assert.equal(done.encryptionAlgorithm, "AES256", "echoed without the key too");
    }));

  it("on none of them for an upload without a key", () =>
    withEmulator({}, async ({ client, emulator }) => {
      const c = client();
      const { uploadId, encryptionAlgorithm } = await initiateMultipartUpload(c, {
        bucket,
        key: "plain",
      });
      const part = await uploadPart(c, {
        bucket,
        key: "plain",
        uploadId,
        partNumber: 0,
        body: testBytes(9),
      });
      const done = await completeMultipartUpload(c, {
        bucket,
        key: "plain",
        uploadId,
        parts: [{ partNumber: 0 }],
      });
      assert.deepEqual(
        [encryptionAlgorithm, part.encryptionAlgorithm, done.encryptionAlgorithm],
        [undefined, undefined, undefined],
      );
      assert.ok(emulator.state.requests.every((record) => !(ALGORITHM in record.responseHeaders)));
    }));
});

describe("Upload Part Copy conditions on the source", () => {
  const conditions: [string, string, Partial<UploadPartCopyInput>, Partial<UploadPartCopyInput>][] =
    [
      ["x-qs-copy-source-if-match", "ifMatch", { ifMatch: "etag" }, { ifMatch: "0123" }],
      ["x-qs-copy-source-if-none-match", "ifNoneMatch", { ifNoneMatch: "0123" }, {
        ifNoneMatch: "etag",
      }],
      [
        "x-qs-copy-source-if-modified-since",
        "ifModifiedSince",
        { ifModifiedSince: new Date(Date.now() - 3_600_000) },
        { ifModifiedSince: new Date(Date.now() + 3_600_000) },
      ],
      [
        "x-qs-copy-source-if-unmodified-since",
        "ifUnmodifiedSince",
        { ifUnmodifiedSince: new Date(Date.now() + 3_600_000) },
        { ifUnmodifiedSince: new Date(Date.now() - 3_600_000) },
      ],
    ];
  for (const [header, name, holds, fails] of conditions) {
    it(`${name}: copies when it holds, fails with 412 precondition_failed when not`, () =>
      withEmulator({ minPartSize: 1 }, async ({ client, emulator, server }) => {
        const c = client();
        const source = testBytes(64, 4);
        // A source with an ETag: a PUT object's is its quoted MD5.
        const path = `/${bucket}/source`;
        const headers = await signedHeaders("PUT", server.url + path);
        const put = await rawRequest(server.url, "PUT", path, headers, source);
        assert.equal(put.status, 201);
        const etag = nativeMd5(source);
        const resolve = (input: Partial<UploadPartCopyInput>) =>
          Object.fromEntries(
            Object.entries(input).map(([k, v]) => [k, v == "etag" ? etag : v]),
          );
        const { uploadId } = await initiateMultipartUpload(c, { bucket, key: "copy" });
        const copy = (input: Partial<UploadPartCopyInput>) =>
          uploadPartCopy(c, {
            bucket,
            key: "copy",
            uploadId,
            partNumber: 0,
            source: { bucket, key: "source" },
            ...resolve(input),
          });
        const ok = await copy(holds);
        assert.equal(ok.etag, etag);
        const sent = lastRecord(emulator).headers[header];
        const given = Object.values(resolve(holds))[0];
        assert.equal(sent, given instanceof Date ? given.toUTCString() : given, "on the wire");
        const error = await copy(fails).catch((e) => e);
        assert.ok(error instanceof QingStorError, String(error));
        assert.deepEqual([error.status, error.code], [412, "precondition_failed"]);
        assert.equal(lastRecord(emulator).status, 412);
      }));
  }

  it("refuses a date that is not valid before sending", async () => {
    const { client, emulator } = inProcess();
    const error = await uploadPartCopy(client, {
      bucket,
      key: "copy",
      uploadId: "id",
      partNumber: 0,
      source: { bucket, key: "source" },
      ifUnmodifiedSince: new Date(NaN),
    }).catch((e) => e);
    assert.equal(error.parameter, "ifUnmodifiedSince");
    assert.match(error.message, /valid Date, received "an invalid Date"/);
    assert.equal(emulator.state.requests.length, 0);
  });
});

describe("copying from an encrypted source", () => {
  it("needs the source's key: none is 400 invalid_request, another 400 invalid_argument", () =>
    withEmulator({ minPartSize: 1 }, async ({ client, emulator }) => {
      const c = client();
      const source = testBytes(50, 6);
      await makeObject(c, "encrypted source", source, true);
      const { uploadId } = await initiateMultipartUpload(c, { bucket, key: "copy" });
      const copy = (sourceEncryption?: { customerKey: Uint8Array }) =>
        uploadPartCopy(c, {
          bucket,
          key: "copy",
          uploadId,
          partNumber: 0,
          source: { bucket, key: "encrypted source" },
          sourceEncryption,
        }).catch((e) => e);
      const keyless = await copy();
      assert.deepEqual([keyless.status, keyless.code], [400, "invalid_request"]);
      const wrong = await copy(otherKey);
      assert.deepEqual([wrong.status, wrong.code], [400, "invalid_argument"]);
      const copied = await copy(encryption);
      assert.equal(copied.etag, nativeMd5(source));
      const sent = lastRecord(emulator).headers;
      assert.equal(sent["x-qs-copy-source-encryption-customer-algorithm"], "AES256");
      assert.equal(sent["x-qs-copy-source-encryption-customer-key"], btoa("x".repeat(32)));
      assert.equal(
        sent["x-qs-copy-source-encryption-customer-key-md5"],
        "3I/h1kl+vSP1l12NKhxegQ==",
      );
      assert.equal(emulator.state.uploads.get(uploadId)!.parts.size, 1);
    }));
});

describe("List Parts count", () => {
  it("is the count the service sends, on the wire and in the result", () =>
    withEmulator({ minPartSize: 1 }, async ({ client, server }) => {
      const c = client();
      const { uploadId } = await initiateMultipartUpload(c, { bucket, key: "k" });
      for (const partNumber of [0, 1, 2]) {
        await uploadPart(c, { bucket, key: "k", uploadId, partNumber, body: testBytes(3) });
      }
      const path = `/${bucket}/k?upload_id=${uploadId}`;
      const raw = await rawRequest(
        server.url,
        "GET",
        path,
        await signedHeaders("GET", server.url + path),
      );
      assert.equal(JSON.parse(raw.body).count, 3);
      assert.equal((await listParts(c, { bucket, key: "k", uploadId })).count, 3);
    }));

  it("is taken from the answer, not counted by the client, and falls back on the page", async () => {
    const answers = [{ count: 7, object_parts: [] }, { object_parts: [] }];
    const c = localClient(() => Promise.resolve(Response.json(answers.shift())));
    assert.equal((await listParts(c, { bucket, key: "k", uploadId: "id" })).count, 7);
    assert.equal((await listParts(c, { bucket, key: "k", uploadId: "id" })).count, 0);
  });
});

describe("List Multipart Uploads echoes its request", () => {
  it("name, prefix, delimiter, limit and marker, on the wire and in the result", () =>
    withEmulator({}, async ({ client, server }) => {
      const c = client();
      for (const key of ["photos/a", "photos/b/c", "videos/d"]) {
        await initiateMultipartUpload(c, { bucket, key });
      }
      const query = "?uploads&prefix=photos%2F&delimiter=%2F&limit=5&key_marker=photos%2F0";
      const raw = await rawRequest(
        server.url,
        "GET",
        `/${bucket}${query}`,
        await signedHeaders("GET", `${server.url}/${bucket}${query}`),
      );
      const wire = JSON.parse(raw.body);
      const expected = {
        name: bucket,
        prefix: "photos/",
        delimiter: "/",
        limit: 5,
        marker: "photos/0",
      };
      assert.deepEqual(
        {
          name: wire.name,
          prefix: wire.prefix,
          delimiter: wire.delimiter,
          limit: wire.limit,
          marker: wire.marker,
        },
        expected,
      );
      const page = await listMultipartUploads(c, {
        bucket,
        prefix: "photos/",
        delimiter: "/",
        limit: 5,
        keyMarker: "photos/0",
      });
      const { name, prefix, delimiter, limit, marker } = page;
      assert.deepEqual({ name, prefix, delimiter, limit, marker }, expected);
      assert.deepEqual(page.uploads.map((upload) => upload.key), ["photos/a"]);
      assert.deepEqual(page.commonPrefixes, ["photos/b/"]);
    }));
});
