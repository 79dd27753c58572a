/**
 * Compares the throughput of the pure-TypeScript {@linkcode Md5} with the native MD5 of
 * `node:crypto`, hashing the same data in the same chunks in one process.
 *
 * Usage: `deno run -A scripts/bench_md5.ts [totalMiB] [chunkMiB]` (defaults 256 and 8).
 *
 * @module
 */
import { createHash } from "node:crypto";
import process from "node:process";
import { Md5 } from "../src/md5.ts";

const MiB = 1024 * 1024;
const total = Number(process.argv[2] ?? 256) * MiB;
const chunkSize = Number(process.argv[3] ?? 8) * MiB;
const rounds = 3;

const chunk = new Uint8Array(chunkSize);
for (let i = 0; i < chunkSize; i += 65536) crypto.getRandomValues(chunk.subarray(i, i + 65536));

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function run(hash: () => string): { mibs: number; digest: string } {
  const start = performance.now();
  const digest = hash();
  return { mibs: total / MiB / ((performance.now() - start) / 1000), digest };
}

function ours(): string {
  const h = new Md5();
  for (let n = 0; n < total; n += chunkSize) h.update(chunk);
  return hex(h.digest());
}

function native(): string {
  const h = createHash("md5");
  for (let n = 0; n < total; n += chunkSize) h.update(chunk);
  return h.digest("hex");
}

// Warm up so the JIT has compiled the hot loop before timing starts.
new Md5().update(chunk).digest();
createHash("md5").update(chunk).digest();

// Interleave the runs so drift in machine load affects both sides alike; keep the best of each.
let best = { ours: 0, native: 0 };
for (let i = 0; i < rounds; i++) {
  const a = run(ours);
  const b = run(native);
  if (a.digest !== b.digest) throw new Error(`digest mismatch: ${a.digest} != ${b.digest}`);
  best = { ours: Math.max(best.ours, a.mibs), native: Math.max(best.native, b.mibs) };
}

const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
console.log(`${runtime}: ${total / MiB} MiB in ${chunkSize / MiB} MiB chunks, best of ${rounds}`);
console.log(`Md5 (TypeScript)  ${best.ours.toFixed(0).padStart(6)} MiB/s`);
console.log(`node:crypto md5   ${best.native.toFixed(0).padStart(6)} MiB/s`);
console.log(`ratio             ${(best.ours / best.native * 100).toFixed(0).padStart(6)} %`);
