/**
 * What importing the installed npm package costs a cold Node process: the
 * package is built, packed and installed into a project under
 * `build/bench-import/`, then fresh Node processes each time one
 * `await import()`: of the package by name, or of an empty module, taking
 * turns. It prints the median of each, and the package's cost over the empty
 * module against the target (at most +3 ms); with, for comparison, the same
 * source compiled module by module by tsc, as the package shipped before it
 * was bundled, and an empty package with the same `exports` map: the part of
 * the cost that is Node's resolving a package by name (about 1.4 ms in Node
 * 20, of which `exports` alone takes some 0.7 ms over a `main` field), which
 * no code of ours can shorten. Exits 1 when the target is missed.
 *
 *     npm run bench:import [-- --runs 21]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { buildNpm, NPM_NAME } from "../build_npm.ts";
import { COMPILER_OPTIONS, tsc } from "../tsc.ts";
import { formatTargets, median, missedTargets, type TargetRow } from "./table.ts";

/** The most milliseconds the package may add to an empty module's import. */
const TARGET_MS = 3;

const { values } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "21" } },
});
const runs = Number(values.runs);
if (!(Number.isInteger(runs) && runs > 0)) {
  console.error("--runs must be a whole number of at least 1.");
  Deno.exit(2);
}

const root = new URL("../../", import.meta.url).pathname;
const project = `${root}build/bench-import`;
await Deno.remove(project, { recursive: true }).catch(() => {});
await Deno.mkdir(project, { recursive: true });

async function exec(command: string, args: string[], cwd = root): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(command, { args, cwd }).output();
  const decoder = new TextDecoder();
  if (code != 0) throw new Error(`${command} ${args.join(" ")}:\n${decoder.decode(stderr)}`);
  return decoder.decode(stdout);
}

// As users get it: packed, then installed from the tarball (offline: it has no dependencies).
const { dir } = await buildNpm();
await Deno.writeTextFile(
  `${project}/package.json`,
  JSON.stringify({ name: "bench-import", private: true, type: "module" }),
);
const tarball = (await exec("npm", ["pack", "--silent", "--pack-destination", project, dir]))
  .trim();
await exec("npm", [
  "install",
  "--offline",
  "--no-audit",
  "--no-fund",
  "--ignore-scripts",
  `./${tarball.split("\n").at(-1)}`,
], project);

// The same source compiled one module per file, as the package was before it was bundled.
const unbundled = `${project}/node_modules/unbundled`;
await tsc(`${root}build/bench-import-tsc`, {
  compilerOptions: { ...COMPILER_OPTIONS, rootDir: "../..", outDir: unbundled },
  files: ["../../mod.ts"],
});
await Deno.writeTextFile(
  `${unbundled}/package.json`,
  JSON.stringify({ name: "unbundled", type: "module", exports: "./mod.js" }),
);

// A package with nothing in it, resolved by name as ours is: the floor under any package.
const emptyPackage = `${project}/node_modules/empty-package`;
await Deno.mkdir(emptyPackage, { recursive: true });
const { exports } = JSON.parse(await Deno.readTextFile(`${dir}/package.json`));
await Deno.writeTextFile(
  `${emptyPackage}/package.json`,
  JSON.stringify({
    name: "empty-package",
    type: "module",
    exports: Object.fromEntries(Object.keys(exports).map((subpath) => [subpath, "./empty.js"])),
  }),
);
await Deno.writeTextFile(`${emptyPackage}/empty.js`, "export {};\n");

await Deno.writeTextFile(`${project}/empty.mjs`, "export {};\n");
/** Each probe imports one module, timing only that import, and prints the milliseconds. */
const probes = {
  empty: "./empty.mjs",
  "empty package": "empty-package",
  bundled: NPM_NAME,
  unbundled: "unbundled",
};
for (const [name, specifier] of Object.entries(probes)) {
  await Deno.writeTextFile(
    `${project}/${name}.probe.mjs`,
    `const started = performance.now();\nawait import(${JSON.stringify(specifier)});\n` +
      `console.log(performance.now() - started);\n`,
  );
}

const times = Object.fromEntries(
  Object.keys(probes).map((name) => [name, [] as number[]]),
) as Record<keyof typeof probes, number[]>;
const names = Object.keys(probes) as (keyof typeof probes)[];
for (let run = 0; run < runs; run++) {
  // Interleaved, each in a fresh process, the order turning each round so none always goes first.
  for (let turn = 0; turn < names.length; turn++) {
    const name = names[(run + turn) % names.length];
    times[name].push(Number(await exec("node", [`${name}.probe.mjs`], project)));
  }
}
const node = (await exec("node", ["--version"])).trim();
console.log(`cold import in Node ${node}, median of ${runs} fresh processes, interleaved:`);
for (const name of names) console.log(`  ${name.padEnd(13)} ${median(times[name]).toFixed(2)} ms`);
const over = (name: keyof typeof probes) => median(times[name]) - median(times.empty);
console.log(
  `  the same source unbundled (tsc, one file per module): +${over("unbundled").toFixed(1)} ms`,
);
console.log(
  `  an empty package by name (Node's part, no code): +${over("empty package").toFixed(2)} ms`,
);
const rows: TargetRow[] = [{
  name: "import by name, over an empty module",
  value: `+${over("bundled").toFixed(2)} ms`,
  target: `≤ +${TARGET_MS} ms`,
  pass: over("bundled") <= TARGET_MS,
}];
console.log(`\n${formatTargets(rows)}`);
const missed = missedTargets(rows);
for (const line of missed) console.log(line);
Deno.exit(missed.length ? 1 : 0);
