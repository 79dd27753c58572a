/**
 * Compiles the source and the tests with tsc for Node 20, which cannot run
 * TypeScript.
 *
 * @module
 */
import { COMPILER_OPTIONS, tsc } from "./tsc.ts";

/** Where the compiled tree goes. */
export const NODE_BUILD = "build/node";

/**
 * Runs tsc over `mod.ts`, `src/` and `tests/` into `build/node`.
 *
 * @returns The output folder.
 * @throws {Error} If tsc reports errors.
 */
export async function compileForNode(): Promise<{ outDir: string }> {
  await tsc(NODE_BUILD, {
    compilerOptions: { ...COMPILER_OPTIONS, rootDir: "../..", outDir: "." },
    include: ["../../mod.ts", "../../src/**/*.ts", "../../tests/**/*.ts"],
  });
  return { outDir: NODE_BUILD };
}
