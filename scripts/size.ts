/**
 * Prints the minified and gzipped size of an entry that imports only
 * `createClient` and `initiateMultipartUpload`, the smallest useful program,
 * bundled with Bun's bundler (it works offline). MD5 is loaded on demand,
 * for SSE-C keys only, so it is measured apart.
 *
 *     deno task size
 *
 * @module
 */
const bun = new URL("../node_modules/.bin/bun", import.meta.url).pathname;

async function measure(source: string, external: string[] = []): Promise<[number, number]> {
  const entry = await Deno.makeTempFile({ dir: Deno.cwd(), suffix: "_size_entry.ts" });
  try {
    await Deno.writeTextFile(entry, source);
    const { code, stdout, stderr } = await new Deno.Command(bun, {
      args: [
        "build",
        "--minify",
        "--target=browser",
        "--format=esm",
        ...external.flatMap((pattern) => ["--external", pattern]),
        entry,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (code != 0) throw new Error(new TextDecoder().decode(stderr));
    const gzipped = await new Response(
      new Blob([stdout]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer();
    return [stdout.length, gzipped.byteLength];
  } finally {
    await Deno.remove(entry);
  }
}

const [minified, gzipped] = await measure(
  'export { createClient, initiateMultipartUpload } from "./mod.ts";\n',
  ["*/md5.ts"],
);
console.log(
  `createClient + initiateMultipartUpload: ${minified} bytes minified, ` +
    `${gzipped} bytes minified + gzipped (target 2560)`,
);
const [, md5] = await measure('export { md5 } from "./src/md5.ts";\n');
console.log(`  plus, loaded only for SSE-C keys: MD5, ${md5} bytes minified + gzipped`);
