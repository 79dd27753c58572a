/**
 * CORS, as the service answers browsers: the preflight, and the headers every
 * answer to a request with an Origin carries.
 *
 * @module
 */

/** The answer headers a browser may read. */
const EXPOSED =
  "ETag, x-qs-request-id, Date, X-QS-Content-Copy-Range, X-QS-Encryption-Customer-Algorithm, Content-Range, Last-Modified";

/**
 * Answers a CORS preflight with 200, as the service's OPTIONS Object does.
 *
 * @param request The OPTIONS request.
 * @returns The answer.
 */
export function preflight(request: Request): Response {
  return new Response(null, {
    status: 200,
    headers: {
      "access-control-allow-methods": "GET, PUT, POST, DELETE, HEAD",
      "access-control-allow-headers": request.headers.get("access-control-request-headers") ?? "*",
      "access-control-max-age": "600",
    },
  });
}

/**
 * Sets the CORS headers of an answer to a request that has an Origin.
 *
 * @param request The request.
 * @param headers The answer's headers, changed in place.
 */
export function allowOrigin(request: Request, headers: Headers): void {
  const origin = request.headers.get("origin");
  if (!origin) return;
  headers.set("access-control-allow-origin", origin);
  headers.set("access-control-expose-headers", EXPOSED);
}
