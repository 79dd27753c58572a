import type { Client } from "../client.ts";
import { signature } from "../sign/signature.ts";
import { stringToSign } from "../sign/string_to_sign.ts";

/** A request about to be signed by a client: its bucket, and its URL as built for that client. */
export interface ClientRequest {
  /** The HTTP method. */
  method: string;
  /** The URL from `requestUrl`, its path encoded as sent. */
  url: URL;
  /** The headers that will be sent. */
  headers: Headers;
  /** The bucket the request addresses. */
  bucket: string;
}

/**
 * Signs a request as the client's addressing style asks (see
 * docs/protocol.md#signing-requests): in virtual-host style the bucket is in the
 * host name, so the canonical resource puts it back in front of the path.
 * Header signatures and `presign()`'s URLs are made here; `presignParts()`
 * builds the same string to sign once, as here, and writes each part's
 * number into it.
 *
 * @param client The client whose style the URL was built for.
 * @param secretAccessKey The secret access key.
 * @param request The request.
 * @param expires For a presigned URL, its expiry in Unix seconds; omitted for a header signature.
 * @returns The base64 signature.
 *
 * @example
 * ```ts
 * import { createClient } from "../client.ts";
 * import { requestUrl } from "./request_url.ts";
 * import { signRequest } from "./sign_request.ts";
 *
 * const client = createClient({ zone: "pek3a", style: "virtual-host" });
 * const url = requestUrl(client, "mybucket", "a.bin", [["uploads"]]);
 * const headers = new Headers({ "x-qs-date": new Date().toUTCString() });
 * await signRequest(client, "secret", { method: "POST", url, headers, bucket: "mybucket" });
 * ```
 */
export function signRequest(
  client: Client,
  secretAccessKey: string,
  request: ClientRequest,
  expires?: number,
): Promise<string> {
  const { method, url, headers } = request;
  const virtualHostBucket = client.style == "virtual-host" ? request.bucket : undefined;
  return signature(
    secretAccessKey,
    stringToSign({ method, url, headers, virtualHostBucket }, expires),
  );
}
