/**
 * User metadata (see docs/protocol.md#user-metadata), checked and written as
 * `x-qs-meta-` headers. This module is loaded only when metadata is given
 * (see `objectHeaders`, for Initiate Multipart Upload and PUT Object): most
 * objects carry none, and its checks would otherwise weigh on the smallest
 * program.
 *
 * The npm package ships it as a file of its own, whose `ValidationError` is
 * the entry's (see scripts/build_npm.ts).
 *
 * @module
 */
import {
  check,
  checkHeaderValue,
  MAX_METADATA_NAME,
  MAX_METADATA_SIZE,
  METADATA_NAME,
} from "../validate.ts";

/**
 * Checks user metadata: names of `A-Z a-z 0-9 . _ -` up to 512 bytes,
 * unique ignoring case, printable ASCII values, names and values together at
 * most 2048 bytes; and returns its headers.
 *
 * @param metadata The metadata, names without `x-qs-meta-`.
 * @returns One `x-qs-meta-<name>` header per entry.
 * @throws {ValidationError} If the metadata breaks a rule; the message names the rule.
 */
export function metadataHeaders(
  metadata: Record<string, string>,
): Record<string, string> {
  check(
    typeof metadata == "object" && metadata !== null && !Array.isArray(metadata),
    "metadata",
    "Metadata must be an object of names and values",
    metadata,
  );
  const headers: Record<string, string> = {};
  let total = 0;
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(metadata)) {
    const folded = name.toLowerCase();
    check(
      METADATA_NAME.test(name) && name.length <= MAX_METADATA_NAME && !seen.has(folded),
      "metadata",
      `Metadata names must be 1 to ${MAX_METADATA_NAME} of A-Z a-z 0-9 . _ - and differ ignoring case`,
      name,
    );
    seen.add(folded);
    checkHeaderValue(`metadata.${name}`, value);
    total += name.length + value.length;
    headers["x-qs-meta-" + name] = value;
  }
  check(
    total <= MAX_METADATA_SIZE,
    "metadata",
    `Metadata names and values must total at most ${MAX_METADATA_SIZE} bytes`,
    total,
  );
  return headers;
}
