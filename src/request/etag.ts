/**
 * Removes one pair of surrounding quotes from an ETag (spec §13.6): parts
 * are identified by the bare form that List Parts shows.
 *
 * @param etag The ETag, quoted or not.
 * @returns The bare ETag.
 */
export function unquoteEtag(etag: string): string {
  return etag.replace(/^"(.*)"$/, "$1");
}

/**
 * Writes an ETag in the quoted HTTP form the docs require at Complete
 * (spec §13.5), accepting a bare value.
 *
 * @param etag The ETag, quoted or not.
 * @returns The quoted ETag.
 */
export function quoteEtag(etag: string): string {
  return `"${unquoteEtag(etag)}"`;
}

/**
 * Reads a part's ETag header, bare. `undefined` when a browser cannot read
 * it because the bucket's CORS rule does not expose it (spec §11).
 *
 * @param headers The response headers.
 * @returns The bare ETag, or `undefined`.
 */
export function readEtag(headers: Headers): string | undefined {
  const etag = headers.get("etag");
  return etag === null ? undefined : unquoteEtag(etag);
}
