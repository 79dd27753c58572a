/**
 * The benchmark's targets, and the table that prints each measure against its
 * target with PASS or FAIL. The driver (`upload.ts`) and the MD5 comparison
 * (`md5.ts`, alone) print through it and exit 1 when a row fails, so a script
 * or CI step can tell a missed target from the exit code. Not runnable on its
 * own.
 *
 * @module
 */
import { MiB } from "./options.ts";

/** What the benchmark holds `upload()` and our MD5 to. */
export const TARGETS = {
  /** `upload()` with `md5: false` against raw `fetch` PUTs of the same parts. */
  ratio: 0.9,
  /** `upload()` with `md5: true` against the same ceiling. */
  md5Ratio: 0.75,
  /** `upload()` with `onProgress` (byte-level, its own transport) against without. */
  progressRatio: 0.95,
  /** Our `Md5` against `node:crypto`'s native MD5. */
  hashRatio: 0.5,
  /** Parts hashed in slices, with turns of the event loop (`md5Sliced`), against at once. */
  slicedRatio: 0.95,
  /** The most `upload()`'s peak RSS may exceed raw `fetch`'s. */
  extraRssMiB: 64,
};

/** One measure against its target. */
export interface TargetRow {
  /** What is measured. */
  name: string;
  /** The figure, formatted. */
  value: string;
  /** The target, formatted. */
  target: string;
  /** Whether the figure meets the target. */
  pass: boolean;
}

/** The middle value of a list of measurements (the upper of the two middle ones, for an even count). */
export const median = (list: number[]): number => list.toSorted((a, b) => a - b)[list.length >> 1];

/** Sizes in the benchmark's output: MiB with one decimal. */
export const fmtMiB = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;

/**
 * A ratio that must be at least `target`, to three decimals.
 *
 * @param name What is measured.
 * @param value The ratio.
 * @param target Its least acceptable value.
 * @returns The row.
 */
export function ratioRow(name: string, value: number, target: number): TargetRow {
  return { name, value: value.toFixed(3), target: `≥ ${target.toFixed(2)}`, pass: value >= target };
}

/**
 * Formats the rows as the table the benchmark prints, each with PASS or FAIL.
 *
 * @param rows The rows.
 * @returns The table, its heading first.
 */
export function formatTargets(rows: TargetRow[]): string {
  return [
    "measure                                   value        target          result",
    ...rows.map(({ name, value, target, pass }) =>
      `${name.padEnd(40)} ${value.padStart(12)}   ${target.padEnd(15)} ${pass ? "PASS" : "FAIL"}`
    ),
  ].join("\n");
}

/**
 * Says which rows missed their target, for the end of the output; the caller then exits 1.
 *
 * @param rows The rows.
 * @returns One line per missed target, or an empty list when all passed.
 */
export function missedTargets(rows: TargetRow[]): string[] {
  return rows.filter((row) => !row.pass).map((row) =>
    `missed target: ${row.name} = ${row.value.trim()}, target ${row.target}`
  );
}
