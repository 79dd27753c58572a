#!/usr/bin/env node
/**
 * The `qingstor-multipart` command line: `upload`, `list`, `abort`,
 * `presign` and `emulator`. Run it with Node (the npm package's bin),
 * `deno run -A src/cli/main.ts` or `bun src/cli/main.ts`. It uses web
 * standards and `node:` built-ins only, so it runs the same in all three;
 * the library never imports it.
 *
 * @module
 */
import process from "node:process";
import { exit } from "./exit.ts";
import { guardOutput } from "./output.ts";
import { run } from "./run.ts";

guardOutput();
await exit(await run(process.argv.slice(2)));
