/**
 * User metadata (`x-qs-meta-*` headers) as the service checks it, for the
 * requests that create an object: PUT Object and Initiate Multipart Upload.
 *
 * @module
 */
import { MAX_METADATA_NAME, MAX_METADATA_SIZE, METADATA_NAME } from "../../validate.ts";
import type { RouteContext } from "../model.ts";
import { fail } from "./route.ts";

/**
 * Reads a request's user metadata.
 *
 * @param context The request.
 * @returns The metadata by name (lower-cased, without the prefix), or the
 * answer refusing it: 400 `invalid_argument` for a bad name or value, 400
 * `metadata_too_large` past 2 KB in all or 512 bytes for a name.
 */
export function readMetadata(context: RouteContext): Record<string, string> | Response {
  const metadata: Record<string, string> = {};
  let total = 0;
  for (const [name, value] of context.request.headers) {
    if (!name.startsWith("x-qs-meta-")) continue;
    const short = name.slice("x-qs-meta-".length);
    // An empty value is allowed here, as the service allows it; the client refuses to send one.
    if (!METADATA_NAME.test(short) || !/^[\x20-\x7e]*$/.test(value)) {
      return fail(context, 400, "invalid_argument", `Metadata ${name} has a bad name or value.`);
    }
    total += short.length + value.length;
    if (short.length > MAX_METADATA_NAME || total > MAX_METADATA_SIZE) {
      return fail(
        context,
        400,
        "metadata_too_large",
        "Metadata exceeds 2 KB, or a name exceeds 512 bytes.",
      );
    }
    metadata[short] = value;
  }
  return metadata;
}
