import { UsageError } from "./usage_error.ts";

const SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Reads a duration such as `30s`, `15m`, `12h` or `7d` (units in either
 * case). A unit is required, except for `0`: a bare number would leave
 * `--older-than 7` open to two readings, but zero is zero in any unit.
 *
 * @param text The value, or `undefined` when the flag was not given.
 * @param argument The flag, for the message.
 * @returns Milliseconds, or `undefined` when not given.
 * @throws {UsageError} If the value is not a number followed by s, m, h or d.
 */
export function parseDuration(text: string | undefined, argument: string): number | undefined {
  if (text === undefined) return undefined;
  if (text.trim() == "0") return 0;
  const match = /^(\d+(?:\.\d+)?)([smhd])$/i.exec(text.trim());
  if (!match) {
    throw new UsageError(
      `${argument}: expected a duration such as 30s, 15m, 12h or 7d, received ${
        JSON.stringify(text)
      }`,
    );
  }
  return Math.round(Number(match[1]) * SECONDS[match[2].toLowerCase()] * 1000);
}

/**
 * Formats an age for people, in its two largest units: `42s`, `15m 3s`, `3d 4h`.
 *
 * @param ms Milliseconds; a negative age (a clock ahead of ours) shows as `0s`.
 * @returns The text.
 */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.floor(ms / 1000));
  const parts: string[] = [];
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]] as const) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count || parts.length) parts.push(`${count}${unit}`);
  }
  return parts.slice(0, 2).filter((part, index) => index == 0 || !part.startsWith("0")).join(
    " ",
  ) || "0s";
}
