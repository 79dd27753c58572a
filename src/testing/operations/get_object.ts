/**
 * GET Object, as the service answers it: the whole object (200), or one byte
 * range of it (206 with Content-Range; 416 `invalid_range` when the range
 * cannot be satisfied).
 *
 * @module
 */
import { errorAnswer, type OperationDefinition, readObject } from "./shared/mod.ts";

/**
 * The bytes a `Range` header asks for: `bytes=first-last`, `bytes=first-` or
 * `bytes=-suffix`, one range only.
 */
function byteRange(text: string, size: number): { first: number; last: number } | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(text.trim());
  if (!match || (match[1] == "" && match[2] == "")) return undefined;
  const [first, last] = match[1] == ""
    ? [Math.max(0, size - Number(match[2])), size - 1]
    : [Number(match[1]), match[2] == "" ? size - 1 : Math.min(Number(match[2]), size - 1)];
  return first <= last && first < size ? { first, last } : undefined;
}

/** Reads an object back, whole or a range of it. */
export const getObject: OperationDefinition = {
  name: "getObject",
  write: false,
  matches: (method, key, query) => method == "GET" && !!key && !query.has("upload_id"),
  handle(context) {
    const found = readObject(context);
    if (found instanceof Response) return found;
    const { object, headers } = found;
    const range = context.request.headers.get("range");
    const wanted = range === null
      ? { first: 0, last: object.size - 1 }
      : byteRange(range, object.size);
    if (!wanted) {
      const refused = errorAnswer(
        context,
        416,
        "invalid_range",
        `The range ${range} cannot be satisfied by an object of ${object.size} bytes.`,
      );
      refused.headers.set("content-range", `bytes */${object.size}`);
      return refused;
    }
    if (!object.data) {
      return errorAnswer(
        context,
        400,
        "invalid_request",
        "Digest storage keeps no bytes to read back.",
      );
    }
    const { first, last } = wanted;
    const body = object.data.slice(first, last + 1);
    if (range === null) return new Response(body, { status: 200, headers });
    return new Response(body, {
      status: 206,
      headers: {
        ...headers,
        "content-length": String(body.length),
        "content-range": `bytes ${first}-${last}/${object.size}`,
      },
    });
  },
};
