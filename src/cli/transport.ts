import { printable } from "./output.ts";

/** What {@linkcode createTransport} returns. */
export interface Transport {
  /** The `fetch` to give the client. */
  fetch: (request: Request) => Promise<Response>;
  /**
   * Upload IDs whose abort the service confirmed. `upload()` rejects with the
   * signal's reason when interrupted, whether or not its clean-up abort
   * succeeded; this is how the CLI knows which it was, without a second request.
   */
  abortedUploads: Set<string>;
}

/**
 * The client's transport: the global `fetch`, watched. With `log`, each
 * request's operation, method, path and status are told (never a header: the
 * Authorization header carries a signature, and nothing here needs it).
 *
 * @param log Where to tell about each request, for `--verbose`; nothing when absent.
 * @returns The transport.
 */
export function createTransport(log?: (line: string) => void): Transport {
  const abortedUploads = new Set<string>();
  return {
    abortedUploads,
    fetch: async (request) => {
      const url = new URL(request.url);
      const operation = operationOf(request.method, url, request.headers);
      const what = `${operation} ${request.method} ${url.pathname}${url.search}`;
      let response: Response;
      try {
        // Looked up at each call, as the library does, so a test's stub would be seen.
        response = await fetch(request);
      } catch (error) {
        log?.(`${what} → no response: ${error instanceof Error ? error.message : error}`);
        throw error;
      }
      const requestId = response.headers.get("x-qs-request-id");
      log?.(`${what} → ${response.status} (request id ${printable(String(requestId))})`);
      const uploadId = url.searchParams.get("upload_id");
      if (operation == "abortMultipartUpload" && response.status == 204 && uploadId) {
        abortedUploads.add(uploadId);
      }
      return response;
    },
  };
}

/**
 * The library's name for a request, read back from its method and query (see
 * docs/protocol.md#operations).
 */
function operationOf(method: string, url: URL, headers: Headers): string {
  const query = url.searchParams;
  if (query.has("uploads")) {
    return method == "POST" ? "initiateMultipartUpload" : "listMultipartUploads";
  }
  if (method == "PUT" && query.has("part_number")) {
    return headers.has("x-qs-copy-source") ? "uploadPartCopy" : "uploadPart";
  }
  if (query.has("upload_id")) {
    if (method == "GET") return "listParts";
    if (method == "POST") return "completeMultipartUpload";
    if (method == "DELETE") return "abortMultipartUpload";
  }
  return "request";
}
