/**
 * Runs the TypeScript compiler for Node, which cannot run `.ts` files: the
 * Node test build and the npm package build share these options, so both
 * compile the source the same way.
 *
 * @module
 */

/** The compiler options both builds use; each adds its own roots and output. */
export const COMPILER_OPTIONS = {
  target: "ES2022",
  // ES2024 for String.prototype.isWellFormed (Node 20 has it); DOM for fetch, WebCrypto, streams.
  lib: ["ES2024", "DOM", "DOM.Iterable"],
  module: "NodeNext",
  moduleResolution: "NodeNext",
  // The source imports `./x.ts`, as Deno wants; the emitted JavaScript imports `./x.js`.
  rewriteRelativeImportExtensions: true,
  allowImportingTsExtensions: true,
  strict: true,
  noImplicitOverride: true,
  noImplicitReturns: true,
  noFallthroughCasesInSwitch: true,
  // `serveEmulator` and the tests import `node:` modules; their types come from @types/node.
  types: ["node"],
  skipLibCheck: true,
  newLine: "lf",
};

/**
 * Writes `tsconfig.json` into a folder and runs tsc on it.
 *
 * @param configDir The folder for the tsconfig; paths in `config` are relative to it.
 * @param config The tsconfig.
 * @throws {Error} If tsc reports errors; the message holds its output.
 */
export async function tsc(configDir: string, config: object): Promise<void> {
  await Deno.mkdir(configDir, { recursive: true });
  await Deno.writeTextFile(`${configDir}/tsconfig.json`, JSON.stringify(config, null, 2));
  const bin = new URL("../node_modules/.bin/tsc", import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(bin, {
    args: ["-p", configDir],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code != 0) {
    const decoder = new TextDecoder();
    throw new Error("tsc failed:\n" + decoder.decode(stdout) + decoder.decode(stderr));
  }
}
