/**
 * GET and HEAD of an object, so tests can read back what an upload made.
 *
 * @module
 */
import { type EmulatorRoute, fail } from "./route.ts";

/** Reads an object back, or only its headers. */
export const getObject: EmulatorRoute = {
  name: "getObject",
  write: false,
  matches: (method, key, query) =>
    (method == "GET" || method == "HEAD") && !!key && !query.has("upload_id"),
  handle(context) {
    const object = context.emulator.state.objects.get(`${context.bucket}/${context.key}`);
    if (!object) return fail(context, 404, "object_not_exists", "The object does not exist.");
    const headers: Record<string, string> = {
      "content-length": String(object.size),
      "content-type": object.contentType ?? "application/octet-stream",
      "x-qs-storage-class": object.storageClass,
    };
    if (object.etag) headers.etag = object.etag;
    for (const [name, value] of Object.entries(object.metadata)) {
      headers["x-qs-meta-" + name] = value;
    }
    const body = context.request.method == "HEAD" ? null : object.data ?? new Uint8Array(0);
    return new Response(body as BodyInit | null, { status: 200, headers });
  },
};
