/**
 * Prints the minified and gzipped size of small programs built on the
 * library, bundled with Bun's bundler (it works offline): the smallest useful
 * one (`createClient` + `initiateMultipartUpload`), `createClient` + `upload`,
 * and the whole API. The code loaded on demand (`ON_DEMAND` in build_npm.ts:
 * MD5, SSE-C, user metadata's checks, upload()'s single PUT, progress, resume
 * and clean-up after a lost initiate answer, a remote signer's part of each
 * request, the signing server's) is left out of each, being loaded only when
 * a program runs it, and measured apart; for `createClient` + `upload`, also
 * with what an upload with the default options loads (MD5).
 *
 *     deno task size [--check]
 *
 * With `--check`, it exits with 1 when a program is over its budget, or
 * when a program that does not import an optional module (the command line,
 * say) carries any of its code: the test matrix runs it so, to catch code that
 * creeps onto a path (such as MD5 imported statically). Which source files end
 * up in a program is read from esbuild's metafile, which names them.
 *
 * @module
 */
// Modules loaded on demand, when an option asks for them, are never part of a program's size: the
// package's build keeps the list.
import { ON_DEMAND, ON_DEMAND_EXTERNAL, SHARED_WITH_ENTRY } from "./build_npm.ts";
const bin = (name: string) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;

/** The programs measured: what they import from `mod.ts`, and their budget in gzipped bytes. */
const PROGRAMS = [
  // Issue 13 asked for 4096 B, the size before the production-failure work: this path now holds
  // what the first request needs to be sent and to fail safely (the client's checks, the attempt
  // deadline around credentials and signing, retries, redaction of secrets in errors, the clock
  // offset, the uncertain-attempt report), none of which can wait for an import: it runs when
  // a request fails, when a page's network may be failing too. Even with every English message
  // in it taken out, it measured 4159 B. Metadata's checks went on demand (208 B off); the remote
  // signer's branch in send() and createClient's signer option added about 140 B (its own code
  // is loaded only by a client with a signer).
  {
    name: "createClient + initiateMultipartUpload",
    exports: "createClient, initiateMultipartUpload",
    budget: 4864,
  },
  // Issue 13's 10240 B. What only some uploads run is loaded when one does (ON_DEMAND in
  // build_npm.ts): MD5, at the first part hashed (about 2 KB; it is on by default, so its line
  // below counts it too); the single PUT of a body that fits in one part; byte-level progress;
  // resume; the clean-up after an initiate whose answer was lost.
  {
    name: "createClient + upload",
    exports: "createClient, upload",
    budget: 10240,
    // What an upload with the default options loads besides, and so what a page downloads.
    loads: ["src/md5_sliced.ts"],
  },
  { name: "the whole API", exports: "*" },
];

/**
 * Source a program must not carry unless it imports it, one line per module or folder (a path
 * from the repository root; a folder ends in `/`), with the export of `mod.ts` that brings it in,
 * if any: a program that imports that export, or the whole API, may carry it.
 */
const OPTIONAL: [path: string, exported?: string][] = [
  ["src/cli/"],
  ["src/testing/"],
  ["src/operations/presign_parts.ts", "presignParts"],
  ["src/signer/remote_signer.ts", "remoteSigner"],
  ["src/signer/handle_sign_request.ts", "handleSignRequest"],
  ["src/signer/signable_operations.ts", "handleSignRequest"],
  ["src/upload/local_storage_resume_store.ts", "localStorageResumeStore"],
];

async function command(name: string, args: string[]): Promise<Uint8Array<ArrayBuffer>> {
  const { code, stdout, stderr } = await new Deno.Command(bin(name), {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code != 0) throw new Error(`${name}: ${new TextDecoder().decode(stderr)}`);
  return stdout;
}

async function gzipped(bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  const compressed = await new Response(
    new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip")),
  ).arrayBuffer();
  return compressed.byteLength;
}

/** Bundles `source` as a program at the repository root: its size, and the files it carries. */
async function measure(source: string, external: string[]) {
  const entry = await Deno.makeTempFile({ dir: Deno.cwd(), suffix: "_size_entry.ts" });
  const metafile = `${entry}.meta.json`;
  try {
    await Deno.writeTextFile(entry, source);
    const minified = await command("bun", [
      "build",
      "--minify",
      "--target=browser",
      "--format=esm",
      ...external.flatMap((pattern) => ["--external", pattern]),
      entry,
    ]);
    await command("esbuild", [
      entry,
      "--bundle",
      "--minify",
      "--format=esm",
      "--platform=neutral",
      ...external.map((pattern) => `--external:${pattern}`),
      `--metafile=${metafile}`,
      "--outfile=/dev/null",
      "--log-level=error",
    ]);
    const meta = JSON.parse(await Deno.readTextFile(metafile));
    const files = Object.values(meta.outputs as Record<string, { inputs: object }>)
      .flatMap((output) =>
        Object.entries(output.inputs as Record<string, { bytesInOutput: number }>)
          .filter(([, input]) => input.bytesInOutput > 0)
          .map(([file]) => file)
      );
    return { minified: minified.length, gzipped: await gzipped(minified), files };
  } finally {
    await Deno.remove(entry);
    await Deno.remove(metafile).catch(() => {});
  }
}

/** The patterns that keep code loaded on demand out of a bundle, but for `loaded`'s. */
const onDemandBut = (loaded: readonly string[]) =>
  ON_DEMAND_EXTERNAL.filter((pattern) => !loaded.some((file) => file.endsWith(pattern.slice(1))));

const check = Deno.args.includes("--check");
const problems: string[] = [];
for (const program of PROGRAMS) {
  const source = program.exports == "*"
    ? 'export * from "./mod.ts";\n'
    : `export { ${program.exports} } from "./mod.ts";\n`;
  const { minified, gzipped, files } = await measure(source, onDemandBut([]));
  const budget = program.budget ? ` (budget ${program.budget})` : "";
  console.log(
    `${program.name}: ${minified} bytes minified, ${gzipped} bytes minified + gzipped${budget}`,
  );
  if (program.loads) {
    // Measured as one file with the program, as a bundler without code splitting would make it.
    const loaded = await measure(source, onDemandBut(program.loads));
    console.log(
      `  with what it loads when run with the default options (${program.loads.join(", ")}): ` +
        `${loaded.gzipped} bytes minified + gzipped`,
    );
  }
  if (program.budget && gzipped > program.budget) {
    problems.push(
      `${program.name} is over its budget of ${program.budget} bytes by ${
        gzipped - program.budget
      }`,
    );
  }
  for (const [optional, exported] of OPTIONAL) {
    if (exported && (program.exports == "*" || program.exports.includes(exported))) continue;
    const carried = files.filter((file) =>
      optional.endsWith("/") ? file.startsWith(optional) : file == optional
    );
    if (carried.length) {
      problems.push(`${program.name} carries ${optional}, which it does not import: ${carried}`);
    }
  }
}
for (const file of ON_DEMAND) {
  // What loading it adds: the library code it shares with the program is not counted again.
  const { gzipped } = await measure(`export * from "./${file}";\n`, [
    ...SHARED_WITH_ENTRY,
    ...onDemandBut([file]),
    "*/validate.ts",
    "*/encoding.ts",
  ]);
  console.log(`  plus, loaded only when asked for: ${file}, ${gzipped} bytes minified + gzipped`);
}
for (const problem of problems) console.log(problem);
if (check && problems.length) Deno.exit(1);
