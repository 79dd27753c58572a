/** One level of form decoding (`+` is a space), as the service reads the query. */
function formDecode(text: string): string {
  const spaced = text.replaceAll("+", " ");
  try {
    return decodeURIComponent(spaced);
  } catch {
    // A stray `%` is not an escape; the service keeps such text as it is.
    return spaced;
  }
}

/**
 * Splits a raw query string into decoded name–value pairs the way the
 * service reads it: `&`-separated, empty pieces skipped (a trailing `&` is
 * harmless), names and values form-decoded once, a bare name (`uploads`)
 * given the value `""`.
 *
 * @param search The query as on the wire, with or without its leading `?`.
 * @returns The pairs, in order.
 *
 * @example
 * ```ts
 * import { parseQuery } from "./parse_query.ts";
 *
 * parseQuery("?uploads&prefix=a%2Fb+c&"); // [["uploads", ""], ["prefix", "a/b c"]]
 * ```
 */
export function parseQuery(search: string): [name: string, value: string][] {
  const pairs: [string, string][] = [];
  for (const piece of search.replace(/^\?/, "").split("&")) {
    if (!piece) continue;
    const eq = piece.indexOf("=");
    pairs.push(
      eq < 0
        ? [formDecode(piece), ""]
        : [formDecode(piece.slice(0, eq)), formDecode(piece.slice(eq + 1))],
    );
  }
  return pairs;
}
