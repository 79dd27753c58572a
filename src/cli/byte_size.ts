import { UsageError } from "./usage_error.ts";

// Both families, as people write them: MB is 10⁶ and MiB 2²⁰, as the units say.
const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/**
 * Reads a size in bytes: plain bytes (`1048576`), or a number with a decimal
 * (`5MB`) or binary (`8MiB`) unit, case-insensitive.
 *
 * @param text The value, or `undefined` when the flag was not given.
 * @param argument The flag, for the message.
 * @returns The size in bytes, or `undefined` when not given.
 * @throws {UsageError} If the value is no size, or not a whole number of bytes.
 */
export function parseByteSize(text: string | undefined, argument: string): number | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match && Object.hasOwn(UNITS, match[2].toLowerCase()) &&
    UNITS[match[2].toLowerCase()];
  const bytes = unit ? Number(match![1]) * unit : NaN;
  if (!Number.isSafeInteger(bytes)) {
    throw new UsageError(
      `${argument}: expected a size such as 8MiB, 5MB or 1048576 (whole bytes), received ${
        JSON.stringify(text)
      }`,
    );
  }
  return bytes;
}

/**
 * Formats a byte count for people, in binary units: `512 B`, `1.5 KiB`, `12.0 MiB`.
 *
 * @param bytes The count.
 * @returns The text.
 */
export function formatBytes(bytes: number): string {
  const units = ["KiB", "MiB", "GiB", "TiB"];
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  // By the value as shown: 1048575 bytes is 1.0 MiB, not 1024.0 KiB.
  while (unit < units.length - 1 && Math.round(value * 10) >= 10240) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
