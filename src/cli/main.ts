#!/usr/bin/env node
/**
 * The `qingstor-multipart` command line: `upload`, `list`, `abort`,
 * `presign` and `emulator`. Run it with Node (the npm package's bin),
 * `deno run -A src/cli/main.ts` or `bun src/cli/main.ts`. It uses web
 * standards and `node:` built-ins only, which all three provide, though
 * not quite alike: how a closed pipe is reported, how `parseArgs` words its
 * errors, what `fs.openAsBlob` holds in memory. Where they differ, the CLI
 * does not rely on them (see `output.ts`, `args.ts`, `file_body.ts`), and the
 * tests run it as a child process under each. The library never imports it.
 *
 * @module
 */
import process from "node:process";
import { exit } from "./exit.ts";
import { guardOutput } from "./output.ts";
import { run } from "./run.ts";

guardOutput();
await exit(await run(process.argv.slice(2)));
