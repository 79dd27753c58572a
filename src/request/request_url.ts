import type { Client } from "../client.ts";
import { encodeKey } from "./encode_key.ts";

/**
 * A query parameter: `[name, value]`, or `[name]` alone for a bare
 * sub-resource such as `uploads`. A pair whose value is `undefined` is
 * left out, which keeps optional parameters easy to list.
 */
export type QueryParameter = readonly [name: string, value?: string | number];

/**
 * Builds the URL of a bucket or object request in the client's addressing
 * style (see docs/protocol.md#addressing-styles). The query is written by hand
 * so that a bare sub-resource stays `?uploads` rather than `?uploads=` (see
 * docs/protocol.md#query-string); names are encoded like values, so that no
 * name given to `presign` can splice in parameters.
 *
 * @param client The client, for its endpoint and style.
 * @param bucket The bucket.
 * @param key The object key, or `undefined` for a bucket-level request.
 * @param query The query parameters in wire order.
 * @returns The request URL.
 *
 * @example
 * ```ts
 * import { createClient } from "../client.ts";
 * import { requestUrl } from "./request_url.ts";
 *
 * const client = createClient({ zone: "pek3a" });
 * requestUrl(client, "mybucket", "a b", [["uploads"]]).href;
 * // "https://pek3a.qingstor.com/mybucket/a%20b?uploads"
 * ```
 */
export function requestUrl(
  client: Client,
  bucket: string,
  key: string | undefined,
  query: readonly QueryParameter[] = [],
): URL {
  const url = new URL(client.endpoint);
  if (client.style == "virtual-host") url.hostname = bucket + "." + url.hostname;
  const prefix = client.style == "virtual-host" ? "" : "/" + bucket;
  // A bucket-level path-style URL has no trailing slash, as the official SDKs send it; an
  // empty path (virtual-host, no key) becomes "/" in the URL.
  url.pathname = key === undefined ? prefix : prefix + "/" + encodeKey(key);
  url.search = query
    .filter((parameter) => parameter.length == 1 || parameter[1] !== undefined)
    .map(([name, value]) =>
      encodeURIComponent(name) + (value === undefined ? "" : "=" + encodeURIComponent(value))
    )
    .join("&");
  return url;
}
