/**
 * Runs the QingStor emulator in the foreground, for your own tests:
 *
 *     deno task emulator [--port N] [--access-key-id ID --secret-access-key KEY]
 *                        [--public-bucket NAME]... [--min-part-size BYTES] [--storage bytes|digest]
 *                        [--body-timeout MS] [--request-log-limit N]
 *
 * The first line printed is `listening on http://127.0.0.1:PORT`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { createEmulator, serveEmulator } from "../src/testing/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: "string", default: "0" },
    "access-key-id": { type: "string" },
    "secret-access-key": { type: "string" },
    "public-bucket": { type: "string", multiple: true, default: [] },
    "min-part-size": { type: "string" },
    storage: { type: "string", default: "bytes" },
    "body-timeout": { type: "string" },
    "request-log-limit": { type: "string" },
  },
});

const accessKeyId = values["access-key-id"];
const secretAccessKey = values["secret-access-key"];
if (!accessKeyId != !secretAccessKey) {
  console.error("Give both --access-key-id and --secret-access-key, or neither.");
  Deno.exit(2);
}
const server = await serveEmulator(
  createEmulator({
    credentials: accessKeyId && secretAccessKey ? [{ accessKeyId, secretAccessKey }] : [],
    publicBuckets: values["public-bucket"],
    minPartSize: values["min-part-size"] ? Number(values["min-part-size"]) : undefined,
    storage: values.storage == "digest" ? "digest" : "bytes",
    bodyTimeout: values["body-timeout"] ? Number(values["body-timeout"]) : undefined,
    requestLogLimit: values["request-log-limit"] ? Number(values["request-log-limit"]) : undefined,
  }),
  { port: Number(values.port) },
);
console.log(`listening on ${server.url}`);
Deno.addSignalListener("SIGINT", async () => {
  await server.close();
  Deno.exit(0);
});
