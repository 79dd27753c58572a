/**
 * What signing costs beside the HMAC itself, in Node, Deno and Bun. In one
 * process, it times the CPU of:
 *
 * - the bare WebCrypto loop: HMAC-SHA256 of the very strings the library
 *   signs, with one imported key, base64 left out;
 * - `presignParts` minting 1,000 Upload Part URLs for one upload, against the
 *   bare loop over those URLs' strings to sign (target: within 1.25×); both
 *   start every HMAC at once and await them together, as `presignParts` does;
 * - 1,000 header signings of an Upload Part request, as `send()` signs each
 *   attempt (date it, sign it, set `Authorization`), against the bare loop over
 *   those requests' strings to sign (target: within 1.5×); both one after the
 *   other, each awaited before the next, as an attempt is signed before it is
 *   sent;
 * - and, for comparison only, 1,000 separate `presign()` calls for the parts,
 *   started at once.
 *
 * Each round runs every measure once, in a turning order; the figures are the
 * medians of 9 rounds, each ratio the median of its rounds' ratios, so a
 * moment of load on the machine weighs on both sides alike. CPU time is the
 * process's (`process.cpuUsage()`, every thread), since WebCrypto may sign on
 * other threads: how the runtime hands HMACs to them is why the two bare loops
 * differ, and why each measure is held to the loop of its own shape.
 *
 *     npm run bench:sign
 *
 * With no argument it bundles this file with esbuild (as the npm package is
 * built) and runs the bundle under Node, Deno and Bun in turn, printing each
 * runtime's table; it exits 1 when any runtime misses a target. With
 * `--measure` it measures in the runtime running it.
 *
 * @module
 */
import process from "node:process";
import { createClient } from "../../src/client.ts";
import { presign } from "../../src/operations/presign.ts";
import { presignParts } from "../../src/operations/presign_parts.ts";
import { requestUrl } from "../../src/request/request_url.ts";
import { signRequest } from "../../src/request/sign_request.ts";
import { stringToSign } from "../../src/sign/string_to_sign.ts";
import { formatTargets, median, missedTargets, type TargetRow } from "./table.ts";

/** URLs or signatures per measure. */
const COUNT = 1000;
/** Rounds; the figures are their medians. */
const ROUNDS = 9;
/** Rounds run first and discarded, so the measured ones run compiled code. */
const WARMUP = 3;
const TARGETS = { parts: 1.25, headers: 1.5 };

const credentials = {
  accessKeyId: "QSBENCHACCESSKEYID00",
  secretAccessKey: "benchSecretAccessKey0123456789abcdefGHIJKL",
};
const bucket = "mybucket";
const key = "backups/2026-12-01/database dump (full).tar.gz";
const uploadId = "4d26b37a469230619604ecdc0e314782";
const partNumbers = Array.from({ length: COUNT }, (_, index) => index + 1);
const client = createClient({ zone: "pek3a", credentials });
// Mid-second, so that every round's URLs expire at the same second and sign the same strings.
client.clockOffset = Math.floor(Date.now() / 1000 + 1) * 1000 + 500 - Date.now();
const expiresIn = 3600;

/** The CPU time a piece of async work takes, in milliseconds. */
async function cpu(work: () => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const { user, system } = process.cpuUsage(before);
  return (user + system) / 1000;
}

const encoder = new TextEncoder();
const bareKey = await crypto.subtle.importKey(
  "raw",
  encoder.encode(credentials.secretAccessKey),
  { name: "HMAC", hash: "SHA-256" },
  false,
  ["sign"],
);
const hmac = (text: string) => crypto.subtle.sign("HMAC", bareKey, encoder.encode(text));
/** The floor: the HMAC of each string, nothing else, all started at once. */
const bare = (strings: string[]) => Promise.all(strings.map(hmac));
/** The floor again, one HMAC after the other. */
async function bareInTurn(strings: string[]) {
  for (const text of strings) await hmac(text);
}

// What presignParts signs: presign()'s string for each part, expiring when its URLs do.
const expires = Math.floor((Date.now() + client.clockOffset) / 1000) + expiresIn;
const partStrings = partNumbers.map((partNumber) =>
  stringToSign({
    method: "PUT",
    url: requestUrl(client, bucket, key, [["part_number", partNumber], ["upload_id", uploadId]]),
    headers: new Headers(),
  }, expires)
);

/** Upload Part requests as `send()` builds them, ready to be signed: URL and headers. */
function partRequests() {
  return partNumbers.map((partNumber) => ({
    method: "PUT",
    url: requestUrl(client, bucket, key, [["part_number", partNumber], ["upload_id", uploadId]]),
    headers: new Request("https://example.com/", {
      method: "PUT",
      headers: [["content-md5", "g6YKes3LhQu14cy+rs6TNg=="]],
      body: "x",
    }).headers,
    bucket,
  }));
}
const date = new Date(Date.now() + client.clockOffset).toUTCString();
const headerStrings = partRequests().map((request) => {
  request.headers.set("x-qs-date", date);
  return stringToSign(request);
});

/** Dates and signs one request's headers, as `send()` does for each attempt. */
async function signOne(request: ReturnType<typeof partRequests>[number]): Promise<void> {
  request.headers.set("x-qs-date", new Date(Date.now() + client.clockOffset).toUTCString());
  const signed = await signRequest(client, credentials.secretAccessKey, request);
  request.headers.set("authorization", `QS ${credentials.accessKeyId}:${signed}`);
}

/** As `send()` signs each attempt: dated, signed, `Authorization` set; one after the other. */
async function signHeaders(requests: ReturnType<typeof partRequests>) {
  for (const request of requests) await signOne(request);
}

/** The same, all started at once: compared with the bare loop of that shape, for information. */
function signHeadersAtOnce(requests: ReturnType<typeof partRequests>) {
  return Promise.all(requests.map(signOne));
}

const presignEach = () =>
  Promise.all(partNumbers.map((partNumber) =>
    presign(client, {
      method: "PUT",
      bucket,
      key,
      query: { part_number: partNumber, upload_id: uploadId },
      expiresIn,
    })
  ));

type Measure = "bareParts" | "parts" | "bareHeaders" | "headers" | "presign" | "headersAtOnce";
async function measureRound(round: number): Promise<Record<Measure, number>> {
  // The requests are built outside the timing: only their signing is measured.
  const requests = partRequests();
  const work: [Measure, () => Promise<unknown>][] = [
    ["bareParts", () => bare(partStrings)],
    ["parts", () => presignParts(client, { bucket, key, uploadId, partNumbers, expiresIn })],
    ["bareHeaders", () => bareInTurn(headerStrings)],
    ["headers", () => signHeaders(requests)],
    ["presign", presignEach],
    ["headersAtOnce", () => signHeadersAtOnce(partRequests())],
  ];
  const times = {} as Record<Measure, number>;
  for (let turn = 0; turn < work.length; turn++) {
    const [name, run] = work[(round + turn) % work.length];
    times[name] = await cpu(run);
  }
  return times;
}

/** Measures in this runtime and prints its table; returns the missed targets. */
async function measure(): Promise<string[]> {
  // The URLs must be presign()'s, or the comparison means nothing.
  const [minted] = await presignParts(client, {
    bucket,
    key,
    uploadId,
    partNumbers: [partNumbers[0]],
    expiresIn,
  });
  const [single] = await presignEach();
  if (minted != single) throw new Error(`presignParts and presign differ:\n${minted}\n${single}`);
  const rounds: Record<Measure, number>[] = [];
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    const times = await measureRound(round);
    if (round >= WARMUP) rounds.push(times);
  }
  const of = (name: Measure) => median(rounds.map((round) => round[name]));
  const ratio = (name: Measure, floor: Measure) =>
    median(rounds.map((round) => round[name] / round[floor]));
  const { deno, bun } = process.versions as { deno?: string; bun?: string };
  const runtime = deno ? `Deno ${deno}` : bun ? `Bun ${bun}` : `Node ${process.version}`;
  console.log(`${runtime}: CPU ms for ${COUNT} signatures, median of ${ROUNDS} rounds`);
  console.log(
    `  bare HMAC ${of("bareParts").toFixed(1)} (part URLs' strings), ` +
      `${of("bareHeaders").toFixed(1)} (upload-part headers' strings, in turn); ` +
      `presignParts ${of("parts").toFixed(1)}; header signing ${of("headers").toFixed(1)}; ` +
      `${COUNT} × presign() ${of("presign").toFixed(1)} (${
        ratio("presign", "bareParts").toFixed(2)
      }× bare)`,
  );
  console.log(
    `  header signings started all at once: ${of("headersAtOnce").toFixed(1)} (${
      ratio("headersAtOnce", "bareParts").toFixed(2)
    }× the bare loop started at once)`,
  );
  const row = (name: string, value: number, target: number): TargetRow => ({
    name,
    value: `${value.toFixed(2)}×`,
    target: `≤ ${target.toFixed(2)}×`,
    pass: value <= target,
  });
  const rows = [
    row(`presignParts ${COUNT} URLs / bare HMAC`, ratio("parts", "bareParts"), TARGETS.parts),
    row(`${COUNT} header signings / bare HMAC`, ratio("headers", "bareHeaders"), TARGETS.headers),
  ];
  console.log(formatTargets(rows) + "\n");
  return missedTargets(rows).map((line) => `${runtime}: ${line}`);
}

/** Bundles this file and runs it under each runtime; exits 1 if any missed a target. */
async function runAll(): Promise<void> {
  const { execFileSync } = await import("node:child_process");
  const root = new URL("../../", import.meta.url).pathname;
  const bin = (name: string) => `${root}node_modules/.bin/${name}`;
  const bundle = `${root}build/bench/sign.mjs`;
  execFileSync(bin("esbuild"), [
    new URL(import.meta.url).pathname,
    "--bundle",
    "--format=esm",
    "--platform=neutral",
    "--external:node:*",
    "--log-level=warning",
    `--outfile=${bundle}`,
  ], { stdio: "inherit" });
  const missed: string[] = [];
  for (const runtime of [["node"], [bin("deno"), "run", "-A"], [bin("bun")]]) {
    const [command, ...args] = runtime;
    try {
      execFileSync(command, [...args, bundle, "--measure"], { stdio: "inherit" });
    } catch {
      missed.push(`${command.split("/").at(-1)}: a target was missed, or the run failed`);
    }
  }
  for (const line of missed) console.log(line);
  process.exitCode = missed.length ? 1 : 0;
}

if (process.argv.includes("--measure")) {
  const missed = await measure();
  for (const line of missed) console.log(line);
  process.exitCode = missed.length ? 1 : 0;
} else {
  await runAll();
}
