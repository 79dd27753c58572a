/**
 * handleSignRequest() refuses before `authorize` is asked: a malformed request, an operation it
 * does not sign, fields or headers off the operation's list, a batch with one bad entry; never
 * echoing a key.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  batch,
  bucket,
  changed,
  GOOD,
  handle,
  md5,
  post,
  refused,
  uploadId,
} from "./support/sign_batches.ts";

describe("handleSignRequest() refuses", () => {
  it("refuses the request itself: method, media type, size, JSON, version, shape", async () => {
    await refused(new Request("https://example.com/sign"), 405, "sign_method_not_allowed");
    await refused(
      post(batch(GOOD.part), { headers: { "content-type": "text/plain" } }),
      415,
      "sign_unsupported_media_type",
    );
    await refused(post("x".repeat(512 * 1024 + 1)), 413, "sign_request_too_large");
    // A body declared too large is refused before a byte of it is read.
    let pulled = false;
    const declared = new Request("https://example.com/sign", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(512 * 1024 + 1) },
      body: new ReadableStream({
        pull: (controller) => {
          pulled = true;
          controller.error(new Error("read"));
        },
      }, { highWaterMark: 0 }),
      duplex: "half",
    } as RequestInit);
    await refused(declared, 413, "sign_request_too_large");
    assert.equal(pulled, false);
    await refused(
      post(batch(...Array(33).fill(GOOD.part))),
      413,
      "sign_request_too_large",
      /at most 32 entries/,
    );
    await refused(post("{"), 400, "sign_request_invalid", /not JSON/);
    // Bytes that are not UTF-8, in a string of JSON that is otherwise good.
    const bytes = new TextEncoder().encode(JSON.stringify(batch({ ...GOOD.part, key: "a~" })));
    bytes[bytes.indexOf("~".charCodeAt(0))] = 0xff;
    await refused(post(bytes), 400, "sign_request_invalid", /not JSON in UTF-8/);
    for (const body of ["[]", "null", '"x"', "1"]) {
      await refused(post(body), 400, "sign_request_invalid", /JSON object/);
    }
    await refused(post({ ...batch(GOOD.part), version: 2 }), 400, "sign_request_invalid");
    await refused(post({ ...batch(GOOD.part), version: "1" }), 400, "sign_request_invalid");
    await refused(post({ ...batch(GOOD.part), extra: 1 }), 400, "sign_request_invalid");
    await refused(post({ ...batch(GOOD.part), style: "dns" }), 400, "sign_request_invalid");
    await refused(post(batch()), 400, "sign_request_invalid", /non-empty array/);
    await refused(post({ version: 1, bucket, requests: {} }), 400, "sign_request_invalid");
    // One bucket per batch, named once: a second one has nowhere to go.
    await refused(post({ ...batch(GOOD.part), bucket: "A_B" }), 400, "sign_request_invalid");
    await refused(
      post(batch({ ...GOOD.part, bucket: "otherbucket" })),
      400,
      "sign_request_invalid",
    );
  });

  it("refuses operations it does not sign, before anyone is asked", async () => {
    for (
      const operation of [
        "deleteObject",
        "getObject",
        "headObject",
        "uploadPartCopy",
        "putBucket",
        "deleteBucket",
        "putBucketPolicy",
        "__proto__",
        "constructor",
        "toString",
        "",
        "x".repeat(10_000),
      ]
    ) {
      const error = await refused(
        post(batch(GOOD.initiate, { ...GOOD.abort, operation })),
        403,
        "sign_operation_not_allowed",
      );
      assert.equal(error.entry, 1);
      assert.ok(error.message.length < 400);
    }
    for (const operation of [undefined, 1, null, ["uploadPart"], { toString: "x" }]) {
      await refused(post(batch({ ...GOOD.part, operation })), 403, "sign_operation_not_allowed");
    }
    await refused(post(batch(null)), 403, "sign_operation_not_allowed");
  });

  it("refuses fields that do not match the operation", async () => {
    const cases: [string, Record<string, unknown>][] = [
      // A DELETE object dressed up as an abort, a GET object as a listing.
      ["abort", { query: undefined }],
      ["abort", { query: {} }],
      ["list", { query: { limit: "5" } }],
      // Methods.
      ["abort", { method: "GET" }],
      ["part", { method: "POST" }],
      ["initiate", { method: "PUT" }],
      ["complete", { method: "PUT" }],
      ["list", { method: "DELETE" }],
      ["put", { method: "POST" }],
      ["part", { method: "put" }],
      // Queries: extra, missing, malformed or not strings.
      ["part", { query: { part_number: "3", upload_id: uploadId, acl: "" } }],
      ["part", { query: { part_number: "3" } }],
      ["part", { query: { part_number: "01", upload_id: uploadId } }],
      ["part", { query: { part_number: "10001", upload_id: uploadId } }],
      ["part", { query: { part_number: "-1", upload_id: uploadId } }],
      ["part", { query: { part_number: 3, upload_id: uploadId } }],
      ["part", { query: { part_number: "3", upload_id: "" } }],
      ["part", { query: { part_number: "3", upload_id: "a\r\nb" } }],
      // An upload ID that would splice sub-resources into the string to sign, or be trimmed.
      ["part", { query: { part_number: "3", upload_id: `${uploadId}&part_number=5` } }],
      ["complete", { query: { upload_id: `${uploadId}&uploads` } }],
      ["abort", { query: { upload_id: `${uploadId}&version_id=1` } }],
      ["list", { query: { upload_id: `${uploadId}#x` } }],
      ["abort", { query: { upload_id: ` ${uploadId}` } }],
      ["abort", { query: { upload_id: "%26uploads" } }],
      ["part", { query: [["part_number", "3"]] }],
      ["initiate", { query: { uploads: "", upload_id: uploadId } }],
      ["initiate", { query: { uploads: "1" } }],
      ["complete", { query: { upload_id: uploadId, uploads: "" } }],
      ["list", { query: { upload_id: uploadId, limit: "0" } }],
      ["list", { query: { upload_id: uploadId, "limit?": "5" } }],
      ["list", { query: { upload_id: uploadId, limit: "1001" } }],
      ["list", { query: JSON.parse(`{ "upload_id": "${uploadId}", "__proto__": "x" }`) }],
      ["uploads", { query: { uploads: "" } }],
      ["uploads", { query: { uploads: "", prefix: "" } }],
      ["uploads", { query: { uploads: "", prefix: "a", delimiter: "/" } }],
      ["uploads", { key: "alice/a.bin" }],
      // A presigned URL's own parameters: the server signs headers, with its own date, only.
      ["part", { query: { part_number: "3", upload_id: uploadId, expires: "4102444800" } }],
      ["put", { query: { access_key_id: "AKID", signature: "x", expires: "4102444800" } }],
      ["put", { query: { acl: "" } }],
      ["put", { query: { uploads: "" } }],
      // Keys.
      ["part", { key: undefined }],
      ["part", { key: "" }],
      ["part", { key: "a/../b" }],
      ["part", { key: "/a" }],
      ["part", { key: "k".repeat(1024) }],
      ["part", { key: 7 }],
      ["part", { key: "\ud800" }],
      // Fields of their own.
      ["part", { bucket: "mybucket" }],
      ["part", { signature: "x" }],
      ["part", { stringToSign: "PUT\n\n\n\n/mybucket/a" }],
    ];
    for (const [name, change] of cases) {
      const error = await refused(
        post(batch(GOOD.initiate, changed(name, change))),
        400,
        "sign_request_invalid",
      );
      assert.equal(error.entry, 1, `${name} ${JSON.stringify(change)}: ${error.message}`);
      assert.match(error.message, /^requests\[1\]/);
    }
    const hostile = JSON.stringify(batch(GOOD.part)).replace('"query"', '"__proto__":{},"query"');
    await refused(post(hostile), 400, "sign_request_invalid");
  });

  it("refuses headers off the operation's list, or malformed, never echoing a key", async () => {
    const customerKey = btoa(String.fromCharCode(...new Uint8Array(32).fill(7)));
    const cases: [string, Record<string, unknown>][] = [
      ["part", { "x-qs-date": "Mon, 03 Jun 2024 08:00:00 GMT" }],
      ["part", { authorization: "QS a:b" }],
      ["part", { date: "Mon, 03 Jun 2024 08:00:00 GMT" }],
      ["part", { host: "elsewhere" }],
      ["part", { "x-qs-copy-source": "/otherbucket/secret" }],
      ["part", { "x-qs-meta-owner": "alice" }],
      ["part", { "x-qs-storage-class": "STANDARD" }],
      ["part", { "Content-MD5": md5 }],
      ["part", { "content-md5": "abc" }],
      ["part", { "content-md5": 5 }],
      ["abort", { "content-type": "text/plain" }],
      ["list", { "content-md5": md5 }],
      ["initiate", { "content-type": "text/plain\r\nx-qs-acl: public" }],
      ["initiate", { "content-type": "" }],
      ["initiate", { "content-type": "t".repeat(256) }],
      ["initiate", { "content-type": "тип" }],
      ["initiate", { "x-qs-storage-class": "GLACIER" }],
      ["initiate", { "x-qs-meta-": "x" }],
      ["initiate", { "x-qs-meta-a b": "x" }],
      ["initiate", { "x-qs-meta-big": "v".repeat(2100) }],
      ["initiate", { "x-qs-meta-nl": "a\nb" }],
      // Names that differ only in case would be sent as one header, their values joined.
      ["initiate", { "x-qs-meta-Owner": "alice", "x-qs-meta-owner": "bob" }],
      ["initiate", { "x-qs-encryption-customer-key": customerKey.slice(2) + "AA" + "!" }],
      ["initiate", { "x-qs-encryption-customer-algorithm": "DES" }],
      // Named as the rules name the kinds of headers, not as headers are.
      ["initiate", { sse: "x" }],
      ["initiate", { meta: "x" }],
      ["initiate", { "X-QS-Meta-Owner": "alice" }],
      // A PUT that would copy, move or fetch another object, or an initiate that would.
      ["put", { "x-qs-copy-source": "/otherbucket/secret" }],
      ["put", { "x-qs-move-source": "/mybucket/bob/a.bin" }],
      ["put", { "x-qs-fetch-source": "https://example.com/a" }],
      ["put", { "x-qs-date": "Mon, 03 Jun 2024 08:00:00 GMT" }],
      ["put", { "x-qs-acl": "public-read" }],
      ["initiate", { "x-qs-copy-source": "/otherbucket/secret" }],
      // An own property named __proto__, as JSON.parse makes it.
      ["initiate", JSON.parse('{ "__proto__": "x" }')],
      // Metadata named __proto__ is checked like any other (its value was not, outside Deno).
      ["initiate", JSON.parse('{ "x-qs-meta-__proto__": "a\\nb" }')],
      ["put", JSON.parse(`{ "x-qs-meta-__proto__": "${"v".repeat(2100)}" }`)],
    ];
    for (const [name, headers] of cases) {
      const entry = { ...GOOD[name], headers };
      const error = await refused(
        post(batch(entry)),
        400,
        "sign_request_invalid",
      );
      assert.ok(!error.message.includes(customerKey.slice(2, 40)), error.message);
      assert.ok(error.message.length < 400);
    }
    // The SSE-C three are signed when well-formed.
    const { status } = await handle(post(batch({
      ...GOOD.part,
      headers: {
        "content-md5": md5,
        "x-qs-encryption-customer-algorithm": "AES256",
        "x-qs-encryption-customer-key": customerKey,
        "x-qs-encryption-customer-key-md5": md5,
      },
    })));
    assert.equal(status, 200);
  });

  it("refuses a whole batch for one bad entry, and says which", async () => {
    const { status, body, asked } = await handle(
      post(batch(GOOD.part, GOOD.part, { ...GOOD.part, method: "DELETE" })),
    );
    assert.equal(status, 400);
    assert.equal(body.error.entry, 2);
    assert.equal(asked.length, 0);
  });
});
