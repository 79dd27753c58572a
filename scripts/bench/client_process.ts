/**
 * One client of the upload benchmark, measured in a process of its own so
 * that its RSS is its own: `upload()` with or without MD5, or the raw `fetch`
 * ceiling (`raw_client.ts`) with `Uint8Array` or `Blob` bodies. The driver
 * (`upload.ts`) starts it with {@linkcode spawnClient}; it uploads the
 * generated stream to the emulator and prints one line of JSON, a
 * {@linkcode ClientResult}. By hand:
 *
 *     deno run -A scripts/bench/client_process.ts --client upload --endpoint URL [--size-mib 1024]
 *
 * (with an emulator from `emulator_process.ts` at URL).
 *
 * @module
 */
import { createClient, upload } from "../../mod.ts";
import { encodeHex } from "../../src/encoding.ts";
import { Md5 } from "../../src/md5.ts";
import { generatedBody } from "./body.ts";
import {
  benchArgs,
  type BenchOptions,
  BUCKET,
  CREDENTIALS,
  MiB,
  parseBenchOptions,
} from "./options.ts";
import { cpuSeconds, highWaterMark } from "./proc_stats.ts";
import { rawClient } from "./raw_client.ts";

/** Peak RSS is sampled this often, besides the kernel's own high-water mark. */
const RSS_SAMPLE_MS = 20;

/**
 * The clients compared: `upload` and `upload-md5` read their progress from the emulator's parts
 * (no `onProgress`, so plain `fetch`); `upload-progress` is `upload` with `onProgress`, so its
 * parts go through the runtime's counting transport (node:http in Deno).
 */
export type ClientKind = "raw" | "raw-blob" | "upload" | "upload-md5" | "upload-progress";
const KINDS: ClientKind[] = ["raw", "raw-blob", "upload", "upload-md5", "upload-progress"];

/** What one client reports. */
export interface ClientResult {
  client: ClientKind;
  /** The object's key, unique to the run. */
  key: string;
  seconds: number;
  mibs: number;
  /** Peak RSS sampled every 20 ms with `Deno.memoryUsage()`. */
  sampledRss: number;
  /** The kernel's high-water mark (VmHWM), which no sampling can miss; 0 off Linux. */
  hwm: number;
  /** CPU seconds (user + system) the client's process used while uploading. */
  cpu: number;
  /** CPU seconds the emulator used meanwhile, filled in by the driver. */
  emulatorCpu: number;
  /** RSS before the client started, after imports. */
  baselineRss: number;
  /** The most bytes handed out by the source and not yet on the service. */
  maxHeld: number;
  parts: number;
  /** MD5 of the parts' ETags in order, so the clients can be checked to send the same bytes. */
  etags: string;
}

/**
 * Runs one client in this process, timing it and watching its memory and the bytes it holds.
 *
 * @param kind The client.
 * @param endpoint The emulator's URL.
 * @param options Part size and concurrency (and the stream's size).
 * @param total The stream's size, when not `options.size` (a warm-up).
 * @returns What it measured.
 * @throws {Error} When not every byte reached the service.
 */
export async function runClient(
  kind: ClientKind,
  endpoint: string,
  options: BenchOptions,
  total = options.size,
): Promise<ClientResult> {
  const { partSize, concurrency } = options;
  const baselineRss = Deno.memoryUsage().rss;
  let sampledRss = baselineRss;
  const sampler = setInterval(() => {
    sampledRss = Math.max(sampledRss, Deno.memoryUsage().rss);
  }, RSS_SAMPLE_MS);
  // Held bytes only grow when the source hands out a chunk, so checking then finds the maximum.
  let handedOut = 0;
  let loaded = 0;
  let maxHeld = 0;
  const stream = generatedBody(total, (n) => {
    handedOut = n;
    maxHeld = Math.max(maxHeld, handedOut - loaded);
  });
  const key = `bench/${kind}-${crypto.randomUUID()}.bin`;
  const cpuBefore = cpuSeconds();
  const started = performance.now();
  let etags: (string | undefined)[];
  if (kind == "raw" || kind == "raw-blob") {
    etags = await rawClient({
      endpoint,
      key,
      blobs: kind == "raw-blob",
      stream,
      total,
      partSize,
      concurrency,
      onLoaded: (n) => loaded = n,
    });
  } else {
    const progress = kind == "upload-progress";
    // Without onProgress, what is on the service is learnt as each part is answered, through
    // the global fetch as the client's default would call it (parts are numbered from 0).
    const answered = async (request: Request) => {
      const response = await fetch(request);
      const partNumber = new URL(request.url).searchParams.get("part_number");
      if (response.status == 201 && partNumber !== null) {
        loaded += Math.min(partSize, total - Number(partNumber) * partSize);
      }
      return response;
    };
    const client = createClient({
      endpoint,
      credentials: CREDENTIALS,
      ...!progress && { fetch: answered },
    });
    const result = await upload(client, {
      bucket: BUCKET,
      key,
      body: stream,
      size: total,
      partSize,
      // The emulator is started to accept parts of any size, so small smoke runs work too.
      minPartSize: 1,
      concurrency,
      md5: kind == "upload-md5",
      ...progress && { onProgress: (event) => loaded = event.loaded },
    });
    // A body that fits in one part goes in one PUT, which has no parts.
    etags = result.uploadId === undefined ? [result.etag] : result.parts.map((part) => part.etag);
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  sampledRss = Math.max(sampledRss, Deno.memoryUsage().rss);
  if (loaded != total) throw new Error(`${kind}: ${loaded} bytes on the service, not ${total}`);
  return {
    client: kind,
    key,
    seconds,
    mibs: total / MiB / seconds,
    sampledRss,
    hwm: highWaterMark(),
    cpu: cpuSeconds() - cpuBefore,
    emulatorCpu: 0,
    baselineRss,
    maxHeld,
    parts: etags.length,
    etags: encodeHex(new Md5().update(new TextEncoder().encode(etags.join(","))).digest()),
  };
}

/**
 * Runs one client in a child process of its own, and adds the emulator's CPU meanwhile.
 *
 * @param kind The client.
 * @param endpoint The emulator's URL.
 * @param emulatorPid The emulator's process, whose CPU time is read before and after.
 * @param options The stream, part size and concurrency.
 * @returns What the child measured.
 * @throws {Error} When the child fails.
 */
export async function spawnClient(
  kind: ClientKind,
  endpoint: string,
  emulatorPid: number,
  options: BenchOptions,
): Promise<ClientResult> {
  const emulatorCpu = cpuSeconds(emulatorPid);
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL(import.meta.url).pathname,
      "--client",
      kind,
      "--endpoint",
      endpoint,
      ...benchArgs(options),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const lines = new TextDecoder().decode(stdout).trim().split("\n");
  if (code != 0) throw new Error(`The ${kind} client failed (exit ${code})`);
  const result: ClientResult = JSON.parse(lines[lines.length - 1]);
  // The emulator is idle between clients, so this is its work for this client, give or take
  // the child's start-up.
  result.emulatorCpu = cpuSeconds(emulatorPid) - emulatorCpu;
  return result;
}

if (import.meta.main) {
  const options = parseBenchOptions(Deno.args, ["client", "endpoint"]);
  const { client, endpoint } = options.values;
  if (!KINDS.includes(client as ClientKind) || !endpoint) {
    console.error(`--client (${KINDS.join(", ")}) and --endpoint are required.`);
    Deno.exit(2);
  }
  console.log(JSON.stringify(await runClient(client as ClientKind, endpoint, options)));
}
