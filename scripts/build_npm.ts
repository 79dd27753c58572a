/**
 * Builds the npm package into `npm/`: each entry (`.`, `./testing` and the
 * command line) bundled by esbuild into one ES module, the code that `.`
 * loads on demand ({@linkcode ON_DEMAND}) in files of their own, the `.d.ts` files
 * from tsc, one per source module, plus `package.json`, `README.md` and
 * `LICENSE`. Nothing else goes in.
 *
 *     deno task build:npm
 *
 * Bundled because Node resolves, reads and compiles an unbundled package one
 * module at a time: importing it cost +31 ms over an empty module, the bundle
 * about +2 ms (`npm run bench:import`). esbuild rather than `bun build`: its
 * output does not change with the Bun we test against, and it is pinned
 * exactly; it is a build-time dependency only, the package still has none.
 * The files keep the paths the unbundled build gave them (`esm/mod.js`,
 * `esm/src/testing/mod.js`, `esm/src/cli/main.js`), each beside its `.d.ts`.
 *
 * We use tsc for the declarations rather than dnt because JSR and deno.land,
 * which dnt needs, are not reachable from our build machines; the source has
 * no dependencies, so there is nothing for dnt's shims to do anyway.
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

/** The library's entry (`.`) in the package, which the code loaded on demand imports. */
const LIBRARY = "esm/mod.js";

/** The bundled entries: each source root, and its file in the package. */
export const ENTRIES = [
  ["mod.ts", LIBRARY],
  ["src/testing/mod.ts", "esm/src/testing/mod.js"],
  ["src/cli/main.ts", CLI_BIN],
] as const;

/**
 * The modules imported on demand (when an SSE-C key is given, when metadata
 * is, at the first part hashed, ...): each a file of its own in the package,
 * beside its `.d.ts`, bundled apart. What they take from the library's API
 * and its error classes they import from the package's entry, `esm/mod.js`
 * ({@linkcode SHARED_WITH_ENTRY}), so that each class exists once. What the
 * entry does not export is copied into them (the signing steps into
 * `sign_batch.js`, MD5 into `md5_sliced.js` and `customer_key_headers.js`):
 * that costs bytes, not correctness, as it holds no class (the build checks)
 * and no state but a cache (the signing keys). The entry's `import()` of them
 * are left as imports, aimed at these files; the command line inlines them.
 */
export const ON_DEMAND = [
  "src/md5_sliced.ts",
  "src/request/customer_key_headers.ts",
  "src/request/metadata_headers.ts",
  "src/request/progress/progress_transport.ts",
  "src/signer/sign_remotely.ts",
  "src/upload/progress_reporter.ts",
  "src/upload/abort_orphans.ts",
  "src/upload/resume_store.ts",
  "src/upload/put_whole.ts",
  "src/signer/sign_batch.ts",
] as const;

/**
 * What a module of {@linkcode ON_DEMAND} takes from the entry rather than carry a copy: the
 * package's API (`mod.ts`), and the error classes (`src/errors.ts`, which holds nothing else),
 * so that every class exists once, and the API's code is not copied.
 */
export const SHARED_WITH_ENTRY = ["*/mod.ts", "*/errors.ts"];

/**
 * The bundlers' `--external` patterns that keep each module of {@linkcode ON_DEMAND} out of a
 * bundle, matched by file name wherever it is imported from.
 */
export const ON_DEMAND_EXTERNAL = ON_DEMAND.map((source) => `*/${source.split("/").at(-1)}`);

/** The package's file for a source module of {@linkcode ON_DEMAND}. */
const onDemandOutput = (source: string) => `esm/${source.replace(/\.ts$/, ".js")}`;

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

  // The declarations, one per module as the source has them; the JavaScript comes from esbuild.
  // The tsconfig lives outside npm/ so that the package holds only what it ships.
  await tsc(path("build/npm"), {
    compilerOptions: {
      ...COMPILER_OPTIONS,
      declaration: true,
      emitDeclarationOnly: true,
      removeComments: false,
      rootDir: "../..",
      outDir: `../../${NPM_DIR}/esm`,
    },
    // The command line is a root of its own: the library never imports it.
    files: ["../../mod.ts", "../../src/testing/mod.ts", "../../src/cli/main.ts"],
  });

  for await (const file of walk(`${dir}/esm`)) {
    if (!file.endsWith(".d.ts")) continue;
    const text = await Deno.readTextFile(file);
    const fixed = text
      // tsc rewrites `.ts` specifiers in the JavaScript it emits but leaves them in
      // declaration files, where Node-style resolution would then look for `.ts`.
      .replace(/((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']*?)\.ts(["'])/g, "$1$2.js$3");
    if (fixed != text) await Deno.writeTextFile(file, fixed);
  }

  for (const [source, output] of ENTRIES) {
    // The command line inlines what the library loads on demand: one file, one copy of the
    // library, whose classes its code loaded on demand shares.
    await bundle(source, `${dir}/${output}`, output == CLI_BIN ? [] : ON_DEMAND_EXTERNAL);
    await aimOnDemandImports(dir, output);
  }
  const entry = await Deno.readTextFile(`${dir}/${LIBRARY}`);
  const [entryExports, entryClasses] = [exportedNames(entry), new Set(classNames(entry))];
  for (const source of ON_DEMAND) {
    const output = onDemandOutput(source);
    await bundle(source, `${dir}/${output}`, [...ON_DEMAND_EXTERNAL, ...SHARED_WITH_ENTRY]);
    // What it takes from the entry (its API, the error classes) it imports from the entry's file.
    await aimOnDemandImports(dir, output);
    const toEntry = relativePath(output, LIBRARY);
    const text = (await Deno.readTextFile(`${dir}/${output}`)).replace(
      /(\bfrom\s*")[^"]*\/([\w-]+\.ts)(")/g,
      (specifier, from, file, end) =>
        SHARED_WITH_ENTRY.includes(`*/${file}`) ? `${from}${toEntry}${end}` : specifier,
    );
    await Deno.writeTextFile(`${dir}/${output}`, text);
    // A copy of one of the entry's classes would be a second ValidationError, say, or a second
    // BodyReadFailure (not exported, yet upload() tells it apart by `instanceof`), that
    // `instanceof` does not know. (A class of its own, used inside it, is fine.)
    const copied = classNames(text).filter((name) => entryClasses.has(name.replace(/\d+$/, "")));
    if (copied.length) {
      throw new Error(`${output} copies the entry's ${copied.join(", ")}: it must import them`);
    }
    for (const name of importedNames(text, toEntry)) {
      if (!entryExports.has(name)) {
        throw new Error(`${output} imports ${name} from the entry, which does not export it`);
      }
    }
  }
  const outputs = [
    ...ENTRIES.map(([, output]) => output),
    ...ON_DEMAND.map(onDemandOutput),
  ];
  for (const output of outputs) {
    const imported = staticImports(await Deno.readTextFile(`${dir}/${output}`));
    // One file each: only Node's own modules may be imported (by the command line), and the
    // entry, by the code it loads on demand.
    const entry = ON_DEMAND.some((source) => onDemandOutput(source) == output)
      ? relativePath(output, LIBRARY)
      : undefined;
    if (imported.some((specifier) => !specifier.startsWith("node:") && specifier != entry)) {
      throw new Error(`${output} imports ${imported.join(", ")}: it must be one file`);
    }
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

/** Aims each `import()` of a module loaded on demand at that module's file in the package. */
async function aimOnDemandImports(dir: string, output: string): Promise<void> {
  const text = await Deno.readTextFile(`${dir}/${output}`);
  const fixed = text.replace(/\bimport\("(\.{1,2}\/[^"]*?)([\w-]+)\.ts"\)/g, (call, _, name) => {
    const module = ON_DEMAND.find((source) => source.endsWith(`/${name}.ts`));
    if (!module) throw new Error(`${output}: ${call} is no module loaded on demand`);
    return `import("${relativePath(output, onDemandOutput(module))}")`;
  });
  if (fixed != text) await Deno.writeTextFile(`${dir}/${output}`, fixed);
}

/** The path from one file of the package to another, for an import. */
function relativePath(from: string, to: string): string {
  const fromDir = from.split("/").slice(0, -1);
  const toParts = to.split("/");
  while (fromDir.length && fromDir[0] == toParts[0]) fromDir.shift(), toParts.shift();
  return `${fromDir.length ? "../".repeat(fromDir.length) : "./"}${toParts.join("/")}`;
}

/** Bundles one source root into one ES module; Node's modules and `external` stay imports. */
async function bundle(source: string, outfile: string, external: string[]): Promise<void> {
  const esbuild = path("node_modules/.bin/esbuild");
  const { code, stderr } = await new Deno.Command(esbuild, {
    args: [
      path(source),
      "--bundle",
      "--format=esm",
      // The oldest runtime we support, Node 20, runs ES2022 as written; no syntax is lowered.
      "--target=es2022",
      "--platform=neutral",
      "--external:node:*",
      ...external.map((pattern) => `--external:${pattern}`),
      "--log-level=warning",
      `--outfile=${outfile}`,
    ],
    stderr: "piped",
  }).output();
  const warnings = new TextDecoder().decode(stderr);
  if (code != 0 || warnings.trim()) throw new Error(`esbuild ${source}:\n${warnings}`);
}

/**
 * The classes an ES module defines, wherever: at its top, or indented in the wrapper that esbuild
 * puts around a module it inlines for an `import()`.
 */
function classNames(text: string): string[] {
  return [...text.matchAll(/^\s*(?:(?:var|let|const)\s+)?(\w+)\s*=\s*class\b|^\s*class\s+(\w+)/gm)]
    .map((match) => match[1] ?? match[2]);
}

/** The names an ES module exports (esbuild writes one `export { … }` at its end). */
function exportedNames(text: string): Set<string> {
  const list = [...text.matchAll(/^export\s*\{([^}]*)\}/gm)].map((match) => match[1]).join(",");
  return new Set(list.split(",").map((name) => name.trim().split(/\s+as\s+/).at(-1)!));
}

/** The names an ES module imports from `specifier`. */
function importedNames(text: string, specifier: string): string[] {
  return [...text.matchAll(/^import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/gm)]
    .filter((match) => match[2] == specifier)
    .flatMap((match) => match[1].split(","))
    .map((name) => name.trim().split(/\s+as\s+/)[0])
    .filter(Boolean);
}

/** The specifiers of an ES module's `import … from` and `export … from` statements. */
function staticImports(text: string): string[] {
  return [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm)]
    .map((match) => match[1]);
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
