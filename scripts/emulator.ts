/**
 * Runs the QingStor emulator in the foreground, for your own tests: the
 * command line's `emulator` subcommand (`qingstor-multipart emulator`), kept
 * for `deno task emulator` and `npm run emulator`:
 *
 *     deno task emulator [--port N] [--access-key-id ID --secret-access-key KEY]
 *                        [--public-bucket NAME]... [--min-part-size SIZE] [--storage bytes|digest]
 *                        [--body-timeout MS] [--request-log-limit N]
 *
 * The first line printed is `listening on http://127.0.0.1:PORT`; without a
 * key pair, the development pair follows, ready for `export`.
 *
 * @module
 */
import { exit } from "../src/cli/exit.ts";
import { run } from "../src/cli/run.ts";

await exit(await run(["emulator", ...Deno.args]));
