/**
 * The upload benchmark's emulator, in a process of its own so that it does
 * not share a JavaScript thread (or an RSS figure) with the client measured.
 * It keeps digest storage (sizes and MD5s, no bytes), so a GiB needs no GiB
 * of memory; accepts parts of any size, so small smoke runs work; and makes
 * the benchmark's bucket public, for the raw `fetch` client's unsigned PUTs.
 *
 * The driver (`upload.ts`) starts it with {@linkcode startEmulator}. By hand:
 *
 *     deno run -A scripts/bench/emulator_process.ts
 *
 * Its first line is `listening on http://127.0.0.1:PORT`. On SIGINT or
 * SIGTERM it prints one line of JSON per object, a {@linkcode DigestReport},
 * and exits.
 *
 * @module
 */
import { createEmulator, serveEmulator } from "../../src/testing/mod.ts";
import { BUCKET, CREDENTIALS } from "./options.ts";

/**
 * Whether digest storage hashed an object's parts in turn. The benchmark never reads an object's
 * MD5 (it compares the parts' ETags, which digest storage always keeps), but the turns change the
 * emulator's work: while they hold, it reads one part at a time and hashes every byte twice (the
 * part's MD5 and the object's); once a part arrives out of order it reads parts concurrently and
 * hashes them once. Which happens depends on the order concurrent requests arrive in.
 */
export interface DigestReport {
  /** The object's key. */
  key: string;
  /** Why its MD5 is unknown (the turns broke), or absent when the parts were hashed in turn. */
  md5Unknown?: string;
}

/** A running emulator process. */
export interface EmulatorProcess {
  /** Its URL. */
  url: string;
  /** Its process ID, for /proc. */
  pid: number;
  /** Stops it, and returns what it reported about each object. */
  stop(): Promise<DigestReport[]>;
}

/**
 * Starts this file as a child process and waits for it to listen.
 *
 * @returns The running emulator.
 * @throws {Error} When it does not print its URL.
 */
export async function startEmulator(): Promise<EmulatorProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) break;
    text += value;
  }
  // Keep reading, so the child never blocks on a full pipe; its reports come when it stops.
  const drained = (async () => {
    for (let chunk; !(chunk = await reader.read()).done;) text += chunk.value;
  })();
  const first = text.split("\n")[0];
  const url = /^listening on (http:\/\/\S+)$/.exec(first)?.[1];
  if (!url) {
    child.kill("SIGKILL");
    throw new Error(`The emulator did not start; it printed: ${JSON.stringify(first)}`);
  }
  return {
    url,
    pid: child.pid,
    async stop() {
      // It closes its server and exits on SIGINT; SIGKILL it if it hangs.
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await child.status;
      clearTimeout(timer);
      await drained;
      return text.split("\n").slice(1).filter(Boolean).map((line) => JSON.parse(line));
    },
  };
}

if (import.meta.main) {
  const emulator = createEmulator({
    credentials: [CREDENTIALS],
    publicBuckets: [BUCKET],
    minPartSize: 1,
    storage: "digest",
  });
  const server = await serveEmulator(emulator);
  // First, and alone on its line: the driver waits for it to learn the port.
  console.log(`listening on ${server.url}`);
  await new Promise<void>((resolve) => {
    Deno.addSignalListener("SIGINT", () => resolve());
    Deno.addSignalListener("SIGTERM", () => resolve());
  });
  await server.close();
  for (const object of emulator.state.objects.values()) {
    const report: DigestReport = { key: object.key, md5Unknown: object.md5Unknown };
    console.log(JSON.stringify(report));
  }
}
