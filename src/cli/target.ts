import { UsageError } from "./usage_error.ts";

/**
 * Splits `<bucket>/<key>` at its first slash: a bucket name holds none, a
 * key may hold many. The names themselves are checked by the library, which
 * knows the service's rules.
 *
 * @param text The argument.
 * @param keyRequired Whether a key must follow; otherwise `bucket` alone (or `bucket/`) is fine.
 * @returns The bucket, and the key when given.
 * @throws {UsageError} If the bucket is empty, or the key is missing where required.
 */
export function parseTarget(
  text: string,
  keyRequired = true,
): { bucket: string; key?: string } {
  const cut = text.indexOf("/");
  const bucket = cut < 0 ? text : text.slice(0, cut);
  const key = cut < 0 ? "" : text.slice(cut + 1);
  const name = keyRequired ? "<bucket>/<key>" : "<bucket>[/<key>]";
  if (!bucket) throw new UsageError(`${name}: no bucket in ${JSON.stringify(text)}`);
  if (!key && keyRequired) {
    throw new UsageError(`${name}: no key in ${JSON.stringify(text)} (write bucket/key)`);
  }
  return key ? { bucket, key } : { bucket };
}
