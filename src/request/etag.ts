/**
 * Reads a part's ETag header without its quotes (spec §13.6): the form List
 * Parts uses and Complete expects. `undefined` when a browser cannot read it
 * because the bucket's CORS rule does not expose it.
 *
 * @param headers The response headers.
 * @returns The bare ETag, or `undefined`.
 */
export function readEtag(headers: Headers): string | undefined {
  return headers.get("etag")?.replace(/^"(.*)"$/, "$1") ?? undefined;
}

/**
 * Writes an ETag in the quoted HTTP form the docs require at Complete
 * (spec §13.5), accepting a bare value.
 *
 * @param etag The ETag, quoted or not.
 * @returns The quoted ETag.
 */
export function quoteEtag(etag: string): string {
  return /^".*"$/.test(etag) ? etag : `"${etag}"`;
}
