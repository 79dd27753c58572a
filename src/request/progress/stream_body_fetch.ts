import { bodyLength, bodySlices, type KnownLengthBody, type OnBodySent } from "./body_slices.ts";

/**
 * Sends a request through the global `fetch` with its body as a stream that
 * counts what the transport pulls, and its `Content-Length` given: for Node
 * and Bun, whose `fetch` keeps a `Content-Length` given for a stream body
 * and pulls the stream only as fast as the socket takes it (see
 * docs/protocol.md#upload-progress-by-runtime). Deno's does not: it sends a
 * stream chunked (https://github.com/denoland/deno/issues/24197).
 *
 * @param request The request, signed; its own body is not read.
 * @param body The body to send in its place.
 * @param onSent Told the bytes taken so far.
 * @returns The response.
 */
export function streamBodyFetch(
  request: Request,
  body: KnownLengthBody,
  onSent: OnBodySent,
): Promise<Response> {
  const slices = bodySlices(body);
  let sent = 0;
  let handedOut = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      // The transport asks for more once it has written what it was given: that much is sent.
      if (handedOut > sent) onSent(sent = handedOut);
      const next = await slices.next();
      if (next.done) return controller.close();
      handedOut += next.value.length;
      controller.enqueue(next.value);
    },
  }, { highWaterMark: 0 });
  const headers = new Headers(request.headers);
  headers.set("content-length", String(bodyLength(body)));
  return fetch(
    request.url,
    {
      method: request.method,
      headers,
      body: stream,
      signal: request.signal,
      // A stream body needs it (https://github.com/whatwg/fetch/pull/1457); the DOM types lack it.
      duplex: "half",
    } as RequestInit & { duplex: "half" },
  );
}
