/**
 * Prints the minified and gzipped size of an entry that imports only
 * `createClient` and `initiateMultipartUpload`, the smallest useful program.
 * Bundled with Bun's bundler, which works offline.
 *
 *     deno task size
 *
 * @module
 */
const entry = await Deno.makeTempFile({ dir: Deno.cwd(), suffix: "_size_entry.ts" });
const output = await Deno.makeTempFile({ suffix: ".js" });
try {
  await Deno.writeTextFile(
    entry,
    'export { createClient, initiateMultipartUpload } from "./mod.ts";\n',
  );
  const bun = new URL("../node_modules/.bin/bun", import.meta.url).pathname;
  const { code, stderr } = await new Deno.Command(bun, {
    args: ["build", "--minify", "--target=browser", "--format=esm", `--outfile=${output}`, entry],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code != 0) throw new Error(new TextDecoder().decode(stderr));
  const minified = await Deno.readFile(output);
  const gzipped = await new Response(
    new Blob([minified]).stream().pipeThrough(new CompressionStream("gzip")),
  ).arrayBuffer();
  console.log(
    `createClient + initiateMultipartUpload: ${minified.length} bytes minified, ` +
      `${gzipped.byteLength} bytes minified + gzipped (target 2560)`,
  );
} finally {
  await Deno.remove(entry);
  await Deno.remove(output);
}
