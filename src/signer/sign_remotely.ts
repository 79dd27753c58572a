import type { Client } from "../client.ts";
import type { QingStorError, QingStorErrorInit } from "../errors.ts";
import type { ServiceRequest } from "../request/send.ts";
import { untilAborted } from "../until_aborted.ts";

/** What `send()` lends an attempt signed by a signer. */
export interface SigningAttempt {
  /** The attempt's signal: its deadline and the caller's abort. */
  signal: AbortSignal;
  /** Makes the attempt's error, secrets redacted. */
  fail: (status: number, message: string, more?: Partial<QingStorErrorInit>) => QingStorError;
  /** The texts no error may show; the `Authorization` received is added. */
  secrets: string[];
}

/**
 * Asks the client's signer for an attempt's `Authorization` and `X-QS-Date`
 * and sets them on the request as built (see docs/protocol.md#remote-signing).
 * The signer is told the headers of the built request that are signed, so
 * that a Content-Type the runtime added for the body is declared as it goes out.
 *
 * @param client A client with a signer.
 * @param request The request being sent.
 * @param url Its URL.
 * @param headers The headers of the built request; the signer's answer is set on them.
 * @param attempt The attempt's signal, error maker and secrets.
 * @returns `undefined` once the headers are set; or the attempt's failure when the signer
 * failed, with the status and code it gave (0 without), retried as that status says.
 * @throws The signal's reason (or `stopRetries`') when the attempt was given up meanwhile.
 */
export async function signRemotely(
  client: Client,
  request: ServiceRequest,
  url: URL,
  headers: Headers,
  attempt: SigningAttempt,
): Promise<QingStorError | undefined> {
  const { signal, fail, secrets } = attempt;
  const signed: Record<string, string> = {};
  for (const [name, value] of headers) {
    if (/^(content-(md5|type)|x-qs-)/.test(name)) signed[name] = value;
  }
  try {
    const signing = client.signer!({
      operation: request.operation,
      method: request.method,
      bucket: request.bucket,
      key: request.key,
      query: Object.fromEntries(url.searchParams),
      headers: signed,
      style: client.style,
      // Stopping retries gives up an attempt that has not gone out: the signer is told so too,
      // or a remote signer would keep its round trip open, and later requests behind it.
      signal: request.stopRetries ? AbortSignal.any([signal, request.stopRetries]) : signal,
    });
    // Until the request goes out, stopping retries stops the attempt, as in send().
    const { authorization, date } = await untilAborted(signing, request.stopRetries);
    secrets.push(authorization);
    // Headers refuses a value with a line break or a non-Latin-1 character: a TypeError.
    headers.set("x-qs-date", date);
    headers.set("authorization", authorization);
  } catch (error) {
    // Given up meanwhile: send() tells the reason.
    signal.throwIfAborted();
    request.stopRetries?.throwIfAborted();
    const { status, code, message = error } = Object(error);
    return fail(
      Number.isInteger(status) ? status : 0,
      "The request was not signed: " + message,
      { code: typeof code == "string" ? code : undefined, cause: error },
    );
  }
  // A transport need not check an aborted signal itself.
  signal.throwIfAborted();
  return undefined;
}
