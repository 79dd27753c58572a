import type { Client } from "../client.ts";
import { QingStorError } from "../errors.ts";
import { redactError } from "../request/redact.ts";
import { requestUrl } from "../request/request_url.ts";
import { untilAborted } from "../until_aborted.ts";

/** Options of {@linkcode syncClock}. */
export interface SyncClockOptions {
  /**
   * Ask this bucket rather than the endpoint itself. In a browser the
   * service's `Date` header is readable only where a CORS rule exposes it,
   * so give a bucket whose rule allows the page's origin and exposes `Date`.
   */
  bucket?: string;
  /** Cancels the request. */
  signal?: AbortSignal;
}

/**
 * Learns the service's clock from one cheap request, and keeps the offset
 * in `client.clockOffset` for every request and presigned URL after it.
 * The request is an unsigned `HEAD` of the endpoint (or of a bucket): the
 * service refuses it, but every answer, an error too, carries `Date`.
 *
 * A client otherwise learns the offset only when a request is refused as
 * `request_expired`, which presigning never sees: with the local clock an
 * hour behind the service, a presigned URL is expired on arrival; an hour
 * ahead, a 600 s URL lives 70 minutes. So call this before presigning
 * wherever the local clock may be off (or seed `createClient({ clockOffset })`).
 *
 * `Date` has whole seconds: the offset is taken to the middle of that
 * second and of the round trip, so it is right to within about half a
 * second plus half the round trip.
 *
 * @param client The client.
 * @param options A bucket to ask instead of the endpoint, and a signal.
 * @returns The offset in milliseconds, service minus local (also stored in `client.clockOffset`).
 * @throws {QingStorError} If no answer came within the client's timeout (`status` 0), or the
 * answer had no `Date` header.
 * @throws The signal's reason, when the signal aborts.
 *
 * @example
 * ```ts
 * import { createClient, presign, syncClock } from "qingstor-multipart";
 * import { createEmulator } from "qingstor-multipart/testing";
 * import assert from "node:assert/strict";
 *
 * // A service whose clock is an hour ahead of this machine's.
 * const credentials = { accessKeyId: "AKID", secretAccessKey: "secret" };
 * const emulator = createEmulator({ credentials: [credentials], clockOffset: 3_600_000 });
 * const client = createClient({ endpoint: "http://localhost", credentials, fetch: emulator.fetch });
 *
 * const offset = await syncClock(client);
 * assert.ok(Math.abs(offset - 3_600_000) < 2000);
 * // Presigned URLs now live their stated life on the service's clock.
 * const url = await presign(client, {
 *   method: "POST",
 *   bucket: "mybucket",
 *   key: "a.bin",
 *   query: { uploads: "" },
 *   expiresIn: 600,
 * });
 * assert.equal((await emulator.fetch(new Request(url, { method: "POST" }))).status, 200);
 * ```
 */
export async function syncClock(client: Client, options: SyncClockOptions = {}): Promise<number> {
  const { signal } = options;
  const syncError = (status: number, message: string, cause?: unknown) =>
    new QingStorError({ operation: "syncClock", status, message, attempts: 1, cause });
  const url = options.bucket === undefined
    ? client.endpoint
    : requestUrl(client, options.bucket, undefined);
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), client.timeout);
  const attempt = AbortSignal.any([deadline.signal, signal].filter((given) => given != undefined));
  const sent = Date.now();
  let response: Response;
  try {
    // Called in a then(), so that a transport that throws at once rejects like any other.
    response = await untilAborted(
      Promise.resolve().then(() =>
        client.fetch(new Request(url, { method: "HEAD", signal: attempt }))
      ),
      attempt,
    );
    // A HEAD answer has no body; drained all the same, so that the connection can be reused.
    await untilAborted(Promise.resolve(response.body?.cancel()), attempt);
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw syncError(
      0,
      deadline.signal.aborted
        ? `no answer within ${client.timeout} ms`
        : (error as Error)?.message ?? String(error),
      redactError(error, []),
    );
  } finally {
    clearTimeout(timer);
  }
  const received = Date.now();
  const date = Date.parse(response.headers.get("date") ?? "");
  if (!date) {
    throw syncError(response.status, "The answer has no Date header to learn the clock from");
  }
  client.clockOffset = Math.round(date + 500 - (sent + received) / 2);
  return client.clockOffset;
}
