/**
 * Reads the runnable examples out of the README's "## Runtimes" section, so
 * the tests run exactly what the README prints: a code block whose info
 * string names a file (three backticks, `js worker.js`) is that file.
 *
 * @module
 */
import { readFileSync } from "node:fs";

/** The README of the project. */
export const README = new URL("../../../README.md", import.meta.url);

/**
 * The source of one example.
 *
 * @param {string} name The file name after the language in the block's info string.
 * @returns {string} The block's code, verbatim.
 */
export function readmeExample(name) {
  const text = readFileSync(README, "utf8");
  const start = text.indexOf("\n## Runtimes\n");
  if (start < 0) throw new Error("README.md has no '## Runtimes' section");
  const end = text.indexOf("\n## ", start + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  const blocks = [...section.matchAll(/^```\w+ (\S+)\n([\s\S]*?)^```$/gm)]
    .filter((match) => match[1] == name);
  if (blocks.length != 1) {
    throw new Error(`README.md '## Runtimes' has ${blocks.length} examples named ${name}`);
  }
  return blocks[0][2];
}
