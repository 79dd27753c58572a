/**
 * Cloudflare Workers: the README's Worker runs in workerd (Miniflare), built
 * from the npm package. It starts an upload against the emulator over
 * loopback, mints presigned part URLs, and completes the upload after the
 * parts arrive through those URLs; it also streams a request body to
 * storage with `upload()`.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { BUCKET, CREDENTIALS, md5Hex, NPM_DIR, startWorker } from "../support/servers.mjs";

const { createEmulator, serveEmulator } = await import(NPM_DIR + "esm/src/testing/mod.js");
const PART_SIZE = 64 * 1024;

describe("the README Worker in workerd", () => {
  let emulator, server, worker;
  before(async () => {
    emulator = createEmulator({ credentials: [CREDENTIALS], minPartSize: PART_SIZE });
    server = await serveEmulator(emulator);
    worker = await startWorker({ endpoint: server.url, partSize: PART_SIZE });
  });
  after(async () => {
    await worker?.dispose();
    await server?.close();
  });

  const post = async (path, body) => {
    const response = await worker.dispatchFetch(`http://worker.test${path}`, {
      method: "POST",
      body: JSON.stringify(body),
    });
    return response;
  };

  it("hands out presigned part URLs, then completes the upload", async () => {
    const key = "uploads/from a worker ✓.bin";
    const data = new Uint8Array(2 * PART_SIZE + 1234).map((_, i) => (i * 7919) % 251);
    const started = await post("/uploads", { key, size: data.length });
    assert.equal(started.status, 200);
    const { uploadId, partSize, urls } = await started.json();
    assert.equal(partSize, PART_SIZE);
    assert.equal(urls.length, 3);
    for (const [partNumber, url] of urls.entries()) {
      const { searchParams, origin } = new URL(url);
      assert.equal(origin, server.url);
      assert.equal(searchParams.get("part_number"), String(partNumber));
      assert.equal(searchParams.get("upload_id"), uploadId);
      assert.equal(searchParams.get("access_key_id"), CREDENTIALS.accessKeyId);
      assert.ok(searchParams.get("signature"));
      assert.ok(!url.includes(CREDENTIALS.secretAccessKey));
    }
    // The parts go straight to storage, as a browser would send them: no credentials, no headers.
    const parts = await Promise.all(urls.map(async (url, partNumber) => {
      const body = data.subarray(partNumber * partSize, (partNumber + 1) * partSize);
      const response = await fetch(url, { method: "PUT", body });
      assert.equal(response.status, 201, await response.clone().text());
      await response.arrayBuffer();
      return { partNumber, etag: response.headers.get("etag") };
    }));
    const completed = await post("/uploads/complete", { key, uploadId, parts });
    assert.equal(completed.status, 204, await completed.clone().text());
    const object = emulator.state.objects.get(`${BUCKET}/${key}`);
    assert.equal(object.size, data.length);
    assert.equal(object.md5, await md5Hex(data));
  });

  it("mints URLs that the service refuses once tampered with", async () => {
    const started = await post("/uploads", { key: "tampered.bin", size: 10 });
    const { urls: [url] } = await started.json();
    const moved = url.replace("part_number=0", "part_number=1");
    const response = await fetch(moved, { method: "PUT", body: new Uint8Array(10) });
    assert.equal(response.status, 401);
    assert.equal((await response.json()).code, "signature_not_matched");
  });

  it("streams a request body to storage with upload()", async () => {
    const key = "streamed/through a worker.bin";
    const data = new Uint8Array(3 * PART_SIZE + 5).map((_, i) => (i * 104729) % 253);
    // A stream, so workerd hands the Worker a body it has not buffered.
    const body = new Blob([data]).stream();
    const response = await worker.dispatchFetch(
      `http://worker.test/objects/${encodeURIComponent(key)}`,
      { method: "PUT", body, duplex: "half" },
    );
    assert.equal(response.status, 201, await response.clone().text());
    assert.deepEqual(await response.json(), { size: data.length, parts: 4 });
    const object = emulator.state.objects.get(`${BUCKET}/${key}`);
    assert.equal(object.md5, await md5Hex(data));
    assert.ok(![...emulator.state.uploads.values()].some((upload) => upload.key == key));
  });

  it("answers other paths with 404", async () => {
    const response = await worker.dispatchFetch("http://worker.test/elsewhere");
    assert.equal(response.status, 404);
    await response.arrayBuffer();
  });
});
