/**
 * What the real-runtime tests share: the built npm package, loopback HTTP
 * servers they start and stop, and the README's Worker run by Miniflare.
 *
 * Every test here runs the package as consumers get it, from `npm/` (built
 * by `scripts/build_npm.ts` before these tests run), not the TypeScript source.
 *
 * @module
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { readmeExample } from "./readme.mjs";

/** The built package. */
export const NPM_DIR = fileURLToPath(new URL("../../../npm/", import.meta.url));

/** The key pair the emulator accepts in these tests. */
export const CREDENTIALS = {
  accessKeyId: "RUNTIMEACCESSKEYID00",
  secretAccessKey: "runtimeSecretAccessKey0123456789abcdefGH",
};

/** The test bucket. */
export const BUCKET = "mybucket";

/** The session cookie of the README Worker's one user, `alice`, who may write under `alice/`. */
export const SESSION = "session=s3ss10n-of-alice";

/**
 * Starts an HTTP server on 127.0.0.1 with a free port.
 *
 * @param {import("node:http").RequestListener} handler Answers requests.
 * @returns {Promise<{ url: string, port: number, close(): Promise<void> }>}
 */
export async function listen(handler) {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Every file under a folder, as paths relative to it. */
export function filesUnder(folder, prefix = "") {
  return readdirSync(folder + prefix).flatMap((name) => {
    const relative = prefix + name;
    return statSync(folder + relative).isDirectory()
      ? filesUnder(folder, relative + "/")
      : [relative];
  });
}

/** The MD5 of bytes, hex, from Node's crypto: a check independent of the library's own MD5. */
export async function md5Hex(bytes) {
  const { createHash } = await import("node:crypto");
  return createHash("md5").update(bytes).digest("hex");
}

/**
 * Runs the README's Worker (`worker.js`) in workerd through Miniflare, with
 * the package laid out as a bundler would find it: `qingstor-multipart`
 * resolves, by the package's own `exports`, to its ESM files.
 *
 * @param {{ endpoint: string, partSize: number }} options Where the emulator is; the part size.
 * @returns {Promise<import("miniflare").Miniflare>} The running Worker; dispose of it.
 */
export async function startWorker({ endpoint, partSize }) {
  const { Miniflare } = await import("miniflare");
  // A root of our own for module names; the files are given by content, nothing is written.
  const root = fileURLToPath(new URL("../../../build/worker/", import.meta.url));
  const manifest = JSON.parse(readFileSync(NPM_DIR + "package.json", "utf8"));
  const packageRoot = `node_modules/${manifest.name}/`;
  const modules = [
    { type: "ESModule", path: root + "worker.js", contents: readmeExample("worker.js") },
    ...filesUnder(NPM_DIR).filter((file) => file.endsWith(".js")).map((file) => ({
      type: "ESModule",
      path: root + packageRoot + file,
      contents: readFileSync(NPM_DIR + file, "utf8"),
    })),
    // workerd looks a bare specifier up by module name: name one after each export of the package.
    ...Object.entries(manifest.exports).map(([subpath, target]) => ({
      type: "ESModule",
      path: root + manifest.name + subpath.slice(1),
      contents: `export * from "./${"../".repeat(subpath.split("/").length - 1)}${packageRoot}${
        target.default.slice(2)
      }";`,
    })),
  ];
  const worker = new Miniflare({
    modules,
    modulesRoot: root,
    compatibilityDate: "2025-01-01",
    bindings: {
      QINGSTOR_ENDPOINT: endpoint,
      QINGSTOR_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      QINGSTOR_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      QINGSTOR_BUCKET: BUCKET,
      PART_SIZE: String(partSize),
      SESSIONS: JSON.stringify({ [SESSION.split("=")[1]]: "alice" }),
    },
  });
  await worker.ready;
  return worker;
}
