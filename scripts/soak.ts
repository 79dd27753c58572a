/**
 * Soaks `upload()` against the emulator over loopback HTTP, in two runs:
 *
 * 1. 100 random uploads with 20 % of requests hit by a transient fault
 *    (5xx, a connection dropped before, during or after handling, a delay);
 * 2. 100 random uploads against a service that answers a third of requests
 *    later than the client's timeout, after doing their work.
 *
 * Uploads vary in size, part size, concurrency, body kind and MD5, drawn
 * from a seeded source so that a run replays (`--seed N`). After each run it
 * waits until the emulator has answered every request, then counts:
 *
 * - wrong bytes: an object whose MD5 is not its body's, or a success
 *   without its object;
 * - uploads left in progress on the emulator;
 * - unexpected rejections: anything but the failures `upload()` documents
 *   for these faults (initiate failing for good, a part failing for good
 *   with the upload aborted, a complete whose outcome is unknown), a
 *   rejection whose object exists all the same, or a clean-up that did not
 *   finish.
 *
 * All three must be 0; it exits with 1 otherwise, or when a run takes longer
 * than its time limit. This is not a test: it runs by hand,
 *
 *     deno run -A scripts/soak.ts [--seed N]   (or: npm run soak)
 *
 * Each request goes out on a connection of its own: a runtime that silently
 * re-sends a request on a dropped keep-alive connection (Deno's fetch does)
 * would hide a retry from the library, and with it an upload it created.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import {
  CompleteStatusUnknownError,
  createClient,
  QingStorError,
  upload,
  type UploadBody,
  UploadError,
} from "../mod.ts";
import {
  createEmulator,
  type Emulator,
  type FaultRule,
  serveEmulator,
} from "../src/testing/mod.ts";

const { values } = parseArgs({ args: Deno.args, options: { seed: { type: "string" } } });
const seed = Number(values.seed ?? 1);
const UPLOADS = 100;
/** Uploads in flight at once. */
const AT_ONCE = 10;
/** The most a run may take. */
const RUN_LIMIT = 5 * 60_000;
const CREDENTIALS = {
  accessKeyId: "SOAKACCESSKEYID00000",
  secretAccessKey: "soakSecretKey0123456789",
};
const bucket = "soak-bucket";

/** A seeded source of numbers in [0, 1) (mulberry32), so that a run replays. */
function seeded(start: number): () => number {
  let state = start >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Run {
  name: string;
  faults: FaultRule[];
  /** The client's timeout, in milliseconds. */
  timeout: number;
  /** Attempts per request. */
  maxAttempts: number;
}

interface Tally {
  succeeded: number;
  expectedRejections: Record<string, number>;
  wrongBytes: number;
  leftInProgress: number;
  unexpected: string[];
  requests: number;
  faultsHit: number;
  givenUp: number;
  orphansAborted: number;
  seconds: number;
}

const random = seeded(seed);
const pick = <T>(choices: readonly T[]): T => choices[Math.floor(random() * choices.length)];
const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));

function bytes(size: number): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = random() * 256;
  return data;
}

function md5(data: Uint8Array): string {
  return createHash("md5").update(data).digest("hex");
}

/** The same bytes as one of the body kinds upload() takes. */
function asBody(data: Uint8Array<ArrayBuffer>, kind: string): UploadBody {
  const chunk = between(1, 3000);
  switch (kind) {
    case "Blob":
      return new Blob([data]);
    case "ArrayBuffer":
      return data.slice().buffer;
    case "stream":
      return new ReadableStream({
        start(controller) {
          for (let at = 0; at < data.length; at += chunk) {
            controller.enqueue(data.slice(at, at + chunk));
          }
          controller.close();
        },
      });
    case "iterable":
      return (async function* () {
        for (let at = 0; at < data.length; at += chunk) yield data.slice(at, at + chunk);
      })();
    default:
      return data;
  }
}

/**
 * A transport that opens a connection per request (see the module comment),
 * counting the attempts the client gave up waiting for.
 */
function freshConnections(tally: Tally): (request: Request) => Promise<Response> {
  const deno = (globalThis as {
    Deno?: { createHttpClient?(options: { poolMaxIdlePerHost: number }): unknown };
  }).Deno;
  const client = deno?.createHttpClient?.({ poolMaxIdlePerHost: 0 });
  return (request) =>
    fetch(request, { client } as RequestInit).catch((error) => {
      if (request.signal.aborted) tally.givenUp++;
      throw error;
    });
}

/** Why a rejection is one upload() documents for these faults, or `undefined` if it is not. */
function expectedKind(error: unknown): string | undefined {
  if (error instanceof UploadError) {
    if (error.cleanupError) return undefined;
    if (error.cause instanceof CompleteStatusUnknownError) return "complete status unknown";
    if (error.aborted && error.cause instanceof QingStorError) return "a part failed, aborted";
    return undefined;
  }
  if (error instanceof QingStorError && error.operation == "initiateMultipartUpload") {
    return "initiate failed";
  }
  return undefined;
}

async function soak(run: Run): Promise<Tally> {
  const emulator: Emulator = createEmulator({
    credentials: [CREDENTIALS],
    minPartSize: 1024,
    seed,
    faults: run.faults,
  });
  const tally: Tally = {
    succeeded: 0,
    expectedRejections: {},
    wrongBytes: 0,
    leftInProgress: 0,
    unexpected: [],
    requests: 0,
    faultsHit: 0,
    givenUp: 0,
    orphansAborted: 0,
    seconds: 0,
  };
  // Counts the requests still being answered, so the count of uploads waits for the last.
  let answering = 0;
  let drained = () => {};
  const counted: Emulator = {
    ...emulator,
    fetch: (request) => {
      answering++;
      return emulator.fetch(request).finally(() => {
        if (--answering == 0) drained();
      });
    },
  };
  const server = await serveEmulator(counted);
  const client = createClient({
    endpoint: server.url,
    credentials: CREDENTIALS,
    fetch: freshConnections(tally),
    timeout: run.timeout,
    retry: { maxAttempts: run.maxAttempts, baseDelay: 5, maxDelay: 100 },
  });
  const started = performance.now();
  const one = async (index: number) => {
    const key = `${run.name}/${index}`;
    const data = bytes(pick([0, 1, 1023, between(1, 5000), between(5000, 40_000)]));
    const kind = pick(["Uint8Array", "ArrayBuffer", "Blob", "stream", "iterable"]);
    const object = () => emulator.state.objects.get(`${bucket}/${key}`);
    try {
      const result = await upload(client, {
        bucket,
        key,
        body: asBody(data, kind),
        partSize: between(1024, 8192),
        minPartSize: 1024,
        concurrency: between(1, 8),
        md5: random() < 0.8,
      });
      tally.succeeded++;
      if (object()?.md5 != md5(data)) tally.wrongBytes++;
      if (result.cleanupError) tally.unexpected.push(`${key}: ${result.cleanupError.message}`);
    } catch (error) {
      const why = expectedKind(error);
      if (!why) tally.unexpected.push(`${key} (${kind}, ${data.length} B): ${error}`);
      else tally.expectedRejections[why] = (tally.expectedRejections[why] ?? 0) + 1;
      const made = object();
      if (made && made.md5 != md5(data)) tally.wrongBytes++;
      // Told it failed, yet the object is there: only "complete status unknown" may say that.
      if (made && why != "complete status unknown") {
        tally.unexpected.push(`${key}: rejected, but its object exists: ${error}`);
      }
    }
  };
  const limit = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`${run.name} took longer than ${RUN_LIMIT} ms`)), RUN_LIMIT)
  );
  let next = 0;
  const worker = async () => {
    while (next < UPLOADS) await one(next++);
  };
  await Promise.race([Promise.all(Array.from({ length: AT_ONCE }, worker)), limit]);
  if (answering) await new Promise<void>((resolve) => drained = resolve);
  tally.seconds = (performance.now() - started) / 1000;
  tally.leftInProgress = emulator.state.uploads.size;
  tally.requests = emulator.state.requests.length;
  tally.faultsHit = emulator.state.requests.filter((r) => r.status == 0 || r.status >= 500).length;
  const aborts = emulator.state.requests.filter((r) => r.operation == "abortMultipartUpload");
  tally.orphansAborted = aborts.length;
  if (emulator.state.errors.length) {
    tally.unexpected.push(`the emulator failed: ${emulator.state.errors.join("; ")}`);
  }
  await server.close();
  return tally;
}

const kinds = (rate: number): FaultRule[] => [
  // Rules are tried in turn; each takes its share of what the ones before left.
  { probability: rate * 0.3, status: 503 },
  { probability: rate * 0.2 / (1 - rate * 0.3), status: 500 },
  { probability: rate * 0.15 / (1 - rate * 0.5), drop: "before-body" },
  { probability: rate * 0.15 / (1 - rate * 0.65), drop: "mid-body" },
  { probability: rate * 0.15 / (1 - rate * 0.8), drop: "after-handling" },
  { probability: rate * 0.05 / (1 - rate * 0.95), delay: 20 },
];

const runs: Run[] = [
  { name: "faults", faults: kinds(0.2), timeout: 10_000, maxAttempts: 10 },
  {
    name: "slow",
    // A third of requests are answered 300 ms late, their work done: past the 200 ms timeout.
    faults: [{ probability: 1 / 3, delayAnswer: 300 }],
    timeout: 200,
    maxAttempts: 4,
  },
];

console.log(`soak: seed ${seed}, ${UPLOADS} uploads per run, ${AT_ONCE} at once, over loopback`);
let failed = false;
for (const run of runs) {
  const tally = await soak(run);
  const rejected = Object.entries(tally.expectedRejections)
    .map(([why, count]) => `${count} ${why}`).join(", ") || "none";
  console.log(
    `\n${run.name}: ${tally.seconds.toFixed(1)} s, ${tally.requests} requests, ` +
      `${tally.faultsHit} dropped or 5xx, ${tally.givenUp} given up by the client (timeout or ` +
      `cancelled), ${tally.orphansAborted} aborts`,
  );
  console.log(`  succeeded: ${tally.succeeded}; expected rejections: ${rejected}`);
  console.log(`  wrong bytes: ${tally.wrongBytes}`);
  console.log(`  uploads left in progress: ${tally.leftInProgress}`);
  console.log(`  unexpected rejections: ${tally.unexpected.length}`);
  for (const line of tally.unexpected.slice(0, 10)) console.log(`    ${line}`);
  failed ||= tally.wrongBytes + tally.leftInProgress + tally.unexpected.length > 0;
}
console.log(failed ? "\nFAIL" : "\nall 0");
// Answers held by delayAnswer faults may still be pending on closed connections.
Deno.exit(failed ? 1 : 0);
