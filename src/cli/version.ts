/**
 * The package's version, as `--version` prints it. Kept equal to `version`
 * in deno.json, from which the npm package's version is written: a test
 * compares the two, and `scripts/build_npm.ts` refuses to build when they
 * differ. A constant rather than a file read at run time, so that it is the
 * same from a checkout, the npm package, or a URL.
 */
export const VERSION = "0.1.0";
