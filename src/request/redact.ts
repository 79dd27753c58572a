/**
 * Keeps secrets out of errors. An error from outside may hold anything: a
 * transport's error may keep the `Request`, and with it the Authorization
 * header; a proxy's error page or a runtime's message may quote a header.
 * So such an error is reduced to its name, message and code (its causes
 * likewise), and the secrets the caller knows of are cut out of every text.
 *
 * @param error An error from outside, or anything thrown.
 * @param secrets The texts that must not appear: a secret key, signatures, SSE-C keys.
 * @param depth How many causes deep to follow.
 * @returns A plain `Error` with the same name, message and code, secrets removed; `undefined`
 * for `undefined` or `null`.
 *
 * @example
 * ```ts
 * import { redactError } from "./redact.ts";
 *
 * const leaky = Object.assign(new TypeError("sent QS AKID:c2lnbmF0dXJl"), {
 *   code: "ECONNRESET",
 *   request: new Request("https://example.com", { headers: { authorization: "QS AKID:c2lnbmF0dXJl" } }),
 * });
 * const safe = redactError(leaky, ["c2lnbmF0dXJl"])!;
 * safe.message; // "sent QS AKID:[redacted]"
 * "request" in safe; // false
 * ```
 */
export function redactError(
  error: unknown,
  secrets: readonly string[],
  depth = 4,
): Error | undefined {
  if (error == null || depth == 0) return undefined;
  const { name = "Error", message = error, code, cause } = Object(error);
  const safe = new Error(redactText(String(message), secrets));
  safe.name = String(name);
  if (code !== undefined) Object.assign(safe, { code: redactText(String(code), secrets) });
  const safeCause = redactError(cause, secrets, depth - 1);
  if (safeCause) safe.cause = safeCause;
  return safe;
}

/**
 * Cuts every secret out of a text.
 *
 * @param text The text.
 * @param secrets The texts to remove; empty ones are ignored.
 * @returns The text with each secret replaced by `[redacted]`.
 *
 * @example
 * ```ts
 * import { redactText } from "./redact.ts";
 *
 * redactText("key=hunter2", ["hunter2", ""]); // "key=[redacted]"
 * ```
 */
export function redactText(text: string, secrets: readonly string[]): string {
  for (const secret of secrets) if (secret) text = text.replaceAll(secret, "[redacted]");
  return text;
}
