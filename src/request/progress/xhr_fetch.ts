import type { KnownLengthBody, OnBodySent } from "./body_slices.ts";
import { webResponse } from "./web_response.ts";

/** As much of `XMLHttpRequest` as {@linkcode xhrFetch} uses; Deno's types do not declare it. */
interface Xhr {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  getAllResponseHeaders(): string;
  send(body: Blob): void;
  abort(): void;
  responseType: string;
  readonly response: ArrayBuffer | null;
  readonly status: number;
  readonly statusText: string;
  readonly upload: { onprogress: ((event: { loaded: number }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
}

/**
 * Sends a request through `XMLHttpRequest`, whose upload `progress` events
 * are the only byte count a page gets: browsers forbid a script's
 * `Content-Length`, and Chromium streams a `fetch` body only over HTTP/2
 * (https://developer.chrome.com/docs/capabilities/web-apis/fetch-streaming-requests).
 * Chromium counts what its socket took, at most every 100 ms
 * (`kUploadProgressInterval` in
 * https://source.chromium.org/chromium/chromium/src/+/main:services/network/upload_progress_tracker.cc):
 * over loopback, where a full 4 MiB send buffer wakes its writer only when a
 * third is free, that is steps of ~1.4 MiB (docs/protocol.md#chromiums-upload-progress).
 *
 * @param request The request, signed; its own body is not read.
 * @param body The body to send in its place.
 * @param onSent Told the bytes taken so far.
 * @returns The response.
 * @throws {TypeError} When the request fails on the network (or CORS refuses it), as `fetch` does.
 * @throws The signal's reason when the request's signal aborts; the request is aborted then.
 */
export function xhrFetch(
  request: Request,
  body: KnownLengthBody,
  onSent: OnBodySent,
): Promise<Response> {
  const { signal } = request;
  signal.throwIfAborted();
  const Constructor = (globalThis as unknown as { XMLHttpRequest: new () => Xhr }).XMLHttpRequest;
  return new Promise((resolve, reject) => {
    const xhr = new Constructor();
    const settle = (outcome: () => void) => {
      signal.removeEventListener("abort", onAbort);
      xhr.upload.onprogress = xhr.onload = xhr.onerror = null;
      outcome();
    };
    const onAbort = () => {
      settle(() => reject(signal.reason));
      xhr.abort();
    };
    xhr.open(request.method, request.url);
    xhr.responseType = "arraybuffer";
    request.headers.forEach((value, name) => xhr.setRequestHeader(name, value));
    xhr.upload.onprogress = (event) => onSent(event.loaded);
    xhr.onload = () => {
      try {
        const headers = parseHeaders(xhr.getAllResponseHeaders());
        const response = webResponse(xhr.status, xhr.statusText, headers, xhr.response);
        settle(() => resolve(response));
      } catch (error) {
        settle(() => reject(error));
      }
    };
    xhr.onerror = () => settle(() => reject(new TypeError("Network request failed")));
    signal.addEventListener("abort", onAbort);
    // Bytes go as a Blob: counted alike, but under DevTools (an open inspector, Playwright) a
    // typed array body is first copied on the page's thread, which delayed the first event by a
    // second for 32 MiB (docs/protocol.md#chromiums-upload-progress). Not shared memory:
    // uploadPart() refused that already.
    xhr.send(body instanceof Blob ? body : new Blob([body as Uint8Array<ArrayBuffer>]));
  });
}

/** Headers from `getAllResponseHeaders()`: `name: value` lines, CRLF-separated. */
function parseHeaders(text: string): Headers {
  const headers = new Headers();
  for (const line of text.trim().split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return headers;
}
