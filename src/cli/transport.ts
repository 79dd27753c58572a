import { printable } from "./output.ts";

/** What {@linkcode createTransport} returns: the `fetch` to give the client, and what it saw. */
export interface Transport {
  /** The `fetch` to give the client. */
  fetch: (request: Request) => Promise<Response>;
  /**
   * Upload IDs whose abort request was answered 204. The service answers so
   * whether or not the upload existed; for an upload `upload()` itself made
   * and cleans up, it tells that the clean-up went through. (`upload()`
   * rejects with the signal's reason when interrupted, whether or not its
   * abort succeeded; this is how the CLI knows which it was.)
   */
  abortsAnswered: Set<string>;
  /** Whether a request of an operation (`completeMultipartUpload`, ...) awaits its answer. */
  pending(operation: string): boolean;
  /**
   * How many parts of an upload are known to be on the service: those
   * listed by `listParts`, and those `uploadPart` was answered 201 for.
   */
  partsOnService(uploadId: string): number;
  /** The upload ID of the last request that named one, if any did. */
  lastUploadId(): string | undefined;
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
  const abortsAnswered = new Set<string>();
  const inFlight = new Map<string, number>();
  const parts = new Map<string, Set<number>>();
  let lastUploadId: string | undefined;
  const partsOf = (uploadId: string) => {
    let numbers = parts.get(uploadId);
    if (!numbers) parts.set(uploadId, numbers = new Set());
    return numbers;
  };
  return {
    abortsAnswered,
    pending: (operation) => (inFlight.get(operation) ?? 0) > 0,
    partsOnService: (uploadId) => parts.get(uploadId)?.size ?? 0,
    lastUploadId: () => lastUploadId,
    fetch: async (request) => {
      const url = new URL(request.url);
      const operation = operationOf(request.method, url, request.headers);
      const what = `${operation} ${request.method} ${url.pathname}${url.search}`;
      const uploadId = url.searchParams.get("upload_id") ?? undefined;
      lastUploadId = uploadId ?? lastUploadId;
      inFlight.set(operation, (inFlight.get(operation) ?? 0) + 1);
      let response: Response;
      try {
        // Looked up at each call, as the library does, so a test's stub would be seen.
        response = await fetch(request);
      } catch (error) {
        log?.(`${what} → no response: ${error instanceof Error ? error.message : error}`);
        throw error;
      } finally {
        inFlight.set(operation, inFlight.get(operation)! - 1);
      }
      const requestId = response.headers.get("x-qs-request-id");
      log?.(`${what} → ${response.status} (request id ${printable(String(requestId))})`);
      if (uploadId && operation == "abortMultipartUpload" && response.status == 204) {
        abortsAnswered.add(uploadId);
      }
      if (uploadId && operation == "uploadPart" && response.status == 201) {
        partsOf(uploadId).add(Number(url.searchParams.get("part_number")));
      }
      if (uploadId && operation == "listParts" && response.status == 200) {
        // A copy of the page, read here: the library reads the response itself.
        const page = await response.clone().json().catch(() => undefined) as
          | { object_parts?: { part_number?: unknown }[] }
          | undefined;
        for (const part of page?.object_parts ?? []) {
          if (typeof part.part_number == "number") partsOf(uploadId).add(part.part_number);
        }
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
  if (method == "PUT" && !url.search) return "putObject";
  return "request";
}
