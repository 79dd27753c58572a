/**
 * The whole test matrix, as `npm test` runs it: static checks, then the test
 * suites under Deno, Node and Bun, then the packaging checks and the
 * real-runtime tests. It ends with one line, `N passed, N failed`, counting
 * every test case of every runtime and every check.
 *
 *     deno run -A scripts/test.ts [--quick]
 *
 * `--quick` runs the static checks and the Deno suite only.
 *
 * @module
 */
import { compileForNode } from "./compile_node.ts";

const bin = (name: string) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
const deno = Deno.execPath();
const quick = Deno.args.includes("--quick");

/**
 * The repository stands on its own: users clone only it, so no test may read
 * a file outside it (a sibling folder of our own checkouts, say). The test
 * processes get read access to the repository alone, under Deno's and Node's
 * permission models, and their temporary files go to `build/tmp` inside it.
 * The loopback addresses are the only network the Deno tests may reach.
 */
const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const TMP = `${ROOT}/build/tmp`;
await Deno.mkdir(TMP, { recursive: true });
const DENO_SANDBOX = [
  `--allow-read=${ROOT}`,
  `--allow-write=${TMP}`,
  "--allow-net=127.0.0.1,localhost",
  "--allow-env",
  "--allow-run",
  "--allow-sys",
];
/** The scripts the matrix runs (size, build) may also write their output inside the repository. */
const SCRIPT_SANDBOX = [
  `--allow-read=${ROOT}`,
  `--allow-write=${ROOT}`,
  "--allow-env",
  "--allow-run",
];
const NODE_SANDBOX = [
  "--experimental-permission",
  `--allow-fs-read=${ROOT}/*`,
  `--allow-fs-write=${TMP}/*`,
  "--allow-child-process",
  "--allow-worker",
];

let passed = 0;
let failed = 0;
const STEP_TIMEOUT = 5 * 60 * 1000;

interface Step {
  name: string;
  command: string[];
  env?: Record<string, string>;
  /** Reads the runner's own counts from its output; a plain check counts as one. */
  count?: (output: string) => { passed: number; failed: number } | undefined;
}

async function run(step: Step): Promise<void> {
  const started = performance.now();
  const [command, ...args] = step.command;
  const child = new Deno.Command(command, {
    args,
    env: { NO_COLOR: "1", TMPDIR: TMP, ...step.env },
    stdout: "piped",
    stderr: "piped",
    // A step that hangs fails on its own instead of holding CI until its time runs out.
    signal: AbortSignal.timeout(STEP_TIMEOUT),
  });
  const { code, stdout, stderr } = await child.output();
  // deno colours its summary even with NO_COLOR when it is not a TTY; strip ANSI codes.
  const output = (new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr))
    .replace(new RegExp(String.fromCharCode(27) + "\\[[0-9;]*m", "g"), "");
  const counts = step.count?.(output);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (code != 0 || (step.count && (!counts || counts.failed > 0))) {
    console.log(output.trimEnd());
  }
  if (counts) {
    passed += counts.passed;
    failed += counts.failed;
    if (code != 0 && counts.failed == 0) failed++;
    console.log(
      `${
        code == 0 ? "ok  " : "FAIL"
      } ${step.name}: ${counts.passed} passed, ${counts.failed} failed (${seconds}s)`,
    );
  } else if (step.count) {
    failed++;
    console.log(`FAIL ${step.name}: no test summary found (exit ${code}, ${seconds}s)`);
  } else {
    code == 0 ? passed++ : failed++;
    console.log(`${code == 0 ? "ok  " : "FAIL"} ${step.name} (${seconds}s)`);
  }
}

const denoCount = (output: string) => {
  const match =
    /(?:ok|FAILED) \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \((\d+) steps?\))?/
      .exec(output);
  return match
    ? { passed: Number(match[2] ?? match[1]), failed: Number(match[4] ?? match[3]) }
    : undefined;
};
const nodeCount = (output: string) => {
  const pass = /^# pass (\d+)$/m.exec(output);
  const fail = /^# fail (\d+)$/m.exec(output);
  return pass && fail ? { passed: Number(pass[1]), failed: Number(fail[1]) } : undefined;
};
const bunCount = (output: string) => {
  const pass = /^ (\d+) pass$/m.exec(output);
  const fail = /^ (\d+) fail$/m.exec(output);
  return pass && fail ? { passed: Number(pass[1]), failed: Number(fail[1]) } : undefined;
};

const testFiles = [...Deno.readDirSync("tests")]
  .filter((entry) => entry.isFile && entry.name.endsWith("_test.ts"))
  .map((entry) => entry.name)
  .sort();

await run({ name: "deno fmt --check", command: [deno, "fmt", "--check"] });
await run({ name: "deno lint", command: [deno, "lint"] });
await run({ name: "deno check", command: [deno, "check", "mod.ts", "src/", "tests/", "scripts/"] });
await run({
  name: "deno doc --lint",
  command: [deno, "doc", "--lint", "mod.ts", "src/testing/mod.ts"],
});
await run({
  name: "deno test",
  command: [deno, "test", ...DENO_SANDBOX, ...testFiles.map((file) => `tests/${file}`)],
  count: denoCount,
});
await run({
  // Not a performance figure, which only scripts measure: a regression guard, so that nothing
  // creeps onto the minimal program's path unnoticed (MD5 alone would add 1.5 KB). 4096 B until
  // the production-failure work put the deadline around credentials and signing, redaction of
  // secrets, input checks, clockOffset and the uncertain-attempt report on this path (4,692 B);
  // the echoed SSE-C algorithm added 27 B; initiate's header rules shared with PUT Object (one
  // objectHeaders() call, the same code) 4-9 B, the bundler's short names shifting with what
  // mod.ts exports. Issue "Fast where users run it" revisits the budget.
  name: "size: createClient + initiateMultipartUpload within 4744 B gzipped",
  command: [deno, "run", ...SCRIPT_SANDBOX, "scripts/size.ts", "--budget", "4744"],
});
await run({
  // The JSDoc examples, so that none rots (those marked `ignore` need the real service).
  name: "deno test --doc",
  command: [deno, "test", "--doc", ...DENO_SANDBOX, "mod.ts", "src/"],
  count: denoCount,
});

if (!quick) {
  const compiled = await compileForNode();
  passed++;
  console.log(`ok   tsc (tests compiled for Node into ${compiled.outDir})`);
  await run({
    name: "node --test",
    command: [
      "node",
      ...NODE_SANDBOX,
      "--test",
      "--test-reporter=tap",
      ...testFiles.map((file) => `${compiled.outDir}/tests/${file.replace(/\.ts$/, ".js")}`),
    ],
    count: nodeCount,
  });
  await run({
    name: "bun test",
    command: [bin("bun"), "test", ...testFiles.map((file) => `./tests/${file}`)],
    count: bunCount,
  });
}

if (!quick) {
  // The package as consumers meet it, then each runtime for real against the emulator over
  // loopback (tests/runtime/). The build runs first: every later step uses npm/.
  await run({
    name: "build:npm",
    command: [deno, "run", ...SCRIPT_SANDBOX, "scripts/build_npm.ts"],
  });
  await run({
    name: "publint npm",
    command: [bin("publint"), "--strict", "npm"],
    // publint exits 0 on suggestions; we want none at all.
    count: (output) => ({
      passed: /All good!/.test(output) ? 1 : 0,
      failed: /All good!/.test(output) ? 0 : 1,
    }),
  });
  await run({
    name: "attw --pack npm --profile esm-only",
    command: [bin("attw"), "--pack", "npm", "--profile", "esm-only"],
  });
  // --allow-dirty: the build and local edits must not stop the check; CI's clone is clean anyway.
  // It needs no network: slow types and the file list are checked locally.
  await run({
    name: "deno publish --dry-run",
    command: [deno, "publish", "--dry-run", "--allow-dirty"],
  });
  await run({
    name: "deno: mod.ts by path and by URL",
    command: [deno, "test", ...DENO_SANDBOX, "tests/runtime/deno/import_by_url_test.ts"],
    count: denoCount,
  });
  // The browser step also reads the system's Chromium, and the files playwright-core probes to
  // learn whether it runs under WSL: outside the repository, but no source of ours.
  const chromium = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
  const browserReads = [
    chromium,
    "/proc/version",
    "/proc/sys/fs/binfmt_misc/WSLInterop",
    "/run/WSL",
  ]
    .map((path) => `--allow-fs-read=${path}`);
  for (
    const [name, file, extra] of [
      ["node + bun: the npm package by name", "tests/runtime/node/consumer_test.mjs", []],
      ["workers: Miniflare (workerd)", "tests/runtime/workers/worker_test.mjs", []],
      ["browser: Chromium", "tests/runtime/browser/browser_test.mjs", browserReads],
    ] as const
  ) {
    await run({
      name,
      command: ["node", ...NODE_SANDBOX, ...extra, "--test", "--test-reporter=tap", file],
      count: nodeCount,
    });
  }
}

console.log(`${passed} passed, ${failed} failed`);
Deno.exit(failed ? 1 : 0);
