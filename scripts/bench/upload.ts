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
 * 5. our `Md5` and `node:crypto`'s MD5 over the same bytes, and their ratio
 *    (target ≥ 0.5; `md5.ts`, which also runs alone); and parts hashed in
 *    slices with turns of the event loop, as `upload()` does so as not to
 *    hold the thread, against hashing each at once, as it did before
 *    (target ≥ 0.95);
 * 6. the peak RSS of each client (target: `upload()` at most 64 MiB above
 *    raw `fetch`), and raw `fetch` with `Blob` bodies, to see which body type
 *    `fetch` holds on to least;
 * 7. the most body bytes `upload()` holds (bytes the source handed out minus
 *    bytes on the service), against its bound `partSize × (concurrency + 1)`;
 * 8. `upload()` with `md5: false` and `onProgress` ("progress on": byte-level
 *    progress, through the runtime's counting transport, `node:http` under
 *    Deno) against the same without (target ≥ 0.95).
 *
 * The emulator runs in another process (`emulator_process.ts`) over loopback
 * with digest storage, so a GiB needs no GiB of memory; each client runs in a
 * child process of its own (`client_process.ts`), so their RSS figures are
 * comparable. It prints a table with every target and PASS or FAIL, and exits
 * 1, naming them, when any target is missed (2 for a bad argument).
 *
 *     deno task bench:upload [--size-mib 1024] [--part-size-mib 8] [--concurrency 4] [--rounds 2]
 *     deno task bench:upload --size-mib 64    # a quick smoke check
 *     npm run bench
 *
 * Each round runs every client once, in alternating order; throughput is
 * summed over rounds and memory is the worst seen.
 *
 * This is a benchmark, not a test: its numbers depend on the machine, and
 * the emulator, which hashes every part, shares the CPU with the client.
 *
 * @module
 */
import { type ClientKind, type ClientResult, runClient, spawnClient } from "./client_process.ts";
import { startEmulator } from "./emulator_process.ts";
import { benchMd5, benchSlicedMd5, md5Line, md5Row, slicedMd5Line, slicedMd5Row } from "./md5.ts";
import { type BenchOptions, MiB, parseBenchOptions } from "./options.ts";
import { highWaterMark } from "./proc_stats.ts";
import {
  fmtMiB,
  formatTargets,
  missedTargets,
  ratioRow,
  type TargetRow,
  TARGETS,
} from "./table.ts";

const pad = (text: string | number, width: number) => String(text).padStart(width);
const peak = (result: ClientResult) => result.hwm || result.sampledRss;

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

/** The clients' table: throughput, memory and CPU, one line per client. */
function formatClients(
  clients: [string, ClientResult][],
  options: BenchOptions,
  emulatorHwm: number,
): string {
  const gib = options.rounds * options.size / 1024 / MiB;
  // CPU per GiB sent, so rounds and sizes compare.
  const perGiB = (seconds: number) => (seconds / gib).toFixed(2);
  return [
    `Clients (each in its own process; the emulator in another${
      emulatorHwm ? `, its peak RSS ${fmtMiB(emulatorHwm)}` : ""
    })`,
    "client                         MiB/s   peak RSS   sampled RSS   baseline   max held   CPU s/GiB: client  emulator  (emulator-bound MiB/s)",
    ...clients.map(([name, result]) =>
      [
        name.padEnd(28),
        pad(result.mibs.toFixed(1), 7),
        pad(fmtMiB(peak(result)), 10),
        pad(fmtMiB(result.sampledRss), 13),
        pad(fmtMiB(result.baselineRss), 10),
        pad(fmtMiB(result.maxHeld), 10),
        pad(perGiB(result.cpu), 18),
        pad(perGiB(result.emulatorCpu), 9),
        // The emulator answers on one JS thread, so its CPU per GiB caps what any client gets.
        pad(`(${(gib * 1024 / result.emulatorCpu).toFixed(0)})`, 23),
      ].join(" ")
    ),
  ].join("\n");
}

const options = parseBenchOptions(Deno.args);
const { size, partSize, concurrency, rounds } = options;

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
// First, before any process is started, so the hashing has the machine to itself.
const hashes = benchMd5(size);
console.log(md5Line(hashes));
const slicedHashes = await benchSlicedMd5(size, partSize);
console.log(slicedMd5Line(slicedHashes));

const emulator = await startEmulator();
console.log(`emulator (another process, digest storage) listening on ${emulator.url}`);
const results = new Map<ClientKind, ClientResult>();
/** Each timed run's object key, and which client and round it was. */
const timedRuns = new Map<string, string>();
let emulatorHwm = 0;
let digestReports;
try {
  // Warm the emulator's JIT (HTTP, signature check, MD5) so the first client timed does not pay
  // for it; this runs in this process, whose memory is not measured.
  const warmUp = Math.min(size, 64 * MiB);
  await runClient("upload-md5", emulator.url, options, warmUp);
  await runClient("raw", emulator.url, options, warmUp);
  // Rounds alternate the order (A B C D, then D C B A), so drift in machine load or in the
  // emulator's state weighs on every client alike.
  const order: ClientKind[] = ["raw", "upload", "upload-md5", "raw-blob", "upload-progress"];
  for (let round = 0; round < rounds; round++) {
    for (const kind of round % 2 ? order.toReversed() : order) {
      const result = await spawnClient(kind, emulator.url, emulator.pid, options);
      timedRuns.set(result.key, `${kind} round ${round + 1}`);
      console.log(
        `  round ${round + 1}: ${kind.padEnd(10)} ${pad(result.mibs.toFixed(1), 7)} MiB/s in ` +
          `${result.seconds.toFixed(1)} s, peak RSS ${fmtMiB(peak(result))}, ` +
          `CPU s client ${result.cpu.toFixed(1)} + emulator ${result.emulatorCpu.toFixed(1)}`,
      );
      const before = results.get(kind);
      results.set(kind, before ? combine(before, result) : result);
    }
  }
  emulatorHwm = highWaterMark(emulator.pid);
} finally {
  digestReports = await emulator.stop();
}

const raw = results.get("raw")!;
const rawBlob = results.get("raw-blob")!;
const plain = results.get("upload")!;
const withMd5 = results.get("upload-md5")!;
const withProgress = results.get("upload-progress")!;
// The parts' ETags (their MD5s, which digest storage always keeps) prove the clients sent the
// same bytes; the object's own MD5 is not used, as digest storage may not know it.
for (const result of results.values()) {
  if (result.etags != raw.etags || result.parts != raw.parts) {
    throw new Error(`${result.client} sent other parts than raw: the comparison is void`);
  }
}
const bound = partSize * (concurrency + 1);

console.log(`
${
  formatClients(
    [
      ["raw fetch, Uint8Array bodies", raw],
      ["raw fetch, Blob bodies", rawBlob],
      ["upload(), md5: false", plain],
      ["upload(), md5: true", withMd5],
      ["upload(), progress on", withProgress],
    ],
    options,
    emulatorHwm,
  )
}
MD5 alone                    ours ${hashes.ours.toFixed(0)} MiB/s, node:crypto ${
  hashes.native.toFixed(0)
} MiB/s; parts at once ${slicedHashes.atOnce.toFixed(0)} MiB/s, in slices ${
  slicedHashes.sliced.toFixed(0)
} MiB/s`);

const rows: TargetRow[] = [
  ratioRow("upload() md5:false / raw fetch", plain.mibs / raw.mibs, TARGETS.ratio),
  ratioRow("upload() md5:true / raw fetch", withMd5.mibs / raw.mibs, TARGETS.md5Ratio),
  ratioRow(
    "upload() progress on / off (md5:false)",
    withProgress.mibs / plain.mibs,
    TARGETS.progressRatio,
  ),
  md5Row(hashes),
  slicedMd5Row(slicedHashes),
];
for (const result of [plain, withMd5]) {
  const extra = peak(result) - peak(raw);
  rows.push({
    name: `peak RSS ${result.client} − raw fetch`,
    value: `${extra >= 0 ? "+" : ""}${fmtMiB(extra)}`,
    target: `≤ +${TARGETS.extraRssMiB} MiB`,
    pass: extra <= TARGETS.extraRssMiB * MiB,
  });
}
for (const result of [plain, withMd5]) {
  rows.push({
    name: `max body held, ${result.client}`,
    value: fmtMiB(result.maxHeld),
    target: `≤ ${fmtMiB(bound)}`,
    pass: result.maxHeld <= bound,
  });
}
console.log(`\n${formatTargets(rows)}`);

// Not a target: what MD5 costs upload(), all told (hashing, and the emulator checking it).
console.log(
  `(for information: upload() md5:true / md5:false = ${(withMd5.mibs / plain.mibs).toFixed(3)})`,
);
// Not a target: Blob bodies may send faster than the Uint8Array bodies upload() uses.
console.log(
  `(for information: upload() md5:false / raw fetch with Blob bodies = ${
    (plain.mibs / rawBlob.mibs).toFixed(3)
  })`,
);

const smallest = [raw, rawBlob].sort((a, b) => peak(a) - peak(b))[0];
console.log(
  `\nfetch bodies: Uint8Array peaks at ${fmtMiB(peak(raw))}, Blob at ${fmtMiB(peak(rawBlob))}` +
    ` (${fmtMiB(peak(rawBlob) - peak(raw))}); ${
      smallest == raw ? "Uint8Array" : "Blob"
    } keeps RSS smallest.`,
);

// Whether the emulator's digest turns held changes its work, and so every throughput figure
// (see DigestReport): say where they broke in each timed run.
console.log(
  "\nemulator's digest turns (while they hold, it reads one part at a time and hashes each byte" +
    " twice; from the first part out of order on, it reads parts concurrently and hashes once):",
);
for (const report of digestReports) {
  const run = timedRuns.get(report.key);
  if (run) console.log(`  ${run.padEnd(20)} ${report.md5Unknown ?? "held throughout"}`);
}

const missed = missedTargets(rows);
for (const line of missed) console.log(line);
if (missed.length) Deno.exit(1);
