/**
 * The upload benchmark's command-line options and fixed settings, shared by
 * the driver (`upload.ts`), which parses them, and the client processes
 * (`client_process.ts`), which are given them back so that every process
 * measures the same stream. Not runnable on its own.
 *
 * @module
 */
import { parseArgs } from "node:util";

export const MiB = 1024 * 1024;
/** The bucket the emulator makes public, so the raw client can PUT without signing. */
export const BUCKET = "bench-bucket";
/** The key pair the emulator accepts and `upload()` signs with; a benchmark's own, not a secret. */
export const CREDENTIALS = {
  accessKeyId: "BENCHACCESSKEYID0000",
  secretAccessKey: "bench-secret-key",
};

/** What one benchmark run measures over. */
export interface BenchOptions {
  /** Bytes in the generated stream. */
  size: number;
  /** Bytes per part. */
  partSize: number;
  /** Parts in flight at once. */
  concurrency: number;
  /** How many times each client runs. */
  rounds: number;
}

/**
 * Parses `--size-mib`, `--part-size-mib`, `--concurrency` and `--rounds`,
 * exiting with 2 when one is not positive.
 *
 * @param args The arguments.
 * @param extra Names of string options only the caller knows (the client process's `--client`).
 * @returns The options, and the values of `extra`.
 */
export function parseBenchOptions(
  args: string[],
  extra: string[] = [],
): BenchOptions & { values: Record<string, string | undefined> } {
  const { values } = parseArgs({
    args,
    options: {
      "size-mib": { type: "string", default: "1024" },
      "part-size-mib": { type: "string", default: "8" },
      concurrency: { type: "string", default: "4" },
      rounds: { type: "string", default: "2" },
      ...Object.fromEntries(extra.map((name) => [name, { type: "string" as const }])),
    },
  }) as { values: Record<string, string | undefined> };
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
  return { size, partSize, concurrency, rounds, values };
}

/**
 * The arguments that give a child process the same stream, parts and concurrency.
 *
 * @param options The options in force.
 * @returns Arguments for {@linkcode parseBenchOptions}.
 */
export function benchArgs(options: BenchOptions): string[] {
  return [
    "--size-mib",
    String(options.size / MiB),
    "--part-size-mib",
    String(options.partSize / MiB),
    "--concurrency",
    String(options.concurrency),
  ];
}
