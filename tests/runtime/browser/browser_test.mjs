/**
 * Browsers: headless Chromium (the system's, driven by playwright-core; no
 * browser is ever downloaded) loads pages served from loopback.
 *
 * - The README's page runs `upload()` on a File, its client holding no
 *   secret: every request is signed by the README's Worker (in workerd,
 *   reached on the page's own origin) running handleSignRequest, and goes
 *   straight to the emulator across origins (CORS). Faults on parts are
 *   retried; the page's Cancel aborts and cleans up; a key outside the
 *   user's prefix is refused with a clear error; and nothing the page
 *   receives holds the secret.
 * - A page imports the ESM build itself and runs a signed multipart upload
 *   of `Blob` parts straight against the emulator, across origins (CORS).
 * - A page uploads 32 MiB with MD5 while the browser's long-task observer
 *   and a gap monitor watch its main thread: hashing must not freeze it.
 *
 * - upload() in the page tells its progress as XMLHttpRequest sends a
 *   32 MiB part over a link of 8 MiB/s (the emulator reads that slowly).
 *
 * Each checks the object's bytes by MD5 in the emulator.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { readmeExample } from "../support/readme.mjs";
import { pattern, tiled } from "./test_bytes.mjs";
import {
  BUCKET,
  CREDENTIALS,
  filesUnder,
  listen,
  md5Hex,
  NPM_DIR,
  SESSION,
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

describe("Chromium", () => {
  let emulator, server, worker, site, browser;
  /** The package's files the pages asked for, in order. */
  const served = [];
  /** While set, signing requests for parts are held here until released. */
  let holdPartSigning;
  /** Called with what the responsiveness page posts. */
  let onResponsiveResult;
  before(async () => {
    emulator = createEmulator({ credentials: [CREDENTIALS], minPartSize: PART_SIZE });
    server = await serveEmulator(emulator);
    worker = await startWorker({ endpoint: server.url, partSize: PART_SIZE });
    const files = new Map([
      ["/", { type: "text/html", body: readmeExample("index.html") }],
      ["/upload.js", { type: "text/javascript", body: readmeExample("upload.js") }],
      ["/responsive.html", {
        type: "text/html",
        body: '<!doctype html><script type="module" src="/responsive.js"></script>',
      }],
      ...["responsive.js", "test_bytes.mjs"].map((file) => [`/${file}`, {
        type: "text/javascript",
        body: readFileSync(new URL(file, import.meta.url)),
      }]),
      ...filesUnder(NPM_DIR + "esm/").filter((file) => file.endsWith(".js")).map((file) => [
        `/esm/${file}`,
        { type: "text/javascript", body: readFileSync(NPM_DIR + "esm/" + file) },
      ]),
    ]);
    // The site: static files, and the Worker's routes on the same origin, as a Worker with assets has them.
    site = await listen(async (request, response) => {
      if (request.url == "/responsive-result") {
        const chunks = [];
        for await (const chunk of request) chunks.push(chunk);
        response.end();
        return onResponsiveResult?.(JSON.parse(Buffer.concat(chunks).toString()));
      }
      const file = files.get(request.url);
      if (!file) {
        const chunks = [];
        for await (const chunk of request) chunks.push(chunk);
        if (holdPartSigning && Buffer.concat(chunks).includes('"operation":"uploadPart"')) {
          holdPartSigning.arrived();
          await new Promise((release) => holdPartSigning.held.push(release));
        }
        const answer = await worker.dispatchFetch(new URL(request.url, "http://site.test"), {
          method: request.method,
          headers: {
            "content-type": request.headers["content-type"] ?? "",
            cookie: request.headers.cookie ?? "",
          },
          body: request.method == "GET" ? undefined : Buffer.concat(chunks),
        });
        response.writeHead(answer.status, Object.fromEntries(answer.headers));
        return response.end(Buffer.from(await answer.arrayBuffer()));
      }
      if (request.url.startsWith("/esm/")) served.push(request.url);
      response.writeHead(200, { "content-type": file.type });
      response.end(file.body);
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

  /**
   * A fresh page, signed in as alice; its errors and console fail the test with context, and
   * everything it receives (status, headers, body of every response) is kept.
   */
  const open = async (path) => {
    const context = await browser.newContext();
    await context.addCookies([{
      name: SESSION.split("=")[0],
      value: SESSION.split("=")[1],
      url: site.url,
    }]);
    const page = await context.newPage();
    const problems = [];
    const responses = [];
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("console", (message) => {
      if (message.type() == "error") problems.push(message.text());
    });
    page.on("response", (response) => {
      responses.push(
        response.body().catch((error) => `unreadable: ${error.message}`).then((body) =>
          `${response.status()} ${response.url()} ${JSON.stringify(response.headers())} ${body}`
        ),
      );
    });
    await page.goto(site.url + path);
    const received = async () => (await Promise.all(responses)).join("\n");
    return { page, problems, received, close: () => context.close() };
  };

  /** Picks a file in the README page and waits until the status leaves "uploading". */
  const uploadInPage = async (page, file) => {
    await page.setInputFiles("#file", file);
    const status = await page.waitForFunction(() => {
      const text = document.querySelector("#status").textContent;
      return !text.startsWith("uploading") && text != "" && text;
    });
    return status.jsonValue();
  };

  it("uploads a File with upload() in the page, signed by the Worker, faults retried", async () => {
    const { page, problems, received, close } = await open("/");
    const name = "holiday photo (1) ✓.jpg";
    // Four full parts and a short last one, each of the first three attempts at a part failing.
    const data = pattern(4 * PART_SIZE + 4321, 1);
    emulator.faults.push(
      { operations: ["uploadPart"], times: 2, status: 503 },
      { operations: ["uploadPart"], times: 1, drop: "mid-body" },
    );
    const first = emulator.state.requests.length;
    try {
      const status = await uploadInPage(page, {
        name,
        mimeType: "image/jpeg",
        buffer: Buffer.from(data),
      });
      assert.equal(status, "done", problems.join("\n"));
    } finally {
      emulator.faults.length = 0;
    }
    const object = emulator.state.objects.get(`${BUCKET}/alice/${name}`);
    assert.equal(object.size, data.length);
    assert.equal(object.md5, await md5Hex(data));
    assert.equal(object.contentType, "image/jpeg");
    const requests = emulator.state.requests.slice(first);
    const parts = requests.filter((record) => record.operation == "uploadPart");
    assert.ok(parts.filter((record) => record.status != 201).length >= 2, "faults were hit");
    // Every request (CORS preflights aside) came from the page, signed by the Worker's signatures.
    const sent = requests.filter((record) => record.method != "OPTIONS");
    assert.ok(sent.length >= 5 + 3 + 2);
    for (const record of sent) assert.match(record.headers.authorization, /^QS /, record.target);
    assert.equal(emulator.state.uploads.size, 0);
    const everything = await received();
    assert.match(everything, /"signatures":\[/);
    assert.ok(!everything.includes(CREDENTIALS.secretAccessKey), "the secret reached the page");
    assert.deepEqual(problems.filter((text) => !/Failed to load resource/.test(text)), []);
    await close();
  });

  it("cancels from the page while parts wait for signatures: aborted, none left", async () => {
    const { page, received, close } = await open("/");
    // The parts' signatures are held: Cancel comes while the page waits for the signer.
    let arrived;
    const partSigning = new Promise((resolve) => arrived = resolve);
    holdPartSigning = { arrived, held: [] };
    try {
      await page.setInputFiles("#file", {
        name: "cancelled.bin",
        mimeType: "application/octet-stream",
        buffer: Buffer.from(pattern(3 * PART_SIZE, 4)),
      });
      await partSigning;
      await page.click("#cancel");
      const status = await page.waitForFunction(() => {
        const text = document.querySelector("#status").textContent;
        return !text.startsWith("uploading") && text;
      });
      assert.match(await status.jsonValue(), /AbortError/);
    } finally {
      const { held } = holdPartSigning;
      holdPartSigning = undefined;
      for (const release of held) release();
    }
    // The upload was made, then aborted by the clean-up, signed while the part's POST was held.
    const operations = emulator.state.requests.map((record) => record.operation);
    assert.ok(operations.includes("initiateMultipartUpload"));
    assert.ok(operations.includes("abortMultipartUpload"));
    assert.equal(emulator.state.uploads.size, 0, "the upload was aborted");
    assert.ok(!emulator.state.objects.has(`${BUCKET}/alice/cancelled.bin`));
    assert.ok(!(await received()).includes(CREDENTIALS.secretAccessKey));
    await close();
  });

  it("shows the Worker's refusal of a key outside the user's prefix; nothing stored", async () => {
    const { page, received, close } = await open("/");
    const first = emulator.state.requests.length;
    const message = await page.evaluate(async () => {
      const { uploadFile } = await import("/upload.js");
      const me = await (await fetch("/me")).json();
      const file = new File(["not hers"], "x.txt", { type: "text/plain" });
      // The page claims another user's prefix; the Worker's authorize says no.
      return uploadFile(file, { ...me, user: "bob" }).then(() => "uploaded", String);
    });
    // A file this small goes in one PUT Object, the first request to be signed.
    assert.match(message, /QingStorError: putObject failed with 403/);
    assert.match(message, /sign_request_refused: The request was not signed: Not allowed/);
    assert.equal(emulator.state.requests.length, first, "nothing reached storage");
    assert.ok(!emulator.state.objects.has(`${BUCKET}/bob/x.txt`));
    assert.ok(!(await received()).includes(CREDENTIALS.secretAccessKey));
    await close();
  });

  it("runs the ESM build in the page: a signed upload of Blob parts", async () => {
    const { page, problems, close } = await open("/upload.js");
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
    await close();
  });

  it("loads the SSE-C code (and its MD5) and the metadata checks in the page when given", async () => {
    const { page, problems, close } = await open("/upload.js");
    served.length = 0;
    const uploadId = await page.evaluate(async ({ endpoint, credentials, bucket }) => {
      const library = await import("/esm/mod.js");
      const client = library.createClient({ endpoint, credentials });
      const encryption = { customerKey: new Uint8Array(32).fill(9) };
      const started = await library.initiateMultipartUpload(client, {
        bucket,
        key: "from the browser/encrypted.bin",
        encryption,
        metadata: { owner: "alice" },
      });
      return started.uploadId;
    }, { endpoint: server.url, credentials: CREDENTIALS, bucket: BUCKET });
    assert.deepEqual(problems, []);
    const expected = createHash("md5").update(new Uint8Array(32).fill(9)).digest("base64");
    assert.equal(emulator.state.uploads.get(uploadId).encryptionKeyMd5, expected);
    assert.deepEqual(emulator.state.uploads.get(uploadId).metadata, { owner: "alice" });
    // The bundle is one file; the page fetched it (unless cached) and the two files on demand.
    const onDemand = [
      "/esm/src/request/customer_key_headers.js",
      "/esm/src/request/metadata_headers.js",
    ];
    assert.deepEqual(served.filter((path) => path != "/esm/mod.js").sort(), onDemand);
    await page.evaluate(async ({ endpoint, credentials, bucket, uploadId }) => {
      const library = await import("/esm/mod.js");
      const client = library.createClient({ endpoint, credentials });
      const key = "from the browser/encrypted.bin";
      await library.abortMultipartUpload(client, { bucket, key, uploadId });
    }, { endpoint: server.url, credentials: CREDENTIALS, bucket: BUCKET, uploadId });
    await close();
  });

  // Playwright drives the browser through DevTools, whose network agent copies an ArrayBuffer
  // request body on the page's thread: 130-270 ms of long task per 8 MiB part measured, against
  // 20-50 ms without it. That would drown what is measured here, so this page runs in a Chromium
  // started on its own, with no DevTools client, and posts its figures back. And without a JIT:
  // with one, this machine hashes 8 MiB in about 20 ms, under the 50 ms mark even at once;
  // without (a slow device, Safari's Lockdown Mode), at 9 MiB/s, a part hashed at once holds the
  // thread for about a second. That is what must be told apart.
  it("keeps the page responsive while upload() hashes 32 MiB for Content-MD5", async (t) => {
    const key = "from the browser/responsive.bin";
    const size = 32 * 1024 * 1024;
    const parameters = { endpoint: server.url, credentials: CREDENTIALS, bucket: BUCKET, key };
    const url = `${site.url}/responsive.html#${
      encodeURIComponent(JSON.stringify({ ...parameters, size, seed: 4 }))
    }`;
    const profile = mkdtempSync(join(tmpdir(), "chromium-responsive-"));
    const posted = new Promise((resolve) => onResponsiveResult = resolve);
    const chromium = spawn(CHROMIUM, [
      "--headless",
      "--js-flags=--jitless",
      ...LAUNCH_ARGS,
      `--user-data-dir=${profile}`,
      url,
    ], { stdio: "ignore", detached: true }); // A process group of its own, to end all of it.
    const exited = new Promise((resolve) => {
      chromium.once("exit", resolve);
      chromium.once("error", resolve);
    });
    let result;
    try {
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("the page posted no result in 120 s")), 120_000);
      });
      const early = exited.then((code) => {
        throw new Error(`Chromium exited (${code}) before the page posted its result`);
      });
      result = await Promise.race([posted, timeout, early]).finally(() => clearTimeout(timer));
    } finally {
      if (chromium.exitCode === null && chromium.pid) process.kill(-chromium.pid, "SIGKILL");
      await exited;
      // Chromium's helper processes may still be writing as the browser exits.
      rmSync(profile, { recursive: true, force: true, maxRetries: 10 });
    }
    assert.equal(result.error, undefined, result.error);
    t.diagnostic(
      `32 MiB with MD5 in ${result.seconds.toFixed(2)} s; longest task ` +
        `${result.maxGapBesideHandOvers.toFixed(1)} ms beside fetch's hand-overs of the bodies ` +
        `(longest ${result.maxHandOver.toFixed(1)} ms), ${
          result.maxGap.toFixed(1)
        } ms in all, over ${result.turns} turns; long tasks ${JSON.stringify(result.longTasks)}`,
    );
    assert.equal(result.parts, 4);
    const object = emulator.state.objects.get(`${BUCKET}/${key}`);
    assert.equal(object.md5, await md5Hex(tiled(size, 4)));
    // Every part went with its Content-MD5, which the emulator checked.
    const puts = emulator.state.requests.filter((record) =>
      record.operation == "uploadPart" && record.target.includes("responsive.bin")
    );
    assert.equal(puts.length, 4);
    assert.ok(puts.every((record) => record.headers["content-md5"]?.length == 24));
    // Hashed at once, each 8 MiB part held the thread for a second here (1-1.8 s measured); in
    // slices of 8 ms and one 32 KiB step, no task beside the transport's own reaches the browser's
    // 50 ms mark. Measured: 14-38 ms at the most, as much as without MD5 (20-38 ms) on a busy
    // machine; a slice is 8 ms and one step (3.5 ms here) by design. But with the machine's two
    // cores shared by other test runs, a slice descheduled midway showed 68-78 ms: the bound
    // asserted (100 ms) leaves room for that, and still tells hashing in slices from hashing a
    // part at once (about a second here); the 50 ms mark is measured above, not asserted.
    const HELD = 100;
    assert.deepEqual(result.longTasksBesideHandOvers.filter((held) => held >= HELD), []);
    assert.ok(
      result.maxGapBesideHandOvers < HELD,
      `a task held the thread for ${result.maxGapBesideHandOvers} ms`,
    );
  });

  it("runs upload() in the page on a File and on a stream, with progress", async () => {
    const { page, problems, close } = await open("/upload.js");
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
    await close();
  });

  /** The uploads of a key the emulator holds in progress. */
  const inProgress = (key) => [...emulator.state.uploads.values()].filter((u) => u.key == key);

  /**
   * Runs upload() in a fresh page (a failed import may be remembered) while the site fails one
   * file of the package that upload() loads on demand: `"refuse"` resets its request, `"hold"`
   * never answers it, and once it is asked for the upload is aborted (unless an initiate answer
   * is lost: then the clean-up time alone must settle it). Resolves with what upload() did:
   * `{ completed, cleanupError }`, or `{ name, cause, reason }` (whether it rejected with the
   * signal's reason).
   */
  const uploadWithoutChunk = async (how, chunk, key, options = {}) => {
    const { onProgress = false, parts = 3, resume = false, loseInitiateAnswer = false } = options;
    const { runtimeFetch = false, metadata } = options;
    const { page, close } = await open("/upload.js");
    let requested;
    const asked = new Promise((resolve) => requested = resolve);
    await page.route(`**/esm/${chunk}`, (route) => {
      requested();
      if (how == "refuse") route.abort("connectionreset");
    });
    await page.evaluate((input) => {
      const { endpoint, credentials, bucket, partSize, key } = input;
      const controller = globalThis.controller = new AbortController();
      globalThis.outcome = import("/esm/mod.js").then(async (library) => {
        let lose = input.loseInitiateAnswer;
        const client = library.createClient({
          endpoint,
          credentials,
          // Without it, the page's own fetch: replaced by a transport that counts, with progress.
          ...!input.runtimeFetch && {
            // The service makes the upload, and its answer is lost on the way back.
            fetch: async (request) => {
              const initiate = request.method == "POST" &&
                new URL(request.url).search == "?uploads";
              const response = await fetch(request);
              if (initiate && lose) {
                lose = false;
                throw new TypeError("connection reset");
              }
              return response;
            },
          },
        });
        try {
          // An upload made earlier, to resume by its ID.
          const uploadId = input.resume
            ? (await library.initiateMultipartUpload(client, { bucket, key })).uploadId
            : undefined;
          const result = await library.upload(client, {
            bucket,
            key,
            body: new Uint8Array(input.parts * partSize).fill(7),
            partSize,
            minPartSize: partSize,
            uploadId,
            signal: controller.signal,
            cleanupTimeout: 300,
            ...input.onProgress && { onProgress: () => {} },
            metadata: input.metadata,
          });
          const left = result.cleanupError;
          return {
            completed: true,
            cleanupError: left && {
              message: left instanceof library.LeftoverUploadsError && left.message,
              cause: left.cause?.name,
            },
          };
        } catch (error) {
          return {
            name: error.name,
            cause: String(error.cause?.message ?? error.cause),
            reason: error === controller.signal.reason,
          };
        }
      });
    }, {
      endpoint: server.url,
      credentials: CREDENTIALS,
      bucket: BUCKET,
      partSize: PART_SIZE,
      key,
      onProgress,
      parts,
      resume,
      loseInitiateAnswer,
      runtimeFetch,
      metadata,
    });
    if (how == "hold" && !loseInitiateAnswer) {
      await asked;
      await page.evaluate(() => globalThis.controller.abort(new Error("stopped")));
    }
    const outcome = await page.evaluate(() => globalThis.outcome);
    await close();
    return outcome;
  };

  it("fails an upload cleanly when code it loads on demand cannot be fetched: nothing left", async () => {
    // The page's own site can fail while the service is reachable: each chunk upload() loads on
    // demand is refused in turn.
    const attempt = (chunk, key, options) => uploadWithoutChunk("refuse", chunk, key, options);

    // The single PUT's code, for a body that fits in one part: nothing is sent.
    const whole = await attempt("src/upload/put_whole.js", "chunks/whole", { parts: 1 });
    assert.equal(whole.name, "TypeError");
    assert.equal(emulator.state.objects.get(`${BUCKET}/chunks/whole`), undefined);
    assert.deepEqual(inProgress("chunks/whole"), []);

    // Resume's code, to list the parts of the upload given by ID: nothing is sent, and the
    // caller's upload stays, as it does when listing its parts fails.
    const resumed = await attempt("src/upload/resume_store.js", "chunks/resumed", { resume: true });
    assert.equal(resumed.name, "TypeError");
    assert.equal(inProgress("chunks/resumed").length, 1);
    assert.equal(inProgress("chunks/resumed")[0].parts.size, 0);

    // Progress's code, loaded once the upload exists: the upload is aborted.
    const progress = await attempt("src/upload/progress_reporter.js", "chunks/progress", {
      onProgress: true,
    });
    assert.equal(progress.name, "UploadError");
    assert.match(progress.cause, /import/i);
    assert.deepEqual(inProgress("chunks/progress"), []);
    assert.equal(emulator.state.objects.get(`${BUCKET}/chunks/progress`), undefined);

    // MD5's code, loaded at the first part: the part fails, and the upload is aborted.
    const md5 = await attempt("src/md5_sliced.js", "chunks/md5");
    assert.equal(md5.name, "UploadError");
    assert.match(md5.cause, /import/i);
    assert.deepEqual(inProgress("chunks/md5"), []);

    // The clean-up's code, after a lost initiate answer: the object is made, and the upload the
    // lost answer made is reported, as when listing fails.
    const orphans = await attempt("src/upload/abort_orphans.js", "chunks/orphans", {
      loseInitiateAnswer: true,
    });
    assert.equal(orphans.completed, true);
    assert.match(
      orphans.cleanupError.message,
      /^Uploads of chunks\/orphans created since \S+ may remain \(.*import/i,
    );
    assert.equal(emulator.state.objects.get(`${BUCKET}/chunks/orphans`).size, 3 * PART_SIZE);
    assert.equal(inProgress("chunks/orphans").length, 1, "the one the lost answer made");
  });

  it("settles an upload when code it loads on demand stalls: at the abort, or the clean-up time", {
    // Without an answer to wait for, a stalled import would hold the upload forever.
    timeout: 60_000,
  }, async () => {
    // The page's own site can stall rather than fail: each chunk's request is held, never
    // answered. The caller's abort must settle the upload wherever it waits for code, and leave
    // nothing behind; the clean-up after a lost initiate answer has the clean-up time.
    const attempt = (chunk, key, options) => uploadWithoutChunk("hold", chunk, key, options);
    const aborted = { name: "Error", cause: "undefined", reason: true };

    // Metadata's checks, awaited before anything is read or sent: nothing was sent.
    const checks = await attempt("src/request/metadata_headers.js", "stalls/metadata", {
      metadata: { origin: "page" },
    });
    assert.deepEqual(checks, aborted);
    const sent = emulator.state.requests.filter((r) => r.target.includes("stalls/metadata"));
    assert.deepEqual(sent, []);

    // The single PUT's code, for a body that fits in one part: nothing was sent.
    const whole = await attempt("src/upload/put_whole.js", "stalls/whole", { parts: 1 });
    assert.deepEqual(whole, aborted);
    assert.equal(emulator.state.objects.get(`${BUCKET}/stalls/whole`), undefined);

    // Resume's code, to list the parts of the upload given by ID: it stays, as the caller's.
    const resumed = await attempt("src/upload/resume_store.js", "stalls/resumed", { resume: true });
    assert.deepEqual(resumed, aborted);
    assert.equal(inProgress("stalls/resumed").length, 1);

    // Progress's code, awaited once the upload exists: the abort settles it, the upload aborted.
    const progress = await attempt("src/upload/progress_reporter.js", "stalls/progress", {
      onProgress: true,
    });
    assert.deepEqual(progress, aborted);
    assert.deepEqual(inProgress("stalls/progress"), []);

    // Progress's code for a body that fits in one PUT: nothing was sent.
    const wholeProgress = await attempt(
      "src/upload/progress_reporter.js",
      "stalls/whole-progress",
      {
        parts: 1,
        onProgress: true,
      },
    );
    assert.deepEqual(wholeProgress, aborted);
    assert.equal(emulator.state.objects.get(`${BUCKET}/stalls/whole-progress`), undefined);

    // The transports that count a body, awaited by each part sent with the page's own fetch.
    const transport = await attempt("src/request/progress/progress_transport.js", "stalls/xhr", {
      onProgress: true,
      runtimeFetch: true,
    });
    assert.deepEqual(transport, aborted);
    assert.deepEqual(inProgress("stalls/xhr"), []);

    // MD5's code, awaited by the first parts, which the pool waits for after an abort.
    const md5 = await attempt("src/md5_sliced.js", "stalls/md5");
    assert.deepEqual(md5, aborted);
    assert.deepEqual(inProgress("stalls/md5"), []);

    // The clean-up's code after a lost initiate answer, with no abort: the object is made, and
    // the upload the lost answer made is reported when the clean-up time is up.
    const orphans = await attempt("src/upload/abort_orphans.js", "stalls/orphans", {
      loseInitiateAnswer: true,
    });
    assert.equal(orphans.completed, true);
    assert.equal(orphans.cleanupError.cause, "TimeoutError");
    assert.equal(emulator.state.objects.get(`${BUCKET}/stalls/orphans`).size, 3 * PART_SIZE);
    assert.equal(inProgress("stalls/orphans").length, 1, "the one the lost answer made");
  });

  it("tells upload() progress as XMLHttpRequest sends a 32 MiB part over 8 MiB/s", async (t) => {
    const slow = createEmulator({ credentials: [CREDENTIALS] });
    const slowServer = await serveEmulator(slow, { bandwidth: 8 * 1024 * 1024 });
    try {
      const { page, problems, close } = await open("/upload.js");
      const partSize = 32 * 1024 * 1024;
      // One byte more than a part, so this is Upload Part (a body of one part goes as one PUT);
      // one part at a time, so the events before the first part is done are that part's alone.
      const size = partSize + 1;
      const events = await page.evaluate(
        async ({ endpoint, credentials, bucket, size, partSize }) => {
          const library = await import("/esm/mod.js");
          const client = library.createClient({ endpoint, credentials });
          const events = [];
          await library.upload(client, {
            bucket,
            key: "from the browser/progress.bin",
            body: new Uint8Array(size),
            partSize,
            concurrency: 1,
            md5: false,
            onProgress: ({ loaded, partsDone }) => events.push({ loaded, partsDone }),
          });
          return events;
        },
        { endpoint: slowServer.url, credentials: CREDENTIALS, bucket: BUCKET, size, partSize },
      );
      assert.deepEqual(problems, []);
      assert.equal(slow.state.objects.get(`${BUCKET}/from the browser/progress.bin`).size, size);
      assert.equal(
        slow.state.requests.filter((record) => record.operation == "uploadPart").length,
        2,
      );
      const during = events.filter((event) => event.partsDone == 0 && event.loaded > 0);
      const steps = during.map((event, i) => event.loaded - (i ? during[i - 1].loaded : 0));
      const report = `${during.length} events, steps ${
        steps.map((step) => (step / 1048576).toFixed(2)).join(" ")
      } MiB`;
      t.diagnostic(report);
      // Not 32: Chromium counts the bytes its socket took, and looks every 100 ms. Over loopback
      // the kernel gives the socket a 4 MiB send buffer and wakes a blocked writer only when a
      // third of it is free, so the count moves in steps of ~1.4 MiB (one per ~190 ms at 8 MiB/s,
      // one per ~700 ms at 2 MiB/s) after a first leap of 3-6 MiB: 18 to 22 events for 32 MiB at
      // any speed (docs/protocol.md#chromiums-upload-progress). Over a real link, whose send
      // buffer is sized to its round trip, Chromium tells every 100 ms: 33 to 40 events were
      // measured with the buffer set to 2 MiB or 512 KiB. Per part, as without XMLHttpRequest, is 1.
      // On a loaded machine a late look merges steps (19 events, one step of 5 MiB, seen): hence 14.
      assert.ok(during.length >= 14, report);
      // Counted from the start: no first leap much past what the socket's buffers hold (3-6 MiB).
      assert.ok(steps[0] <= 12 * 1048576, report);
      for (let i = 1; i < events.length; i++) assert.ok(events[i].loaded >= events[i - 1].loaded);
      assert.equal(events.at(-1).loaded, size);
      await close();
    } finally {
      await slowServer.close();
    }
  });

  it("remembers an upload in localStorage across a reload and resumes it; a small File is one PUT", async () => {
    const { page, problems } = await open("/upload.js");
    const size = 5 * PART_SIZE;
    const key = "from the browser/remembered.bin";
    // Stops after `stopAfter` parts or more, keeping them; or, given -1, runs to the end. Either
    // way tells what localStorage holds afterwards.
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
            // At least `stopAfter`: progress is throttled, so the events of parts close in time
            // merge, and a count may be skipped.
            onProgress: ({ partsDone }) =>
              stopAfter > 0 && partsDone >= stopAfter && !controller.signal.aborted &&
              controller.abort(new Error("tab closed")),
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
