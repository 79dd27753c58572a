/**
 * Deno users import `mod.ts` by path or by URL. The README's `upload.ts`
 * imports `./qingstor-multipart/mod.ts`; this runs it in a fresh Deno against
 * the emulator twice: beside a checkout (a copy of mod.ts and src/), and with that
 * import pointed at the source tree served over loopback HTTP, as any static
 * host would serve it, which Deno fetches only with `--allow-import` for
 * that host.
 *
 * Written with `node:` APIs, which Deno provides, so that the Node build of
 * the tests (tsc over `tests/`) compiles it too; only `deno test` runs it.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import {
  createEmulator,
  type Emulator,
  type EmulatorServer,
  serveEmulator,
} from "../../../src/testing/mod.ts";

const CREDENTIALS = {
  accessKeyId: "RUNTIMEACCESSKEYID00",
  secretAccessKey: "runtimeSecretAccessKey0123456789abcdefGH",
};
const ROOT = new URL("../../../", import.meta.url);

/** The README's example of this name (a code block whose info string is `ts upload.ts`). */
async function readmeExample(name: string): Promise<string> {
  const text = await readFile(new URL("README.md", ROOT), "utf8");
  const start = text.indexOf("\n## Runtimes\n");
  const end = text.indexOf("\n## ", start + 1);
  const blocks = [...text.slice(start, end).matchAll(/^```\w+ (\S+)\n([\s\S]*?)^```$/gm)]
    .filter((match) => match[1] == name);
  assert.equal(blocks.length, 1, `README '## Runtimes' should have one ${name}`);
  return blocks[0][2];
}

/** Runs a command to its end; never throws, so a failure shows its output. */
function spawn(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, options, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

describe("Deno imports mod.ts by URL", () => {
  let emulator: Emulator;
  let storage: EmulatorServer;
  let host: Server;
  let origin: string;
  let workdir: string;
  let example: string;

  before(async () => {
    emulator = createEmulator({ credentials: [CREDENTIALS] });
    storage = await serveEmulator(emulator);
    example = await readmeExample("upload.ts");
    // The source tree, what JSR would publish: mod.ts and src/.
    host = createServer(async (request, response) => {
      const path = normalize(decodeURIComponent(new URL(request.url!, "http://x").pathname));
      const body = path == "/mod.ts" || path.startsWith("/src/")
        ? await readFile(new URL("." + path, ROOT)).catch(() => undefined)
        : undefined;
      response.writeHead(body === undefined ? 404 : 200, {
        "content-type": body === undefined ? "text/plain" : "application/typescript",
      });
      response.end(body ?? "Not found");
    });
    await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(host.address() as { port: number }).port}`;
    workdir = await mkdtemp(join(tmpdir(), "qingstor-multipart-deno-"));
    // By path: the README's file beside a checkout. Copied, not linked: Deno allows a symlink only
    // with unscoped read and write access, and the tests may read only the repository.
    for (const entry of ["mod.ts", "src"]) {
      await cp(fileURLToPath(new URL(entry, ROOT)), join(workdir, "qingstor-multipart", entry), {
        recursive: true,
      });
    }
    await writeFile(join(workdir, "upload.ts"), example);
    // By URL: the same file with its one import pointed at the served tree.
    const byUrl = example.replace('"./qingstor-multipart/mod.ts"', `"${origin}/mod.ts"`);
    assert.notEqual(byUrl, example);
    await writeFile(join(workdir, "upload_by_url.ts"), byUrl);
  });
  after(async () => {
    await new Promise<void>((resolve) => {
      host?.close(() => resolve());
      host?.closeAllConnections();
    });
    await storage?.close();
    if (workdir) await rm(workdir, { recursive: true, force: true });
  });

  const runExample = (file: string, flags: string[] = []) =>
    spawn(process.execPath, [
      "run",
      "--no-config",
      "--no-lock",
      "--no-prompt",
      ...flags,
      `--allow-net=${new URL(storage.url).host}`,
      "--allow-env=QINGSTOR_ENDPOINT,QINGSTOR_ACCESS_KEY_ID,QINGSTOR_SECRET_ACCESS_KEY",
      file,
    ], {
      cwd: workdir,
      env: {
        PATH: process.env.PATH ?? "",
        NO_COLOR: "1",
        // A fresh cache, so the modules really come over HTTP.
        DENO_DIR: join(workdir, "deno_dir"),
        QINGSTOR_ENDPOINT: storage.url,
        QINGSTOR_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        QINGSTOR_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      },
    });

  /** The object the example wrote; removed, so the next run must write it again. */
  const takeUpload = () => {
    const object = emulator.state.objects.get("mybucket/hello.txt");
    emulator.state.objects.delete("mybucket/hello.txt");
    return object && new TextDecoder().decode(object.data);
  };

  it("runs the README's upload.ts beside a checkout", async () => {
    const { code, output } = await runExample("upload.ts");
    assert.equal(code, 0, output);
    assert.equal(takeUpload(), "hello from Deno");
  });

  it("refuses to import mod.ts by URL without --allow-import for the host", async () => {
    const { code, output } = await runExample("upload_by_url.ts");
    assert.notEqual(code, 0);
    assert.match(output, /Requires import access to "127\.0\.0\.1:\d+"/);
    assert.equal(takeUpload(), undefined);
  });

  it("imports mod.ts by URL with --allow-import and uploads", async () => {
    const { code, output } = await runExample("upload_by_url.ts", [
      `--allow-import=${new URL(origin).host}`,
    ]);
    assert.equal(code, 0, output);
    assert.match(output, new RegExp(`Download ${origin}/src/client\\.ts`));
    assert.equal(takeUpload(), "hello from Deno");
  });
});
