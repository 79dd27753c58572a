/**
 * The answer a counting transport read, as the `Response` that `fetch`
 * would have given.
 *
 * @module
 */

/** Statuses whose response has no body, which `Response` refuses one for. */
const NULL_BODY = new Set([204, 205, 304]);

/**
 * A `Response` from an answer's parts; the body is dropped for a status that may have none.
 *
 * @param status The answer's status.
 * @param statusText Its reason phrase.
 * @param headers Its headers.
 * @param body Its body, read whole (answers to a part are small).
 * @returns The response.
 * @throws {RangeError} For a status outside 200–599, which `Response` refuses: no answer the
 * client can use.
 */
export function webResponse(
  status: number,
  statusText: string | undefined,
  headers: Headers,
  body: BodyInit | null,
): Response {
  return new Response(NULL_BODY.has(status) ? null : body, { status, statusText, headers });
}
