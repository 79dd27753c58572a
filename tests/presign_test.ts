/**
 * presign(): the derived vector reproduced; URLs a plain fetch can use for every multipart
 * operation, in both styles; tampering, expiry and unsigned headers refused.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createClient, initiateMultipartUpload, presign } from "../mod.ts";
import { createEmulator } from "../src/testing/mod.ts";
import { CREDENTIALS, inProcess } from "./support/harness.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";
import { vectors } from "./support/vectors.ts";
import { bucket } from "./support/one_part.ts";

describe("presign", () => {
  const vector = vectors.derived_examples.find((v) => v.name == "presigned_upload_part")!;

  it("reproduces the derived presigned Upload Part URL exactly", async () => {
    const client = createClient({
      endpoint: "https://pek3a.qingstor.com",
      style: "virtual-host",
      credentials: { accessKeyId: vector.access_key_id, secretAccessKey: vector.secret_access_key },
    });
    // Land mid-second on expires − 3600, so flooring to seconds is stable.
    client.clockOffset = (vector.expires! - 3600) * 1000 + 500 - Date.now();
    const url = await presign(client, {
      method: "PUT",
      bucket: "mybucket",
      key: "large-object",
      query: { part_number: 1, upload_id: "4d26b37a469230619604ecdc0e314782" },
      expiresIn: 3600,
    });
    assert.equal(url, vector.expected.signed_url);
  });

  for (const style of ["path", "virtual-host"] as const) {
    it(`lets a plain fetch upload a part, in ${style} style, and refuses tampering and expiry`, async () => {
      const { emulator, client } = inProcess({ minPartSize: 1 }, {
        endpoint: "https://pek3a.qingstor.com",
        style,
      });
      const { uploadId } = await initiateMultipartUpload(client, { bucket, key: "p q" });
      const url = await presign(client, {
        method: "PUT",
        bucket,
        key: "p q",
        query: { part_number: 0, upload_id: uploadId },
        expiresIn: 60,
      });
      const body = testBytes(300);
      const put = await emulator.fetch(new Request(url, { method: "PUT", body }));
      assert.equal(put.status, 201);
      assert.equal(emulator.state.requests.at(-1)!.auth, "query");
      assert.equal(emulator.state.uploads.get(uploadId)!.parts.get(0)!.etag, nativeMd5(body));

      const tampered = await emulator.fetch(
        new Request(url.replace("part_number=0", "part_number=1"), { method: "PUT", body }),
      );
      assert.equal(tampered.status, 401);
      assert.equal((await tampered.json()).code, "signature_not_matched");

      const typed = await emulator.fetch(
        new Request(url, { method: "PUT", body, headers: { "content-type": "text/plain" } }),
      );
      assert.equal(typed.status, 401, "an unsigned Content-Type breaks the signature");

      const later = createEmulator({ credentials: [CREDENTIALS], clockOffset: 120_000 });
      const expired = await later.fetch(new Request(url, { method: "PUT", body }));
      assert.equal(expired.status, 403);
      assert.equal((await expired.json()).code, "request_expired");
    });
  }

  for (const style of ["path", "virtual-host"] as const) {
    it(`mints URLs for every multipart operation, in ${style} style`, async () => {
      const { emulator, client } = inProcess({ minPartSize: 1 }, {
        endpoint: "https://pek3a.qingstor.com",
        style,
      });
      const key = "every op/ключ.bin";
      // Whoever holds a URL sends a plain request: no credentials, no signing. (A string body
      // would add a Content-Type nobody signed, so bytes are sent.)
      const send = async (
        method: "GET" | "PUT" | "POST" | "DELETE",
        query: Record<string, string | number>,
        init: { key?: string; body?: Uint8Array<ArrayBuffer>; headers?: Record<string, string> } = {
          key,
        },
      ) => {
        const url = await presign(client, {
          method,
          bucket,
          key: init.key,
          query,
          headers: init.headers,
          expiresIn: 60,
        });
        return emulator.fetch(new Request(url, { method, body: init.body, headers: init.headers }));
      };
      const started = await send("POST", { uploads: "" });
      assert.equal(started.status, 200);
      const { upload_id } = await started.json();
      assert.equal(
        (await send("PUT", { part_number: 0, upload_id }, { key, body: testBytes(4) })).status,
        201,
      );
      const listed = await send("GET", { upload_id });
      assert.equal((await listed.json()).object_parts.length, 1);
      const uploads = await send("GET", { uploads: "" }, {});
      assert.equal((await uploads.json()).uploads[0].upload_id, upload_id);
      const completed = await send("POST", { upload_id }, {
        key,
        // A string body would go out as text/plain; this Content-Type is signed instead.
        body: new TextEncoder().encode(JSON.stringify({ object_parts: [{ part_number: 0 }] })),
        headers: { "content-type": "application/json" },
      });
      assert.equal(completed.status, 201);
      assert.equal(emulator.state.objects.get(`${bucket}/${key}`)!.size, 4);
      assert.equal((await send("DELETE", { upload_id })).status, 204);
      assert.ok(emulator.state.requests.every((r) => r.auth == "query"));
    });
  }

  it("signs the headers the URL's user promises to send", async () => {
    const { emulator, client } = inProcess();
    const url = await presign(client, {
      method: "POST",
      bucket,
      key: "typed",
      query: { uploads: "" },
      headers: { "content-type": "video/mp4", "x-qs-meta-owner": "alice" },
      expiresIn: 60,
    });
    assert.match(url, /\/mybucket\/typed\?uploads&access_key_id=/);
    const ok = await emulator.fetch(
      new Request(url, {
        method: "POST",
        headers: { "content-type": "video/mp4", "x-qs-meta-owner": "alice" },
      }),
    );
    assert.equal(ok.status, 200);
    const missing = await emulator.fetch(
      new Request(url, { method: "POST", headers: { "content-type": "video/mp4" } }),
    );
    assert.equal(missing.status, 401);
  });
});
