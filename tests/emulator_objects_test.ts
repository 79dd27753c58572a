import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { EmulatorServer } from "../src/testing/mod.ts";
import { withEmulator } from "./support/harness.ts";
import { type RawAnswer, rawRequest, signedHeaders } from "./support/hand_sign.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";

const KEY = "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHg="; // 32 × "x", as the SDK scenarios use
const KEY_MD5 = "3I/h1kl+vSP1l12NKhxegQ==";
const sseC = (prefix = "x-qs-encryption-customer-", key = KEY, keyMd5 = KEY_MD5) => ({
  [prefix + "algorithm"]: "AES256",
  [prefix + "key"]: key,
  [prefix + "key-md5"]: keyMd5,
});
const OTHER_KEY = btoa("y".repeat(32));
const OTHER_KEY_MD5 = Buffer.from(nativeMd5(new TextEncoder().encode("y".repeat(32))), "hex")
  .toString("base64");

/** Sends a request signed by hand, over HTTP. */
async function send(
  server: EmulatorServer,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Uint8Array,
): Promise<RawAnswer> {
  return rawRequest(
    server.url,
    method,
    path,
    await signedHeaders(method, server.url + path, headers),
    body,
  );
}

const code = (answer: RawAnswer) => JSON.parse(answer.body).code;
const data = testBytes(100, 5);
const base64Md5 = (bytes: Uint8Array) => Buffer.from(nativeMd5(bytes), "hex").toString("base64");

describe("PUT, HEAD, GET and DELETE Object", () => {
  it("stores a PUT object with its type, metadata and storage class, and reads it back", () =>
    withEmulator({}, async ({ server, emulator }) => {
      const put = await send(server, "PUT", "/mybucket/obj", {
        "content-type": "video/mp4; charset=utf8",
        "content-md5": base64Md5(data),
        "x-qs-meta-k1": "v1",
        "x-qs-storage-class": "STANDARD_IA",
      }, data);
      assert.equal(put.status, 201, put.body);
      assert.equal(put.headers.etag, `"${nativeMd5(data)}"`);
      assert.equal(put.headers["x-qs-encryption-customer-algorithm"], undefined);
      assert.equal(emulator.state.objects.get("mybucket/obj")!.md5, nativeMd5(data));

      const head = await send(server, "HEAD", "/mybucket/obj");
      assert.equal(head.status, 200);
      assert.equal(head.body, "");
      assert.equal(head.headers["content-length"], "100");
      assert.equal(head.headers["content-type"], "video/mp4; charset=utf8");
      assert.equal(head.headers.etag, `"${nativeMd5(data)}"`);
      assert.equal(head.headers["x-qs-meta-k1"], "v1");
      assert.equal(head.headers["x-qs-storage-class"], "STANDARD_IA");
      assert.ok(!Number.isNaN(Date.parse(head.headers["last-modified"])));

      const get = await send(server, "GET", "/mybucket/obj");
      assert.equal(get.status, 200);
      assert.deepEqual(get.bytes, data);
      assert.equal(get.headers["content-type"], "video/mp4; charset=utf8");
    }));

  it("refuses a PUT whose Content-MD5, storage class or metadata is wrong, storing nothing", () =>
    withEmulator({}, async ({ server, emulator }) => {
      const wrong = await send(server, "PUT", "/mybucket/obj", {
        "content-md5": base64Md5(testBytes(100, 6)),
      }, data);
      assert.deepEqual([wrong.status, code(wrong)], [400, "bad_digest"]);
      const storage = await send(server, "PUT", "/mybucket/obj", {
        "x-qs-storage-class": "GLACIER",
      }, data);
      assert.deepEqual([storage.status, code(storage)], [400, "invalid_request"]);
      const metadata = await send(server, "PUT", "/mybucket/obj", {
        "x-qs-meta-big": "x".repeat(2100),
      }, data);
      assert.deepEqual([metadata.status, code(metadata)], [400, "metadata_too_large"]);
      assert.equal(emulator.state.objects.size, 0);
    }));

  it("answers a Range with 206 and Content-Range, and an unsatisfiable one with 416", () =>
    withEmulator({}, async ({ server }) => {
      await send(server, "PUT", "/mybucket/obj", {}, data);
      for (
        const [range, first, last] of [
          ["bytes=10-19", 10, 19],
          ["bytes=90-", 90, 99],
          ["bytes=-5", 95, 99],
          ["bytes=50-999", 50, 99],
        ] as const
      ) {
        const get = await send(server, "GET", "/mybucket/obj", { range });
        assert.equal(get.status, 206, range);
        assert.equal(get.headers["content-range"], `bytes ${first}-${last}/100`);
        assert.equal(get.headers["content-length"], String(last - first + 1));
        assert.deepEqual(get.bytes, data.subarray(first, last + 1));
      }
      for (const range of ["bytes=100-200", "bytes=20-10", "bytes=0-1,5-6", "lines=1-2"]) {
        const refused = await send(server, "GET", "/mybucket/obj", { range });
        assert.equal(refused.status, 416, range);
        assert.equal(code(refused), "invalid_range");
        assert.equal(refused.headers["content-range"], "bytes */100");
      }
    }));

  it("answers conditional GET and HEAD with 304 or 412", () =>
    withEmulator({}, async ({ server }) => {
      const { headers } = await send(server, "PUT", "/mybucket/obj", {}, data);
      const future = new Date(Date.now() + 3_600_000).toUTCString();
      const past = new Date(Date.now() - 3_600_000).toUTCString();
      for (
        const [condition, value, status] of [
          ["if-none-match", headers.etag, 304],
          ["if-none-match", '"other"', 200],
          ["if-match", headers.etag, 200],
          ["if-match", '"other"', 412],
          ["if-modified-since", future, 304],
          ["if-modified-since", past, 200],
          ["if-unmodified-since", past, 412],
          ["if-unmodified-since", future, 200],
        ] as const
      ) {
        for (const method of ["GET", "HEAD"]) {
          const answer = await send(server, method, "/mybucket/obj", { [condition]: value });
          assert.equal(answer.status, status, `${method} ${condition}: ${value}`);
          if (status == 412 && method == "GET") assert.equal(code(answer), "precondition_failed");
        }
      }
    }));

  it("deletes with 204 whether or not the object exists, never anonymously", () =>
    withEmulator({ publicBuckets: ["open-bucket"] }, async ({ server, emulator }) => {
      await send(server, "PUT", "/mybucket/obj", {}, data);
      assert.equal((await send(server, "DELETE", "/mybucket/obj")).status, 204);
      assert.equal(emulator.state.objects.size, 0);
      const head = await send(server, "HEAD", "/mybucket/obj");
      assert.deepEqual([head.status, head.body], [404, ""]);
      const get = await send(server, "GET", "/mybucket/obj");
      assert.deepEqual([get.status, code(get)], [404, "object_not_exists"]);
      assert.equal((await send(server, "DELETE", "/mybucket/obj")).status, 204);

      await send(server, "PUT", "/open-bucket/obj", {}, data);
      const read = await rawRequest(server.url, "GET", "/open-bucket/obj", new Headers());
      assert.equal(read.status, 200, "an anonymous read of a public bucket");
      const anonymous = await rawRequest(server.url, "DELETE", "/open-bucket/obj", new Headers());
      assert.deepEqual([anonymous.status, code(anonymous)], [403, "permission_denied"]);
      assert.equal(emulator.state.objects.size, 1);
    }));

  it("does not pretend to implement what it does not: PUT with a copy or move source is 405", () =>
    withEmulator({}, async ({ server }) => {
      for (const header of ["x-qs-copy-source", "x-qs-move-source"]) {
        const answer = await send(server, "PUT", "/mybucket/obj", { [header]: "/mybucket/src" });
        assert.deepEqual([answer.status, code(answer)], [405, "method_not_allowed"], header);
      }
    }));
});

describe("encrypted objects (SSE-C)", () => {
  it("echoes the algorithm on PUT, HEAD and GET, and GET needs the key", () =>
    withEmulator({}, async ({ server, emulator }) => {
      const put = await send(server, "PUT", "/mybucket/secret", sseC(), data);
      assert.equal(put.status, 201, put.body);
      assert.equal(put.headers["x-qs-encryption-customer-algorithm"], "AES256");
      assert.equal(emulator.state.objects.get("mybucket/secret")!.encryptionKeyMd5, KEY_MD5);

      // HEAD tells the metadata without the key, and checks a key when one is given.
      const head = await send(server, "HEAD", "/mybucket/secret");
      assert.equal(head.status, 200);
      assert.equal(head.headers["x-qs-encryption-customer-algorithm"], "AES256");
      const keyed = await send(server, "HEAD", "/mybucket/secret", sseC());
      assert.equal(keyed.status, 200);
      const wrongHead = await send(
        server,
        "HEAD",
        "/mybucket/secret",
        sseC(undefined, OTHER_KEY, OTHER_KEY_MD5),
      );
      assert.equal(wrongHead.status, 400);

      const get = await send(server, "GET", "/mybucket/secret", sseC());
      assert.equal(get.status, 200);
      assert.equal(get.headers["x-qs-encryption-customer-algorithm"], "AES256");
      assert.deepEqual(get.bytes, data);
      const keyless = await send(server, "GET", "/mybucket/secret");
      assert.deepEqual([keyless.status, code(keyless)], [400, "invalid_request"]);
      const wrong = await send(
        server,
        "GET",
        "/mybucket/secret",
        sseC(undefined, OTHER_KEY, OTHER_KEY_MD5),
      );
      assert.deepEqual([wrong.status, code(wrong)], [400, "invalid_argument"]);
      const malformed = await send(server, "GET", "/mybucket/secret", sseC(undefined, KEY, "AA=="));
      assert.deepEqual([malformed.status, code(malformed)], [400, "invalid_argument"]);

      await send(server, "PUT", "/mybucket/plain", {}, data);
      const needless = await send(server, "GET", "/mybucket/plain", sseC());
      assert.deepEqual([needless.status, code(needless)], [400, "invalid_request"]);
    }));
});

describe("objects in digest storage", () => {
  it("keeps a PUT object's size and MD5, answers HEAD, and refuses to GET bytes it never kept", () =>
    withEmulator({ storage: "digest" }, async ({ server, emulator }) => {
      assert.equal((await send(server, "PUT", "/mybucket/obj", {}, data)).status, 201);
      const object = emulator.state.objects.get("mybucket/obj")!;
      assert.deepEqual([object.size, object.md5, object.data], [100, nativeMd5(data), undefined]);
      assert.equal((await send(server, "HEAD", "/mybucket/obj")).status, 200);
      const get = await send(server, "GET", "/mybucket/obj");
      assert.deepEqual([get.status, code(get)], [400, "invalid_request"]);
    }));
});
