/**
 * Prints the minified and gzipped size of an entry that imports only
 * `createClient` and `initiateMultipartUpload`, the smallest useful program,
 * bundled with Bun's bundler (it works offline). SSE-C (its key check and
 * MD5) is loaded on demand, when a customer key is given, and so is the
 * remote signer's part of each request (`sign_remotely.ts`), when the client
 * has a signer: both are measured apart.
 *
 *     deno task size [--budget BYTES]
 *
 * With `--budget`, it exits with 1 when the minimal program's gzipped size
 * is over BYTES: the test matrix uses that to catch code that creeps onto the
 * minimal path (such as MD5 imported statically).
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
  ["*/customer_key_headers.ts", "*/sign_remotely.ts"],
);
console.log(
  `createClient + initiateMultipartUpload: ${minified} bytes minified, ` +
    `${gzipped} bytes minified + gzipped`,
);
const budgetAt = Deno.args.indexOf("--budget");
const budget = budgetAt < 0 ? Infinity : Number(Deno.args[budgetAt + 1]);
const [, sseC] = await measure(
  'export { customerKeyHeaders } from "./src/request/customer_key_headers.ts";\n',
  ["*/validate.ts"],
);
console.log(
  `  plus, loaded only when an SSE-C key is given: ${sseC} bytes minified + gzipped`,
);
const [, remote] = await measure(
  'export { remoteSigner } from "./src/signer/remote_signer.ts";\n' +
    'export { signRemotely } from "./src/signer/sign_remotely.ts";\n',
  ["*/validate.ts", "*/until_aborted.ts"],
);
console.log(
  `  plus, for a client with remoteSigner: ${remote} bytes minified + gzipped`,
);
if (gzipped > budget) {
  console.log(`over the budget of ${budget} bytes by ${gzipped - budget}`);
  Deno.exit(1);
}
