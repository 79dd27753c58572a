/**
 * Requests signed and sent by hand, for what our client never sends but
 * other clients do: a signer built from `src/sign`, and a raw HTTP sender.
 */
import { request as httpRequest } from "node:http";
import { signature } from "../../src/sign/signature.ts";
import { stringToSign } from "../../src/sign/string_to_sign.ts";
import { CREDENTIALS } from "./harness.ts";

/** Headers for a request signed by hand with the test credentials, dated now. */
export async function signedHeaders(
  method: string,
  url: string,
  headers: Record<string, string> = {},
): Promise<Headers> {
  const all = new Headers({ ...headers, "x-qs-date": new Date().toUTCString() });
  const text = stringToSign({ method, url: new URL(url), headers: all });
  all.set(
    "authorization",
    `QS ${CREDENTIALS.accessKeyId}:${await signature(CREDENTIALS.secretAccessKey, text)}`,
  );
  return all;
}

/** An answer read whole by {@linkcode rawRequest}. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  bytes: Uint8Array;
}

/** Sends a raw request with node:http, so the path and the Host header go out exactly as given. */
export function rawRequest(
  base: string,
  method: string,
  path: string,
  headers: Headers,
  body?: string | Uint8Array,
): Promise<RawAnswer> {
  const { hostname, port, host } = new URL(base);
  // HTTP/1.1 needs a Host; a test may give any other.
  if (!headers.has("host")) headers.set("host", host);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { hostname, port, method, path, headers: Object.fromEntries(headers), setHost: false },
      (response) => {
        const chunks: Uint8Array[] = [];
        response.on("data", (chunk) => chunks.push(chunk));
        response.on("end", () => {
          const bytes = new Uint8Array(Buffer.concat(chunks));
          resolve({
            status: response.statusCode!,
            headers: response.headers as Record<string, string>,
            body: new TextDecoder().decode(bytes),
            bytes,
          });
        });
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

/**
 * Sends the first bytes of a body whose Content-Length promises more, then
 * nothing, keeping the connection open: a body that stopped arriving. Fails
 * if no answer comes within 5 s, so that a missing timeout fails rather than hangs.
 */
export function stalledRequest(
  base: string,
  method: string,
  path: string,
  headers: Headers,
  sent: Uint8Array,
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { hostname, port, method, path, headers: Object.fromEntries(headers) },
      (response) => {
        let body = "";
        response.on("data", (chunk) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode!, body }));
      },
    );
    request.on("error", reject);
    request.setTimeout(5_000, () => reject(new Error("no answer within 5 s")));
    request.write(sent);
  });
}
