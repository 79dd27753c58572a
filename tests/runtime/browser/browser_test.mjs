/**
 * Browsers: headless Chromium (the system's, driven by playwright-core; no
 * browser is ever downloaded) loads pages served from loopback.
 *
 * - The README's page takes a File of several parts and sends them with
 *   plain `fetch` to presigned URLs from the README's Worker (in workerd,
 *   reached on the page's own origin), which then completes the upload.
 * - A page imports the ESM build itself and runs a signed multipart upload
 *   of `Blob` parts straight against the emulator, across origins (CORS).
 *
 * Each checks the object's bytes by MD5 in the emulator.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";
import { readmeExample } from "../support/readme.mjs";
import {
  BUCKET,
  CREDENTIALS,
  filesUnder,
  listen,
  md5Hex,
  NPM_DIR,
  startWorker,
} from "../support/servers.mjs";

const { createEmulator, serveEmulator } = await import(NPM_DIR + "esm/src/testing/mod.js");
const PART_SIZE = 64 * 1024;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const LAUNCH_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** Bytes that differ from part to part, so a part out of place changes the MD5. */
const pattern = (size, seed) =>
  new Uint8Array(size).map((_, i) => (i * 2654435761 + seed * 40503) >>> 24);

describe("Chromium", () => {
  let emulator, server, worker, site, browser;
  before(async () => {
    emulator = createEmulator({ credentials: [CREDENTIALS], minPartSize: PART_SIZE });
    server = await serveEmulator(emulator);
    worker = await startWorker({ endpoint: server.url, partSize: PART_SIZE });
    const files = new Map([
      ["/", { type: "text/html", body: readmeExample("index.html") }],
      ["/upload.js", { type: "text/javascript", body: readmeExample("upload.js") }],
      ...filesUnder(NPM_DIR + "esm/").filter((file) => file.endsWith(".js")).map((file) => [
        `/esm/${file}`,
        { type: "text/javascript", body: readFileSync(NPM_DIR + "esm/" + file) },
      ]),
    ]);
    // The site: static files, and the Worker's routes on the same origin, as a Worker with assets has them.
    site = await listen(async (request, response) => {
      if (request.url.startsWith("/uploads")) {
        const chunks = [];
        for await (const chunk of request) chunks.push(chunk);
        const answer = await worker.dispatchFetch(new URL(request.url, "http://site.test"), {
          method: request.method,
          headers: { "content-type": request.headers["content-type"] ?? "" },
          body: request.method == "GET" ? undefined : Buffer.concat(chunks),
        });
        response.writeHead(answer.status, Object.fromEntries(answer.headers));
        return response.end(Buffer.from(await answer.arrayBuffer()));
      }
      const file = files.get(request.url);
      response.writeHead(file ? 200 : 404, { "content-type": file?.type ?? "text/plain" });
      response.end(file?.body ?? "Not found");
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: LAUNCH_ARGS,
    });
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await worker?.dispose();
    await server?.close();
  });

  /** A fresh page; its errors and console fail the test with context. */
  const open = async (path) => {
    const page = await browser.newPage();
    const problems = [];
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("console", (message) => {
      if (message.type() == "error") problems.push(message.text());
    });
    await page.goto(site.url + path);
    return { page, problems };
  };

  it("uploads a File in parts through the Worker's presigned URLs (README page)", async () => {
    const { page, problems } = await open("/");
    const name = "holiday photo (1) ✓.jpg";
    // Three full parts and a short last one; the File's type must not reach the signed PUTs.
    const data = pattern(3 * PART_SIZE + 4321, 1);
    await page.setInputFiles("#file", {
      name,
      mimeType: "image/jpeg",
      buffer: Buffer.from(data),
    });
    const status = await page.waitForFunction(() => {
      const text = document.querySelector("#status").textContent;
      return text != "uploading" && text != "" && text;
    });
    assert.equal(await status.jsonValue(), "done", problems.join("\n"));
    const object = emulator.state.objects.get(`${BUCKET}/${name}`);
    assert.equal(object.size, data.length);
    assert.equal(object.md5, await md5Hex(data));
    // The parts came from the browser, presigned; the browser never held the secret.
    const puts = emulator.state.requests.filter((record) =>
      record.operation == "uploadPart" && record.target.includes("access_key_id=")
    );
    assert.equal(puts.length, 4);
    await page.close();
  });

  it("runs the ESM build in the page: a signed upload of Blob parts", async () => {
    const { page, problems } = await open("/upload.js");
    const key = "from the browser/signed.bin";
    const size = 2 * PART_SIZE + 99;
    const result = await page.evaluate(
      async ({ endpoint, credentials, bucket, key, partSize, size, seed }) => {
        const library = await import("/esm/mod.js");
        const client = library.createClient({ endpoint, credentials });
        const bytes = new Uint8Array(size).map((_, i) => (i * 2654435761 + seed * 40503) >>> 24);
        const blob = new Blob([bytes], { type: "application/octet-stream" });
        const { uploadId } = await library.initiateMultipartUpload(client, { bucket, key });
        const parts = [];
        for (let offset = 0; offset < size; offset += partSize) {
          const partNumber = parts.length;
          const body = blob.slice(offset, offset + partSize);
          const { etag } = await library.uploadPart(client, {
            bucket,
            key,
            uploadId,
            partNumber,
            body,
          });
          parts.push({ partNumber, etag });
        }
        await library.completeMultipartUpload(client, { bucket, key, uploadId, parts });
        return { parts };
      },
      {
        endpoint: server.url,
        credentials: CREDENTIALS,
        bucket: BUCKET,
        key,
        partSize: PART_SIZE,
        size,
        seed: 2,
      },
    );
    assert.deepEqual(problems, []);
    // The ETags were readable across origins, because the emulator exposes them as the bucket's CORS should.
    assert.ok(
      result.parts.every(({ etag }) => /^[0-9a-f]{32}$/.test(etag)),
      JSON.stringify(result),
    );
    const data = pattern(size, 2);
    const object = emulator.state.objects.get(`${BUCKET}/${key}`);
    assert.equal(object.size, size);
    assert.equal(object.md5, await md5Hex(data));
    await page.close();
  });

  it("loads the SSE-C code, and its MD5, in the page when a key is given", async () => {
    const { page, problems } = await open("/upload.js");
    const uploadId = await page.evaluate(async ({ endpoint, credentials, bucket }) => {
      const library = await import("/esm/mod.js");
      const client = library.createClient({ endpoint, credentials });
      const encryption = { customerKey: new Uint8Array(32).fill(9) };
      const started = await library.initiateMultipartUpload(client, {
        bucket,
        key: "from the browser/encrypted.bin",
        encryption,
      });
      return started.uploadId;
    }, { endpoint: server.url, credentials: CREDENTIALS, bucket: BUCKET });
    assert.deepEqual(problems, []);
    const expected = createHash("md5").update(new Uint8Array(32).fill(9)).digest("base64");
    assert.equal(emulator.state.uploads.get(uploadId).encryptionKeyMd5, expected);
    await page.evaluate(async ({ endpoint, credentials, bucket, uploadId }) => {
      const library = await import("/esm/mod.js");
      const client = library.createClient({ endpoint, credentials });
      const key = "from the browser/encrypted.bin";
      await library.abortMultipartUpload(client, { bucket, key, uploadId });
    }, { endpoint: server.url, credentials: CREDENTIALS, bucket: BUCKET, uploadId });
    await page.close();
  });

  it("runs upload() in the page on a File and on a stream, with progress", async () => {
    const { page, problems } = await open("/upload.js");
    const size = 3 * PART_SIZE + 7;
    const result = await page.evaluate(
      async ({ endpoint, credentials, bucket, partSize, size, seed }) => {
        const library = await import("/esm/mod.js");
        const client = library.createClient({ endpoint, credentials });
        const bytes = new Uint8Array(size).map((_, i) => (i * 2654435761 + seed * 40503) >>> 24);
        const file = new File([bytes], "photo.jpg", { type: "image/jpeg" });
        const events = [];
        const options = { bucket, partSize, minPartSize: partSize, concurrency: 2 };
        const fromFile = await library.upload(client, {
          ...options,
          key: "from the browser/upload-file.bin",
          body: file,
          contentType: file.type,
          onProgress: ({ loaded }) => events.push(loaded),
        });
        const fromStream = await library.upload(client, {
          ...options,
          key: "from the browser/upload-stream.bin",
          body: file.stream(),
        });
        return { sizes: [fromFile.size, fromStream.size], parts: fromFile.parts.length, events };
      },
      {
        endpoint: server.url,
        credentials: CREDENTIALS,
        bucket: BUCKET,
        partSize: PART_SIZE,
        size,
        seed: 3,
      },
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(result.sizes, [size, size]);
    assert.equal(result.parts, 4);
    assert.equal(result.events.at(-1), size);
    const md5 = await md5Hex(pattern(size, 3));
    for (const name of ["upload-file", "upload-stream"]) {
      const object = emulator.state.objects.get(`${BUCKET}/from the browser/${name}.bin`);
      assert.equal(object.md5, md5, name);
    }
    assert.equal(
      emulator.state.objects.get(`${BUCKET}/from the browser/upload-file.bin`).contentType,
      "image/jpeg",
    );
    assert.equal(emulator.state.uploads.size, 0);
    await page.close();
  });

  it("remembers an upload in localStorage across a reload and resumes it; a small File is one PUT", async () => {
    const { page, problems } = await open("/upload.js");
    const size = 5 * PART_SIZE;
    const key = "from the browser/remembered.bin";
    // Stops after `stopAfter` parts, keeping them; or runs to the end. Either way tells what
    // localStorage holds afterwards.
    const run = (stopAfter) =>
      page.evaluate(
        async ({ endpoint, credentials, bucket, key, partSize, size, seed, stopAfter }) => {
          const library = await import("/esm/mod.js");
          const client = library.createClient({ endpoint, credentials });
          const bytes = new Uint8Array(size).map((_, i) => (i * 2654435761 + seed * 40503) >>> 24);
          const file = new File([bytes], "film.mp4", { lastModified: 1 });
          const controller = new AbortController();
          const outcome = await library.upload(client, {
            bucket,
            key,
            body: file,
            partSize,
            minPartSize: partSize,
            concurrency: 1,
            leavePartsOnError: true,
            resumeStore: library.localStorageResumeStore(),
            signal: controller.signal,
            onProgress: ({ partsDone }) =>
              partsDone == stopAfter && controller.abort(new Error("tab closed")),
          }).catch((error) => ({ error: error.message }));
          const small = await library.upload(client, {
            bucket,
            key: key + ".small",
            body: new File([bytes.subarray(0, 10)], "small.txt"),
            resumeStore: library.localStorageResumeStore(),
          });
          return { ...outcome, stored: Object.values(localStorage), small: small.uploadId ?? null };
        },
        {
          endpoint: server.url,
          credentials: CREDENTIALS,
          bucket: BUCKET,
          key,
          partSize: PART_SIZE,
          size,
          seed: 5,
          stopAfter,
        },
      );
    const first = await run(2);
    assert.equal(first.error, "tab closed");
    assert.equal(first.stored.length, 1, JSON.stringify(first));
    assert.equal(first.small, null, "a small File goes in one PUT, not remembered");
    const [uploadId] = first.stored;
    const kept = emulator.state.uploads.get(uploadId).parts.size;
    await page.reload();
    const before = emulator.state.requests.length;
    const second = await run(-1);
    assert.deepEqual(problems, []);
    assert.equal(second.uploadId, uploadId, JSON.stringify(second));
    assert.deepEqual(second.stored, []);
    const sent = emulator.state.requests.slice(before)
      .filter((record) => record.operation == "uploadPart" && record.target.includes("remembered"));
    assert.equal(sent.length, 5 - kept);
    assert.equal(
      emulator.state.objects.get(`${BUCKET}/${key}`).md5,
      await md5Hex(pattern(size, 5)),
    );
    await page.close();
  });
});
