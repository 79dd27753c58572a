/**
 * List Parts (see docs/protocol.md#list-parts), as the service answers it.
 *
 * @module
 */
import { findUpload, noUpload, ok, type OperationDefinition } from "./shared/mod.ts";

/** Lists an upload's parts after a marker, a page at a time. */
export const listParts: OperationDefinition = {
  name: "listParts",
  write: false,
  matches: (method, key, query) => method == "GET" && !!key && query.has("upload_id"),
  handle(context) {
    const upload = findUpload(context);
    if (!upload) return noUpload(context);
    const marker = Number(context.query.get("part_number_marker") ?? -1);
    const limit = Math.min(Number(context.query.get("limit") ?? 1000) || 1000, 1000);
    const parts = [...upload.parts.values()]
      .sort((a, b) => a.partNumber - b.partNumber)
      .filter((part) => part.partNumber > marker)
      .slice(0, limit);
    return ok(200, {
      count: parts.length,
      object_parts: parts.map((part) => ({
        part_number: part.partNumber,
        size: part.size,
        created: part.created.toISOString(),
        etag: part.etag,
      })),
    });
  },
};
