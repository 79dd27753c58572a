/**
 * Compiles the source and the tests with tsc for Node 20, which cannot run
 * TypeScript: `.ts` import specifiers are rewritten to `.js`.
 *
 * @module
 */

/** Where the compiled tree goes. */
export const NODE_BUILD = "build/node";

/**
 * Runs tsc over `mod.ts`, `src/` and `tests/` into `build/node`.
 *
 * @returns The output folder.
 * @throws {Error} If tsc reports errors.
 */
export async function compileForNode(): Promise<{ outDir: string }> {
  const config = {
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2024", "DOM", "DOM.Iterable"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      rewriteRelativeImportExtensions: true,
      allowImportingTsExtensions: true,
      strict: true,
      skipLibCheck: true,
      types: ["node"],
      rootDir: "../..",
      outDir: ".",
    },
    include: ["../../mod.ts", "../../src/**/*.ts", "../../tests/**/*.ts"],
  };
  await Deno.mkdir(NODE_BUILD, { recursive: true });
  await Deno.writeTextFile(`${NODE_BUILD}/tsconfig.json`, JSON.stringify(config, null, 2));
  const tsc = new URL("../node_modules/.bin/tsc", import.meta.url).pathname;
  const { code, stdout } = await new Deno.Command(tsc, {
    args: ["-p", NODE_BUILD],
    stdout: "piped",
  })
    .output();
  if (code != 0) throw new Error("tsc failed:\n" + new TextDecoder().decode(stdout));
  return { outDir: NODE_BUILD };
}
