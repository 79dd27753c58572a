/**
 * The request log tests read (`state.requests`): a record per request, kept
 * to the most recent `requestLogLimit`, completed when the answer goes out.
 *
 * @module
 */
import type { Emulator, EmulatorRequestRecord } from "./model.ts";

/**
 * Records a request as it arrives.
 *
 * @param emulator The emulator, for its log and its limit.
 * @param request The request.
 * @param url Its URL.
 * @param requestId The ID it is answered with.
 * @returns The record, to complete as the request is authenticated and answered.
 */
export function logRequest(
  emulator: Emulator,
  request: Request,
  url: URL,
  requestId: string,
): EmulatorRequestRecord {
  const record: EmulatorRequestRecord = {
    method: request.method,
    target: url.pathname + url.search,
    headers: Object.fromEntries(request.headers),
    auth: "anonymous",
    status: 0,
    responseHeaders: {},
    requestId,
  };
  const log = emulator.state.requests;
  log.push(record);
  // Only the most recent are kept, so that a long-running emulator stays flat.
  const limit = emulator.options.requestLogLimit ?? 1000;
  if (log.length > limit) log.splice(0, log.length - limit);
  return record;
}

/**
 * Records the answer to a request.
 *
 * @param record The request's record.
 * @param status The status answered.
 * @param headers The headers answered.
 */
export function logAnswer(record: EmulatorRequestRecord, status: number, headers: Headers): void {
  record.status = status;
  record.responseHeaders = Object.fromEntries(headers);
}
