/**
 * Cloudflare Workers: the README's Worker runs in workerd (Miniflare), built
 * from the npm package, against the emulator over loopback. Its `/sign`
 * runs handleSignRequest: a client with a remote signer uploads through it,
 * only under the signed-in user's prefix; it mints presigned download links
 * for the user's own files; and it streams a request body to storage with
 * `upload()`.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { BUCKET, CREDENTIALS, md5Hex, NPM_DIR, SESSION, startWorker } from "../support/servers.mjs";

const { createEmulator, serveEmulator } = await import(NPM_DIR + "esm/src/testing/mod.js");
const { createClient, initiateMultipartUpload, remoteSigner, upload } = await import(
  NPM_DIR + "esm/mod.js"
);
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

  /** A client that signs through the Worker's /sign, as alice (or as nobody); no secret. */
  const signedClient = (cookie = SESSION) => {
    const answers = [];
    const signer = remoteSigner("http://worker.test/sign", {
      headers: cookie ? { cookie } : {},
      fetch: async (request) => {
        const response = await worker.dispatchFetch(request.url, {
          method: request.method,
          headers: request.headers,
          body: await request.text(),
        });
        answers.push(await response.clone().text());
        // workerd's Response, handed on as the runtime's own.
        return new Response(await response.arrayBuffer(), response);
      },
    });
    const client = createClient({
      endpoint: server.url,
      signer,
      retry: { baseDelay: 1, maxDelay: 5 },
    });
    return { client, answers };
  };

  it("signs alice's upload() under her prefix: byte-exact, no secret in any answer", async () => {
    const { client, answers } = signedClient();
    const key = "alice/from a worker ✓.bin";
    const data = new Uint8Array(5 * PART_SIZE + 1234).map((_, i) => (i * 7919) % 251);
    const result = await upload(client, {
      bucket: BUCKET,
      key,
      body: new Blob([data]),
      partSize: PART_SIZE,
      minPartSize: PART_SIZE,
      concurrency: 3,
    });
    assert.equal(result.parts.length, 6);
    const object = emulator.state.objects.get(`${BUCKET}/${key}`);
    assert.equal(object.md5, await md5Hex(data));
    assert.ok(answers.length >= 1 && answers.length < 8, `${answers.length} round trips`);
    assert.ok(!answers.join("").includes(CREDENTIALS.secretAccessKey));
  });

  it("refuses a key outside the user's prefix, and a request without a session", async () => {
    const before = emulator.state.requests.length;
    const { client } = signedClient();
    const refused = await initiateMultipartUpload(client, { bucket: BUCKET, key: "bob/x.bin" })
      .catch((error) => error);
    assert.equal(refused.name, "QingStorError");
    assert.equal(refused.status, 403);
    assert.equal(refused.code, "sign_request_refused");
    const { client: anonymous } = signedClient(null);
    const unknown = await initiateMultipartUpload(anonymous, { bucket: BUCKET, key: "alice/x" })
      .catch((error) => error);
    assert.equal(unknown.status, 401);
    assert.equal(emulator.state.requests.length, before, "nothing reached storage");
  });

  it("mints presigned download links for the user's own files only", async () => {
    const key = "alice/download.bin";
    const data = new Uint8Array(1000).map((_, i) => i % 7);
    await upload(signedClient().client, { bucket: BUCKET, key, body: data });
    const get = (path) =>
      worker.dispatchFetch(`http://worker.test${path}`, { headers: { cookie: SESSION } });
    const minted = await get(`/download?key=${encodeURIComponent(key)}`);
    const { url } = await minted.json();
    assert.ok(!url.includes(CREDENTIALS.secretAccessKey));
    const download = await fetch(url);
    assert.equal(download.status, 200);
    assert.deepEqual(new Uint8Array(await download.arrayBuffer()), data);
    // A link moved to another key is refused by the service.
    const moved = await fetch(url.replace("download.bin", "other.bin"));
    assert.equal(moved.status, 401);
    await moved.arrayBuffer();
    const theirs = await get("/download?key=bob%2Fdownload.bin");
    assert.equal(theirs.status, 403);
    await theirs.arrayBuffer();
  });

  it("streams a request body to storage with upload()", async () => {
    const name = "streamed/through a worker.bin";
    const data = new Uint8Array(3 * PART_SIZE + 5).map((_, i) => (i * 104729) % 253);
    // A stream, so workerd hands the Worker a body it has not buffered.
    const body = new Blob([data]).stream();
    const response = await worker.dispatchFetch(
      `http://worker.test/objects/${encodeURIComponent(name)}`,
      { method: "PUT", body, duplex: "half", headers: { cookie: SESSION } },
    );
    assert.equal(response.status, 201, await response.clone().text());
    assert.deepEqual(await response.json(), { size: data.length, parts: 4 });
    const object = emulator.state.objects.get(`${BUCKET}/alice/${name}`);
    assert.equal(object.md5, await md5Hex(data));
    assert.ok(![...emulator.state.uploads.values()].some((upload) => upload.key == name));
  });

  it("answers other paths with 404", async () => {
    const response = await worker.dispatchFetch("http://worker.test/elsewhere", {
      headers: { cookie: SESSION },
    });
    assert.equal(response.status, 404);
    await response.arrayBuffer();
  });
});
