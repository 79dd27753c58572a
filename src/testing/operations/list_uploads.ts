/**
 * List Multipart Uploads (see docs/protocol.md#list-multipart-uploads), as the
 * service answers it.
 *
 * @module
 */
import type { EmulatorUpload } from "../model.ts";
import { ok, type OperationDefinition } from "./shared/mod.ts";

/** Lists a bucket's uploads in progress, with prefix, delimiter and markers. */
export const listUploads: OperationDefinition = {
  name: "listMultipartUploads",
  write: false,
  matches: (method, key, query) => method == "GET" && !key && query.has("uploads"),
  handle(context) {
    const q = context.query;
    const prefix = q.get("prefix") ?? "";
    const delimiter = q.get("delimiter") ?? "";
    const keyMarker = q.get("key_marker") ?? "";
    const idMarker = q.get("upload_id_marker") ?? "";
    const limit = Math.min(Number(q.get("limit") ?? 200) || 200, 1000);
    const all = [...context.emulator.state.uploads.values()]
      .filter((upload) => upload.bucket == context.bucket && upload.key.startsWith(prefix))
      // By key, then by creation, which upload IDs sort by.
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.uploadId < b.uploadId ? -1 : 1));
    // Entries are uploads, or common prefixes standing for all uploads under them.
    type Entry = { marker: string; uploadId: string; prefix?: string; upload?: EmulatorUpload };
    const entries: Entry[] = [];
    for (const upload of all) {
      const cut = delimiter ? upload.key.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) {
        const common = upload.key.slice(0, cut + delimiter.length);
        if (entries.at(-1)?.prefix != common) {
          entries.push({ marker: common, uploadId: "", prefix: common });
        }
      } else entries.push({ marker: upload.key, uploadId: upload.uploadId, upload });
    }
    let start = 0;
    if (keyMarker) {
      // After (key marker, upload ID marker) in listing order, even if that upload is gone since.
      start = entries.findIndex((entry) =>
        entry.marker > keyMarker ||
        (entry.marker == keyMarker && !entry.prefix && !!idMarker && entry.uploadId > idMarker)
      );
      if (start < 0) start = entries.length;
    }
    const page = entries.slice(start, start + limit);
    const hasMore = start + limit < entries.length;
    return ok(200, {
      name: context.bucket,
      prefix,
      delimiter,
      limit,
      marker: keyMarker,
      next_key_marker: hasMore ? page.at(-1)!.marker : "",
      next_upload_id_marker: hasMore ? page.at(-1)!.uploadId : "",
      has_more: hasMore,
      uploads: page.filter((entry) => entry.upload).map(({ upload }) => ({
        key: upload!.key,
        upload_id: upload!.uploadId,
        created: upload!.created.toISOString(),
      })),
      common_prefixes: page.filter((entry) => entry.prefix).map((entry) => entry.prefix),
    });
  },
};
