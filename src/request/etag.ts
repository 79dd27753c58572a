/**
 * Removes one pair of surrounding quotes from an ETag: parts are identified by
 * the bare form that List Parts shows (see docs/protocol.md#quotes-around-part-etags).
 *
 * @param etag The ETag, quoted or not.
 * @returns The bare ETag.
 */
export function unquoteEtag(etag: string): string {
  return etag.replace(/^"(.*)"$/, "$1");
}

/**
 * Writes an ETag in the quoted HTTP form the docs require at Complete,
 * accepting a bare value (see docs/protocol.md#object-etag-at-complete).
 *
 * @param etag The ETag, quoted or not.
 * @returns The quoted ETag.
 */
export function quoteEtag(etag: string): string {
  return `"${unquoteEtag(etag)}"`;
}

/**
 * Reads a part's ETag header, bare. `undefined` when a browser cannot read
 * it because the bucket's CORS rule does not expose it (see
 * docs/protocol.md#browser-cors-rules).
 *
 * @param headers The response headers.
 * @returns The bare ETag, or `undefined`.
 */
export function readEtag(headers: Headers): string | undefined {
  const etag = headers.get("etag");
  return etag === null ? undefined : unquoteEtag(etag);
}
