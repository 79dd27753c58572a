/**
 * Builds the CanonicalizedHeaders block (see docs/protocol.md#canonicalized-headers):
 * every `x-qs-` header, lower-cased, sorted by name, one `name:value\n` line each.
 * With no such header the block is empty: no blank line is left in the string to sign.
 *
 * `Headers` already lower-cases names and trims values, which is what the
 * service does with what it receives.
 *
 * @param headers The request headers exactly as they will be sent.
 * @returns The block, each line ending in `\n`, or `""`.
 *
 * @example
 * ```ts
 * import { canonicalizedHeaders } from "./canonicalized_headers.ts";
 *
 * canonicalizedHeaders(new Headers({ "X-QS-Meta-Owner": " alice ", "Content-Type": "a/b" }));
 * // "x-qs-meta-owner:alice\n"
 * ```
 */
export function canonicalizedHeaders(headers: Headers): string {
  let block = "";
  // `Headers` iterates in sorted lower-case name order, the order the block needs (see
  // docs/protocol.md#canonicalized-headers).
  for (const [name, value] of headers) {
    if (name.startsWith("x-qs-")) block += name + ":" + value + "\n";
  }
  return block;
}
