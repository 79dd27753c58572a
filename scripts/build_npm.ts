/**
 * Builds the npm package into `npm/`: the Deno source compiled by tsc to ESM
 * with `.d.ts` beside it, unbundled, plus `package.json`, `README.md` and
 * `LICENSE`. Nothing else goes in.
 *
 *     deno task build:npm
 *
 * We use tsc rather than dnt because JSR and deno.land, which dnt needs, are
 * not reachable from our build machines; the source has no dependencies, so
 * there is nothing for dnt's shims to do anyway.
 *
 * @module
 */
import { VERSION } from "../src/cli/version.ts";
import { COMPILER_OPTIONS, tsc } from "./tsc.ts";

/** Where the package is written, relative to the project root. */
export const NPM_DIR = "npm";

/** The name on npm; JSR's `@qingstor-multipart/core` is scoped, npm's is not. */
export const NPM_NAME = "qingstor-multipart";

/** The command line's entry in the package, from `src/cli/main.ts`. */
const CLI_BIN = "esm/src/cli/main.js";

const root = new URL("../", import.meta.url);
const path = (relative: string) => new URL(relative, root).pathname;

/**
 * Writes `npm/` from scratch.
 *
 * @returns The package folder (absolute) and the version written.
 * @throws {Error} If tsc reports errors.
 */
export async function buildNpm(): Promise<{ dir: string; version: string }> {
  const dir = path(NPM_DIR);
  await Deno.remove(dir, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  await Deno.mkdir(dir, { recursive: true });
  const deno = JSON.parse(await Deno.readTextFile(path("deno.json")));
  // `qingstor-multipart --version` prints the CLI's constant: it must be the package's version.
  if (VERSION != deno.version) {
    throw new Error(`src/cli/version.ts says ${VERSION}, deno.json says ${deno.version}`);
  }

  // The tsconfig lives outside npm/ so that the package holds only what it ships.
  await tsc(path("build/npm"), {
    compilerOptions: {
      ...COMPILER_OPTIONS,
      declaration: true,
      removeComments: false,
      rootDir: "../..",
      outDir: `../../${NPM_DIR}/esm`,
    },
    // The command line is a root of its own: the library never imports it.
    files: ["../../mod.ts", "../../src/testing/mod.ts", "../../src/cli/main.ts"],
  });

  for await (const file of walk(`${dir}/esm`)) {
    if (!file.endsWith(".js") && !file.endsWith(".d.ts")) continue;
    const text = await Deno.readTextFile(file);
    const fixed = text
      // tsc rewrites `.ts` specifiers in the JavaScript it emits but leaves them in
      // declaration files, where Node-style resolution would then look for `.ts`.
      .replace(/((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']*?)\.ts(["'])/g, "$1$2.js$3");
    if (fixed != text) await Deno.writeTextFile(file, fixed);
  }

  const manifest = {
    name: NPM_NAME,
    version: deno.version,
    description:
      "Multipart uploads to QingStor object storage from Deno, Node 20+, Bun, Cloudflare Workers and browsers; dependency-free, WebCrypto and fetch.",
    license: deno.license,
    keywords: ["qingstor", "multipart", "upload", "object-storage", "presigned-url", "workers"],
    type: "module",
    // `default` rather than `import`: the files are ES modules either way, and `require()` of an
    // ES module works from Node 20.19 and 22.12 on (older Node says ERR_REQUIRE_ESM, which is true).
    exports: {
      ".": { types: "./esm/mod.d.ts", default: "./esm/mod.js" },
      "./testing": { types: "./esm/src/testing/mod.d.ts", default: "./esm/src/testing/mod.js" },
    },
    sideEffects: false,
    // The command line, on the PATH of whoever installs the package, and for `npx`.
    bin: { [NPM_NAME]: `./${CLI_BIN}` },
    engines: { node: ">=20.3" },
    files: ["esm/"],
  };
  // npm links the bin as is: it must start with its `#!` line (tsc keeps it) and be executable.
  const cli = `${dir}/${CLI_BIN}`;
  if (!(await Deno.readTextFile(cli)).startsWith("#!/usr/bin/env node\n")) {
    throw new Error(`${cli} does not start with #!/usr/bin/env node`);
  }
  await Deno.chmod(cli, 0o755);
  await Deno.writeTextFile(`${dir}/package.json`, JSON.stringify(manifest, null, 2) + "\n");
  await Deno.copyFile(path("README.md"), `${dir}/README.md`);
  await Deno.copyFile(path("LICENSE"), `${dir}/LICENSE`);
  return { dir, version: deno.version };
}

async function* walk(folder: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(folder)) {
    const full = `${folder}/${entry.name}`;
    if (entry.isDirectory) yield* walk(full);
    else if (entry.isFile) yield full;
  }
}

if (import.meta.main) {
  const { dir, version } = await buildNpm();
  console.log(`built ${NPM_NAME}@${version} into ${dir}`);
}
