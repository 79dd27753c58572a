/**
 * Benchmarks `upload()` against its ceiling: raw parallel `fetch` PUTs of the
 * same parts, with the same concurrency, to the same emulator. One run
 * measures, over one generated stream of `--size-mib` MiB:
 *
 * 1. `upload()` throughput with `md5: false`;
 * 2. raw `fetch` PUTs of the same parts, unsigned and without MD5, to the
 *    emulator's anonymous public bucket: the ceiling;
 * 3. their ratio (target ≥ 0.9);
 * 4. `upload()` with MD5 on, and its ratio to the ceiling (target ≥ 0.75);
 * 5. our {@linkcode Md5} and `node:crypto`'s MD5 over the same bytes, and
 *    their ratio (target ≥ 0.5);
 * 6. the peak RSS of each client (target: `upload()` at most 64 MiB above
 *    raw `fetch`), and raw `fetch` with `Blob` bodies, to see which body type
 *    `fetch` holds on to least;
 * 7. the most body bytes `upload()` holds (bytes the source handed out minus
 *    bytes on the service), against its bound `partSize × (concurrency + 1)`.
 *
 * The emulator runs in another process over loopback with digest storage,
 * so a GiB needs no GiB of memory; each client runs in a child process of its
 * own (this script with `--client`), so their RSS figures are comparable. It
 * prints a table with every target and PASS or FAIL.
 *
 *     deno task bench:upload [--size-mib 1024] [--part-size-mib 8] [--concurrency 4] [--rounds 2]
 *     deno task bench:upload --size-mib 64    # a quick smoke check
 *
 * Each round runs every client once, in alternating order; throughput is summed over rounds and
 * memory is the worst seen.
 *
 * This is a benchmark, not a test: its numbers depend on the machine, and
 * the emulator, which hashes every part, shares the CPU with the client.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { completeMultipartUpload, createClient, initiateMultipartUpload, upload } from "../mod.ts";
import { Md5 } from "../src/md5.ts";

const MiB = 1024 * 1024;
/** The source hands out chunks of this size, as a file or network stream would. */
const CHUNK = MiB;
const BUCKET = "bench-bucket";
const CREDENTIALS = { accessKeyId: "BENCHACCESSKEYID0000", secretAccessKey: "bench-secret-key" };
const RSS_SAMPLE_MS = 20;
const TARGETS = { ratio: 0.9, md5Ratio: 0.75, hashRatio: 0.5, extraRssMiB: 64 };

const { values } = parseArgs({
  args: Deno.args,
  options: {
    "size-mib": { type: "string", default: "1024" },
    "part-size-mib": { type: "string", default: "8" },
    concurrency: { type: "string", default: "4" },
    rounds: { type: "string", default: "2" },
    // Internal: run one client measurement in this process and print its result as JSON.
    client: { type: "string" },
    endpoint: { type: "string" },
  },
});
const size = Math.round(Number(values["size-mib"]) * MiB);
const partSize = Math.round(Number(values["part-size-mib"]) * MiB);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);
if (
  !(size > 0 && partSize > 0 && Number.isInteger(concurrency) && concurrency >= 1 &&
    Number.isInteger(rounds) && rounds >= 1)
) {
  console.error("--size-mib, --part-size-mib, --concurrency and --rounds must be positive.");
  Deno.exit(2);
}

type ClientKind = "raw" | "raw-blob" | "upload" | "upload-md5";

/** What one client child reports. */
interface ClientResult {
  client: ClientKind;
  seconds: number;
  mibs: number;
  /** Peak RSS sampled every 20 ms with `Deno.memoryUsage()`. */
  sampledRss: number;
  /** The kernel's high-water mark (VmHWM), which no sampling can miss; 0 off Linux. */
  hwm: number;
  /** CPU seconds (user + system) the client's process used while uploading. */
  cpu: number;
  /** CPU seconds the emulator used meanwhile, filled in by the parent. */
  emulatorCpu: number;
  /** RSS before the client started, after imports. */
  baselineRss: number;
  /** The most bytes handed out by the source and not yet on the service. */
  maxHeld: number;
  parts: number;
  /** MD5 of the parts' ETags in order, so the clients can be checked to send the same bytes. */
  etags: string;
}

// ---------------------------------------------------------------------------------------------
// The source: cheap, deterministic bytes.

/** 1 MiB of pseudo-random bytes (xorshift32), the same in every process, filled once. */
function makePattern(): Uint8Array {
  const words = new Uint32Array(CHUNK / 4);
  let x = 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return new Uint8Array(words.buffer);
}
const PATTERN = makePattern();

/**
 * The `index`th chunk of the stream: the pattern with the chunk's number in its first 8 bytes,
 * so no two parts are alike. A fresh copy each time, since a consumer may keep what it is given;
 * a 1 MiB copy costs far less than hashing or sending it.
 */
function chunkAt(index: number, total: number): Uint8Array {
  const length = Math.min(CHUNK, total - index * CHUNK);
  const chunk = PATTERN.slice(0, length);
  const view = new DataView(chunk.buffer);
  if (length >= 8) {
    view.setUint32(0, index);
    view.setUint32(4, ~index >>> 0);
  }
  return chunk;
}

/**
 * A stream of `size` generated bytes that counts what it has handed out. `highWaterMark: 0`
 * makes it produce a chunk only when one is read, so the count is what the consumer holds.
 */
function source(
  total: number,
  onHandOut: (handedOut: number) => void,
): ReadableStream<Uint8Array> {
  let index = 0;
  let handedOut = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (handedOut >= total) return controller.close();
      const chunk = chunkAt(index++, total);
      handedOut += chunk.length;
      onHandOut(handedOut);
      controller.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
}

// ---------------------------------------------------------------------------------------------
// Client children.

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function etagDigest(etags: (string | undefined)[]): string {
  return hex(new Md5().update(new TextEncoder().encode(etags.join(","))).digest());
}

/**
 * CPU seconds (user + system) a process has used, from /proc; 0 where there is none. Clock ticks
 * are 1/100 s on every Linux build Deno ships for.
 */
function cpuSeconds(pid: number | "self" = "self"): number {
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The kernel's record of this process's peak RSS, in bytes; 0 where there is no /proc. */
function highWaterMark(pid: number | "self" = "self"): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/**
 * Cuts the stream into parts the way `upload()` does (one fresh buffer per part, filled by
 * copying), so the raw client does the same copying and holds the same bytes.
 */
async function* rawParts(
  stream: ReadableStream<Uint8Array>,
  total: number,
): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  let buffer = new Uint8Array(Math.min(partSize, total));
  let filled = 0;
  let taken = 0;
  for await (let chunk of stream) {
    while (chunk.length) {
      const take = Math.min(chunk.length, buffer.length - filled);
      buffer.set(chunk.subarray(0, take), filled);
      filled += take;
      chunk = chunk.subarray(take);
      if (filled == buffer.length) {
        yield buffer;
        taken += filled;
        buffer = new Uint8Array(Math.min(partSize, total - taken));
        filled = 0;
      }
    }
  }
  if (filled) yield buffer.subarray(0, filled);
}

/**
 * Initiates once (anonymously, in the public bucket), PUTs the parts with plain `fetch` and no
 * signature or MD5, at most `concurrency` at a time, and completes.
 */
async function rawClient(
  endpoint: string,
  key: string,
  blobs: boolean,
  stream: ReadableStream<Uint8Array>,
  total: number,
  onLoaded: (loaded: number) => void,
): Promise<(string | undefined)[]> {
  const client = createClient({ endpoint });
  const { uploadId } = await initiateMultipartUpload(client, { bucket: BUCKET, key });
  const base = `${endpoint}/${BUCKET}/${encodeURIComponent(key)}?upload_id=${uploadId}`;
  const etags: (string | undefined)[] = [];
  const inFlight = new Set<Promise<void>>();
  let loaded = 0;
  let failure: unknown;
  const put = async (partNumber: number, bytes: Uint8Array<ArrayBuffer>) => {
    const response = await fetch(`${base}&part_number=${partNumber}`, {
      method: "PUT",
      body: blobs ? new Blob([bytes]) : bytes,
    });
    if (response.status != 201) {
      throw new Error(`part ${partNumber}: HTTP ${response.status} ${await response.text()}`);
    }
    await response.body?.cancel();
    etags[partNumber] = response.headers.get("etag")?.replaceAll('"', "");
    loaded += bytes.length;
    onLoaded(loaded);
  };
  let partNumber = 0;
  for await (const bytes of rawParts(stream, total)) {
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure !== undefined) break;
    const task: Promise<void> = put(partNumber++, bytes)
      .catch((error) => void (failure ??= error))
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  await completeMultipartUpload(client, {
    bucket: BUCKET,
    key,
    uploadId,
    parts: etags.map((etag, partNumber) => ({ partNumber, etag })),
  });
  return etags;
}

/** Runs one client, timing it and watching its memory and the bytes it holds. */
async function runClient(
  kind: ClientKind,
  endpoint: string,
  total = size,
): Promise<ClientResult> {
  const baselineRss = Deno.memoryUsage().rss;
  let sampledRss = baselineRss;
  const sampler = setInterval(() => {
    sampledRss = Math.max(sampledRss, Deno.memoryUsage().rss);
  }, RSS_SAMPLE_MS);
  // Held bytes only grow when the source hands out a chunk, so checking then finds the maximum.
  let handedOut = 0;
  let loaded = 0;
  let maxHeld = 0;
  const stream = source(total, (n) => {
    handedOut = n;
    maxHeld = Math.max(maxHeld, handedOut - loaded);
  });
  const key = `bench/${kind}-${crypto.randomUUID()}.bin`;
  const cpuBefore = cpuSeconds();
  const started = performance.now();
  let etags: (string | undefined)[];
  if (kind == "raw" || kind == "raw-blob") {
    etags = await rawClient(endpoint, key, kind == "raw-blob", stream, total, (n) => loaded = n);
  } else {
    const result = await upload(createClient({ endpoint, credentials: CREDENTIALS }), {
      bucket: BUCKET,
      key,
      body: stream,
      size: total,
      partSize,
      // The emulator is started to accept parts of any size, so small smoke runs work too.
      minPartSize: 1,
      concurrency,
      md5: kind == "upload-md5",
      onProgress: (progress) => loaded = progress.loaded,
    });
    etags = result.parts.map((part) => part.etag);
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  sampledRss = Math.max(sampledRss, Deno.memoryUsage().rss);
  if (loaded != total) throw new Error(`${kind}: ${loaded} bytes on the service, not ${total}`);
  return {
    client: kind,
    seconds,
    mibs: total / MiB / seconds,
    sampledRss,
    hwm: highWaterMark(),
    cpu: cpuSeconds() - cpuBefore,
    emulatorCpu: 0,
    baselineRss,
    maxHeld,
    parts: etags.length,
    etags: etagDigest(etags),
  };
}

if (values.client) {
  const result = await runClient(values.client as ClientKind, values.endpoint!);
  console.log(JSON.stringify(result));
  Deno.exit(0);
}

// ---------------------------------------------------------------------------------------------
// The parent: the emulator, the MD5 comparison, then each client in its own process.

/** Reads the first line of a stream, then keeps draining it so the writer never blocks. */
async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) break;
    text += value;
  }
  (async () => {
    while (!(await reader.read()).done);
  })().catch(() => {});
  return text.split("\n")[0];
}

async function startEmulator(): Promise<{ url: string; process: Deno.ChildProcess }> {
  const process = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./emulator.ts", import.meta.url).pathname,
      "--port",
      "0",
      "--access-key-id",
      CREDENTIALS.accessKeyId,
      "--secret-access-key",
      CREDENTIALS.secretAccessKey,
      "--storage",
      "digest",
      "--min-part-size",
      "1",
      "--public-bucket",
      BUCKET,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const line = await firstLine(process.stdout);
  const url = /^listening on (http:\/\/\S+)$/.exec(line)?.[1];
  if (!url) {
    process.kill("SIGKILL");
    throw new Error(`The emulator did not start; it printed: ${JSON.stringify(line)}`);
  }
  return { url, process };
}

async function stopEmulator(process: Deno.ChildProcess): Promise<void> {
  // The emulator closes its server and exits on SIGINT; SIGKILL it if it hangs.
  process.kill("SIGINT");
  const timer = setTimeout(() => process.kill("SIGKILL"), 5000);
  await process.status;
  clearTimeout(timer);
}

async function spawnClient(
  kind: ClientKind,
  endpoint: string,
  emulatorPid: number,
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
      "--size-mib",
      String(size / MiB),
      "--part-size-mib",
      String(partSize / MiB),
      "--concurrency",
      String(concurrency),
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

/**
 * Hashes the generated bytes with both MD5s in one pass, timing only the hashing. Which one goes
 * first alternates per chunk, so neither always finds the chunk already in cache.
 */
function hashBoth(): { ours: number; native: number; generate: number } {
  const ours = new Md5();
  const native = createHash("md5");
  let oursMs = 0;
  let nativeMs = 0;
  let generateMs = 0;
  for (let index = 0; index * CHUNK < size; index++) {
    const t0 = performance.now();
    const chunk = chunkAt(index, size);
    const t1 = performance.now();
    generateMs += t1 - t0;
    if (index % 2) {
      ours.update(chunk);
      const t2 = performance.now();
      native.update(chunk);
      oursMs += t2 - t1;
      nativeMs += performance.now() - t2;
    } else {
      native.update(chunk);
      const t2 = performance.now();
      ours.update(chunk);
      nativeMs += t2 - t1;
      oursMs += performance.now() - t2;
    }
  }
  const a = hex(ours.digest());
  const b = native.digest("hex");
  if (a != b) throw new Error(`MD5 mismatch: ours ${a}, node:crypto ${b}`);
  const mibs = (ms: number) => size / MiB / (ms / 1000);
  return { ours: mibs(oursMs), native: mibs(nativeMs), generate: mibs(generateMs) };
}

/** Sums two rounds of one client: throughput over all bytes, memory at its worst. */
function combine(a: ClientResult, b: ClientResult): ClientResult {
  const seconds = a.seconds + b.seconds;
  if (a.etags != b.etags) throw new Error(`${a.client} sent different parts in two rounds`);
  return {
    ...a,
    seconds,
    mibs: (a.mibs * a.seconds + b.mibs * b.seconds) / seconds,
    sampledRss: Math.max(a.sampledRss, b.sampledRss),
    hwm: Math.max(a.hwm, b.hwm),
    baselineRss: Math.max(a.baselineRss, b.baselineRss),
    maxHeld: Math.max(a.maxHeld, b.maxHeld),
    cpu: a.cpu + b.cpu,
    emulatorCpu: a.emulatorCpu + b.emulatorCpu,
  };
}

const fmtMiB = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
const pad = (text: string | number, width: number) => String(text).padStart(width);

console.log(
  `upload benchmark: ${size / MiB} MiB stream, ${partSize / MiB} MiB parts, concurrency ` +
    `${concurrency}, ${rounds} round(s); Deno ${Deno.version.deno}, ` +
    `${navigator.hardwareConcurrency} cores`,
);
// Other work on the machine skews every figure, and the ratios too: say so up front.
const load = Number(Deno.loadavg()[0]);
if (load > 0.5) {
  console.log(`warning: load average ${load.toFixed(2)}; other processes may skew the results`);
}
// Warm the JIT on one chunk, so the timed pass measures compiled code.
new Md5().update(chunkAt(0, size)).digest();
const hashes = hashBoth();
console.log(
  `MD5 over the same ${size / MiB} MiB: ours ${hashes.ours.toFixed(0)} MiB/s, node:crypto ` +
    `${hashes.native.toFixed(0)} MiB/s; generating it: ${hashes.generate.toFixed(0)} MiB/s`,
);

const emulator = await startEmulator();
console.log(`emulator (another process, digest storage) listening on ${emulator.url}`);
const results = new Map<ClientKind, ClientResult>();
let emulatorHwm = 0;
try {
  // Warm the emulator's JIT (HTTP, signature check, MD5) so the first client timed does not pay
  // for it; this runs in this process, whose memory is not measured.
  const warmUp = Math.min(size, 64 * MiB);
  await runClient("upload-md5", emulator.url, warmUp);
  await runClient("raw", emulator.url, warmUp);
  // Rounds alternate the order (A B C D, then D C B A), so drift in machine load or in the
  // emulator's state weighs on every client alike.
  const order: ClientKind[] = ["raw", "upload", "upload-md5", "raw-blob"];
  for (let round = 0; round < rounds; round++) {
    for (const kind of round % 2 ? order.toReversed() : order) {
      const result = await spawnClient(kind, emulator.url, emulator.process.pid);
      console.log(
        `  round ${round + 1}: ${kind.padEnd(10)} ${pad(result.mibs.toFixed(1), 7)} MiB/s in ` +
          `${result.seconds.toFixed(1)} s, peak RSS ${fmtMiB(result.hwm || result.sampledRss)}, ` +
          `CPU s client ${result.cpu.toFixed(1)} + emulator ${result.emulatorCpu.toFixed(1)}`,
      );
      const before = results.get(kind);
      results.set(kind, before ? combine(before, result) : result);
    }
  }
  emulatorHwm = highWaterMark(emulator.process.pid);
} finally {
  await stopEmulator(emulator.process);
}

const raw = results.get("raw")!;
const rawBlob = results.get("raw-blob")!;
const plain = results.get("upload")!;
const withMd5 = results.get("upload-md5")!;
for (const result of results.values()) {
  if (result.etags != raw.etags || result.parts != raw.parts) {
    throw new Error(`${result.client} sent other parts than raw: the comparison is void`);
  }
}
const peak = (result: ClientResult) => result.hwm || result.sampledRss;
const bound = partSize * (concurrency + 1);

console.log(`
Clients (each in its own process; the emulator in another${
  emulatorHwm ? `, its peak RSS ${fmtMiB(emulatorHwm)}` : ""
})
client                         MiB/s   peak RSS   sampled RSS   baseline   max held   CPU s/GiB: client  emulator  (emulator-bound MiB/s)
${
  [
    ["raw fetch, Uint8Array bodies", raw],
    ["raw fetch, Blob bodies", rawBlob],
    ["upload(), md5: false", plain],
    ["upload(), md5: true", withMd5],
  ].map(([name, r]) => {
    const result = r as ClientResult;
    // CPU per GiB sent, so rounds and sizes compare.
    const perGiB = (seconds: number) => (seconds / (rounds * size / 1024 / MiB)).toFixed(2);
    return [
      (name as string).padEnd(28),
      pad(result.mibs.toFixed(1), 7),
      pad(fmtMiB(peak(result)), 10),
      pad(fmtMiB(result.sampledRss), 13),
      pad(fmtMiB(result.baselineRss), 10),
      pad(fmtMiB(result.maxHeld), 10),
      pad(perGiB(result.cpu), 18),
      pad(perGiB(result.emulatorCpu), 9),
      // The emulator answers on one JS thread, so its CPU per GiB caps what any client gets.
      pad(`(${(rounds * size / MiB / result.emulatorCpu).toFixed(0)})`, 23),
    ].join(" ");
  }).join("\n")
}
MD5 alone                    ours ${hashes.ours.toFixed(0)} MiB/s, node:crypto ${
  hashes.native.toFixed(0)
} MiB/s`);

const rows: [string, string, string, boolean][] = [];
const ratioRow = (name: string, value: number, target: number) =>
  rows.push([name, value.toFixed(3), `≥ ${target.toFixed(2)}`, value >= target]);
ratioRow("upload() md5:false / raw fetch", plain.mibs / raw.mibs, TARGETS.ratio);
ratioRow("upload() md5:true / raw fetch", withMd5.mibs / raw.mibs, TARGETS.md5Ratio);
// Not a target: Blob bodies may send faster than the Uint8Array bodies upload() uses.
const vsBlob = plain.mibs / rawBlob.mibs;
ratioRow("Md5 / node:crypto MD5", hashes.ours / hashes.native, TARGETS.hashRatio);
for (const result of [plain, withMd5]) {
  const extra = peak(result) - peak(raw);
  rows.push([
    `peak RSS ${result.client} − raw fetch`,
    `${extra >= 0 ? "+" : ""}${fmtMiB(extra)}`,
    `≤ +${TARGETS.extraRssMiB} MiB`,
    extra <= TARGETS.extraRssMiB * MiB,
  ]);
}
for (const result of [plain, withMd5]) {
  rows.push([
    `max body held, ${result.client}`,
    fmtMiB(result.maxHeld),
    `≤ ${fmtMiB(bound)}`,
    result.maxHeld <= bound,
  ]);
}

console.log(`
measure                                   value        target          result
${
  rows.map(([name, value, target, pass]) =>
    `${name.padEnd(40)} ${value.padStart(12)}   ${target.padEnd(15)} ${pass ? "PASS" : "FAIL"}`
  ).join("\n")
}`);

console.log(
  `(for information: upload() md5:false / raw fetch with Blob bodies = ${vsBlob.toFixed(3)})`,
);

const smallest = [raw, rawBlob].sort((a, b) => peak(a) - peak(b))[0];
console.log(
  `\nfetch bodies: Uint8Array peaks at ${fmtMiB(peak(raw))}, Blob at ${fmtMiB(peak(rawBlob))}` +
    ` (${fmtMiB(peak(rawBlob) - peak(raw))}); ${
      smallest == raw ? "Uint8Array" : "Blob"
    } keeps RSS smallest.`,
);
