/**
 * Node 20 and Bun as package consumers: the built `npm/` package is packed,
 * installed into a temporary project (offline: it has no dependencies), and
 * imported by its name. The README's `upload.mjs` then uploads a file in
 * parts against the emulator, under Node and under Bun.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { createInterface } from "node:readline";
import { readmeExample } from "../support/readme.mjs";
import { BUCKET, CREDENTIALS, md5Hex, NPM_DIR } from "../support/servers.mjs";

const run = promisify(execFile);
const BUN = fileURLToPath(new URL("../../../node_modules/.bin/bun", import.meta.url));

describe("the npm package in a consumer project", () => {
  let project;
  before(async () => {
    project = await mkdtemp(join(tmpdir(), "qingstor-multipart-consumer-"));
    await writeFile(
      join(project, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module" }),
    );
    // Packed first, so the install holds exactly what `files` publishes.
    await run("npm", ["pack", "--silent", "--pack-destination", project, NPM_DIR]);
    const [tarball] = (await readdir(project)).filter((name) => name.endsWith(".tgz"));
    await run("npm", [
      "install",
      "--offline",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      `./${tarball}`,
    ], { cwd: project });
    for (const name of ["upload.mjs", "upload-stream.mjs"]) {
      await writeFile(join(project, name), readmeExample(name));
    }
  });
  after(async () => {
    if (project) await rm(project, { recursive: true, force: true });
  });

  it("imports both entry points by package name", async () => {
    const { stdout } = await run(process.execPath, [
      "--input-type=module",
      "--eval",
      `import * as main from "qingstor-multipart";
       import * as testing from "qingstor-multipart/testing";
       console.log(JSON.stringify({ main: Object.keys(main), testing: Object.keys(testing) }));`,
    ], { cwd: project });
    const { main, testing } = JSON.parse(stdout);
    for (const name of ["createClient", "initiateMultipartUpload", "uploadPart", "presign"]) {
      assert.ok(main.includes(name), name);
    }
    for (const name of ["completeMultipartUpload", "QingStorError", "ValidationError"]) {
      assert.ok(main.includes(name), name);
    }
    assert.ok(testing.includes("createEmulator") && testing.includes("serveEmulator"));
  });

  it("loads both entry points with require() from a CommonJS file", async (t) => {
    const [major, minor] = process.versions.node.split(".").map(Number);
    // require() of an ES module came in Node 20.19 (and 22.12); older Node refuses it honestly.
    if (major == 20 && minor < 19) {
      return t.skip(`Node ${process.versions.node} cannot require() ESM`);
    }
    const script = join(project, "require.cjs");
    await writeFile(
      script,
      `const main = require("qingstor-multipart");
       const testing = require("qingstor-multipart/testing");
       const credentials = ${JSON.stringify(CREDENTIALS)};
       const emulator = testing.createEmulator({ credentials: [credentials] });
       const client = main.createClient({ endpoint: "http://localhost", credentials, fetch: emulator.fetch });
       main.initiateMultipartUpload(client, { bucket: "${BUCKET}", key: "from-cjs" })
         .then(({ uploadId }) => console.log(emulator.state.uploads.get(uploadId).key));`,
    );
    for (const runtime of [process.execPath, BUN]) {
      const { stdout } = await run(runtime, [script], { cwd: project });
      assert.equal(stdout.trim(), "from-cjs", runtime);
    }
  });

  it("runs the command line with npx: the emulator, then an upload to it", async () => {
    // `npx --no-install`: the bin of the installed package, never one fetched from a registry.
    const emulator = spawn("npx", ["--no-install", "qingstor-multipart", "emulator"], {
      cwd: project,
      stdio: ["ignore", "pipe", "inherit"],
      // A group of its own: npx runs the bin in a child, and the whole group is stopped below.
      detached: true,
    });
    try {
      // The emulator prints `listening on …` first, then the lines a session can export.
      const printed = {};
      const lines = createInterface({ input: emulator.stdout });
      for await (const line of lines) {
        const [name, value] = line.startsWith("listening on ")
          ? ["listening", line.slice("listening on ".length)]
          : line.split("=", 2);
        printed[name] = value;
        if (name == "QINGSTOR_ENDPOINT") break;
      }
      assert.match(printed.listening, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(printed.QINGSTOR_ENDPOINT, printed.listening);
      const env = {
        PATH: process.env.PATH,
        HOME: project,
        QINGSTOR_ENDPOINT: printed.QINGSTOR_ENDPOINT,
        QINGSTOR_ACCESS_KEY_ID: printed.QINGSTOR_ACCESS_KEY_ID,
        QINGSTOR_SECRET_ACCESS_KEY: printed.QINGSTOR_SECRET_ACCESS_KEY,
      };
      const data = new Uint8Array(300_000).map((_, i) => (i * 7 + 3) % 251);
      await writeFile(join(project, "cli.bin"), data);
      const cli = (...args) =>
        run("npx", ["--no-install", "qingstor-multipart", ...args], { cwd: project, env });
      const version = await cli("--version");
      const { version: installed } = JSON.parse(
        await readFile(join(project, "node_modules/qingstor-multipart/package.json"), "utf8"),
      );
      assert.equal(version.stdout, `qingstor-multipart ${installed}\n`);
      const uploaded = await cli("upload", "cli.bin", `${BUCKET}/from npx/cli.bin`);
      assert.match(uploaded.stdout, /uploaded .*: 300000 bytes, in one PUT$/m);
      // Read back through a presigned URL the CLI mints: the bytes are the file's.
      const { stdout: url } = await cli("presign", "GET", `${BUCKET}/from npx/cli.bin`);
      const response = await fetch(url.trim());
      assert.equal(response.status, 200);
      assert.equal(await md5Hex(new Uint8Array(await response.arrayBuffer())), await md5Hex(data));
      const { stdout: listed } = await cli("list", BUCKET, "--json");
      assert.deepEqual(JSON.parse(listed), []);
    } finally {
      process.kill(-emulator.pid, "SIGTERM");
      emulator.stdout.destroy();
    }
  });

  it("installs only the published files", async () => {
    const installed = join(project, "node_modules", "qingstor-multipart");
    assert.deepEqual((await readdir(installed)).sort(), [
      "LICENSE",
      "README.md",
      "esm",
      "package.json",
    ]);
    // Bundled: one file per entry, and the code loaded on demand (MD5, SSE-C, metadata, the
    // transports that count a body as it goes out, a remote signer's part of each request, the
    // signing server's, and upload()'s single PUT, progress, resume and clean-up after a lost
    // initiate answer); declarations beside them.
    const scripts = (await readdir(join(installed, "esm"), { recursive: true }))
      .filter((file) => file.endsWith(".js"))
      .sort();
    assert.deepEqual(scripts, [
      "mod.js",
      "src/cli/main.js",
      "src/md5_sliced.js",
      "src/request/customer_key_headers.js",
      "src/request/metadata_headers.js",
      "src/request/progress/progress_transport.js",
      "src/signer/sign_batch.js",
      "src/signer/sign_remotely.js",
      "src/testing/mod.js",
      "src/upload/abort_orphans.js",
      "src/upload/progress_reporter.js",
      "src/upload/put_whole.js",
      "src/upload/resume_store.js",
    ]);
    assert.ok((await readdir(join(installed, "esm/src"))).includes("client.d.ts"));
  });

  for (
    const [runtime, example] of [
      ["node", "upload.mjs"],
      ["bun", "upload.mjs"],
      ["node", "upload-stream.mjs"],
      ["bun", "upload-stream.mjs"],
    ]
  ) {
    it(`runs the README's ${example} under ${runtime}`, async () => {
      // The emulator, too, comes from the installed package.
      const testing = pathToFileURL(
        join(project, "node_modules/qingstor-multipart/esm/src/testing/mod.js"),
      );
      const { createEmulator, serveEmulator } = await import(testing.href);
      const emulator = createEmulator({ credentials: [CREDENTIALS] });
      const server = await serveEmulator(emulator);
      try {
        // Two full 4 MiB parts and a short one.
        const data = new Uint8Array(9 * 1024 * 1024 + 5).map((_, i) => (i * 131 + 7) % 253);
        const file = join(project, `data-${runtime}-${example}.bin`);
        await writeFile(file, data);
        const key = `from ${runtime}/${example}/data.bin`;
        const { stdout } = await run(
          runtime == "node" ? process.execPath : BUN,
          [example, file, BUCKET, key],
          {
            cwd: project,
            env: {
              PATH: process.env.PATH,
              QINGSTOR_ENDPOINT: server.url,
              QINGSTOR_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
              QINGSTOR_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
            },
          },
        );
        assert.equal(stdout.trim(), `uploaded ${data.length} bytes in 3 parts`);
        const object = emulator.state.objects.get(`${BUCKET}/${key}`);
        assert.equal(object.size, data.length);
        assert.equal(object.md5, await md5Hex(data));
      } finally {
        await server.close();
      }
    });
  }

  for (const runtime of ["node", "bun"]) {
    it(`loads upload()'s and the signing server's code on demand, with the package's classes, under ${runtime}`, async () => {
      // In its own process, so that each on-demand file is the package's, loaded by its path:
      // the clean-up after a lost initiate answer, resume, the single PUT, progress, MD5, and
      // handleSignRequest's batch signing. Their errors must be the entry's classes.
      const script = join(project, `on-demand-upload-${runtime}.mjs`);
      await writeFile(
        script,
        `import { createClient, handleSignRequest, LeftoverUploadsError, ResumeStoreError, upload }
           from "qingstor-multipart";
         import { createEmulator } from "qingstor-multipart/testing";
         const credentials = ${JSON.stringify(CREDENTIALS)};
         const bucket = "${BUCKET}";
         const emulator = createEmulator({
           credentials: [credentials],
           minPartSize: 1024,
           faults: [
             // The first initiate takes effect and its answer is lost; the clean-up may not list.
             { operations: ["initiateMultipartUpload"], drop: "after-handling", times: 1 },
             { operations: ["listMultipartUploads"], status: 403, times: 1 },
           ],
         });
         const client = createClient({ endpoint: "http://localhost", credentials, fetch: emulator.fetch });
         const bytes = (size) => new Uint8Array(size).map((_, i) => (i * 7 + 3) % 251);
         const sizing = { partSize: 1024, minPartSize: 1024 };
         const lost = await upload(client, { bucket, key: "lost", body: bytes(3000), ...sizing });
         const seen = [];
         const small = await upload(client, {
           bucket, key: "small", body: bytes(500), ...sizing,
           onProgress: ({ loaded }) => seen.push(loaded),
         });
         const failing = { get() { throw new Error("disk gone"); }, set() {}, delete() {} };
         const stored = await upload(client, {
           bucket, key: "stored", body: bytes(3000), ...sizing, resumeStore: failing,
         }).catch((error) => error);
         const signing = new Request("http://localhost/sign", {
           method: "POST",
           headers: { "content-type": "application/json" },
           body: JSON.stringify({ version: 1, bucket, requests: [
             { operation: "initiateMultipartUpload", method: "POST", key: "a", query: { uploads: "" } },
           ] }),
         });
         const answer = await handleSignRequest(client, signing, { authorize: () => true });
         const { signatures: [signed] } = await answer.json();
         console.log(JSON.stringify({
           cleanupError: lost.cleanupError instanceof LeftoverUploadsError,
           lostObject: emulator.state.objects.get(bucket + "/lost").size,
           orphansLeft: emulator.state.uploads.size,
           small: [small.size, small.parts === undefined, seen.at(-1), emulator.state.objects.get(bucket + "/small").md5],
           storeError: stored instanceof ResumeStoreError && stored.operation,
           signed: /^QS /.test(signed.authorization),
         }));`,
      );
      const { stdout } = await run(runtime == "node" ? process.execPath : BUN, [script], {
        cwd: project,
      });
      const small = new Uint8Array(500).map((_, i) => (i * 7 + 3) % 251);
      assert.deepEqual(JSON.parse(stdout), {
        cleanupError: true,
        lostObject: 3000,
        // The listing was refused: the upload the lost answer made is reported, and remains.
        orphansLeft: 1,
        small: [500, true, 500, await md5Hex(small)],
        storeError: "get",
        signed: true,
      });
    });
  }

  for (const runtime of ["node", "bun"]) {
    it(`loads the SSE-C code (and its MD5) and the metadata checks when given under ${runtime}`, async () => {
      // In its own process, so the on-demand imports are the package's own, from its files.
      const script = join(project, `on-demand-${runtime}.mjs`);
      await writeFile(
        script,
        `import { createClient, initiateMultipartUpload, ValidationError } from "qingstor-multipart";
         import { createEmulator } from "qingstor-multipart/testing";
         const credentials = ${JSON.stringify(CREDENTIALS)};
         const emulator = createEmulator({ credentials: [credentials] });
         const client = createClient({ endpoint: "http://localhost", credentials, fetch: emulator.fetch });
         const encryption = { customerKey: new Uint8Array(32).fill(9) };
         const metadata = { Owner: "alice" };
         const target = { bucket: "${BUCKET}", key: "k" };
         const { uploadId } = await initiateMultipartUpload(client, { ...target, encryption, metadata });
         const upload = emulator.state.uploads.get(uploadId);
         // The checks in those files throw the package's own ValidationError.
         const refused = async (input) => {
           try {
             await initiateMultipartUpload(client, { ...target, ...input });
           } catch (error) {
             return error instanceof ValidationError && error.parameter;
           }
         };
         console.log(JSON.stringify([
           upload.encryptionKeyMd5,
           upload.metadata,
           await refused({ metadata: { "a b": "c" } }),
           await refused({ encryption: { customerKey: new Uint8Array(3) } }),
         ]));`,
      );
      const { stdout } = await run(runtime == "node" ? process.execPath : BUN, [script], {
        cwd: project,
      });
      const expected = createHash("md5").update(new Uint8Array(32).fill(9)).digest("base64");
      assert.deepEqual(JSON.parse(stdout), [
        expected,
        { owner: "alice" },
        "metadata",
        "encryption.customerKey",
      ]);
    });
  }
});
