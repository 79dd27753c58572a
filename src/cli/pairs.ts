import { UsageError } from "./usage_error.ts";

/**
 * Reads repeated `name=value` flags (`--meta`, `--query`) into a record. The
 * value may itself hold `=`; the first one splits.
 *
 * @param texts The flag's values in order; a later name wins.
 * @param argument The flag, for the message.
 * @param bare Whether a lone `name` is allowed, as an empty value (`--query uploads`).
 * @returns The pairs, in an object without a prototype, so that any name is an own property
 * (`__proto__` included) and none is inherited.
 * @throws {UsageError} If a value has no `=` (unless `bare`) or an empty name.
 */
export function parsePairs(
  texts: string[] | undefined,
  argument: string,
  bare = false,
): Record<string, string> {
  const pairs: Record<string, string> = Object.create(null);
  for (const text of texts ?? []) {
    const cut = text.indexOf("=");
    if ((cut < 0 && !bare) || cut == 0 || text == "") {
      throw new UsageError(
        `${argument}: expected name=value, received ${JSON.stringify(text)}`,
      );
    }
    if (cut < 0) pairs[text] = "";
    else pairs[text.slice(0, cut)] = text.slice(cut + 1);
  }
  return pairs;
}
