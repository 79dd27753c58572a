import { canonicalizedResource } from "./canonicalized_resource.ts";

/** What the string to sign is built from: the request as it will be sent. */
export interface SignableRequest {
  /** The HTTP method, upper case as sent. */
  method: string;
  /** The URL with its path percent-encoded exactly as sent. */
  url: URL;
  /** The headers exactly as sent. */
  headers: Headers;
  /** The bucket named in the host name, for virtual-host style only. */
  virtualHostBucket?: string;
}

/**
 * Builds the string to sign for header signing (see docs/protocol.md#string-to-sign),
 * or for query signing when `expires` is given (see docs/protocol.md#presigned-urls):
 *
 * ```text
 * Verb \n Content-MD5 \n Content-Type \n Date-or-Expires \n CanonicalizedHeaders CanonicalizedResource
 * ```
 *
 * In header signing the date line is empty whenever `X-QS-Date` is sent,
 * because the date is then signed among the canonical headers (see
 * docs/protocol.md#date-line-and-clock-skew).
 *
 * @param request The request to sign.
 * @param expires For query signing: the expiry as whole Unix seconds.
 * @returns The exact string whose HMAC-SHA256 is the signature.
 *
 * @example
 * ```ts
 * import { stringToSign } from "./string_to_sign.ts";
 *
 * stringToSign({
 *   method: "POST",
 *   url: new URL("https://pek3a.qingstor.com/mybucket/large-object?uploads"),
 *   headers: new Headers({ "X-QS-Date": "Fri, 01 Nov 2019 07:40:08 GMT" }),
 * });
 * // "POST\n\n\n\nx-qs-date:Fri, 01 Nov 2019 07:40:08 GMT\n/mybucket/large-object?uploads"
 * ```
 */
export function stringToSign(request: SignableRequest, expires?: number): string {
  let contentMd5 = "";
  let contentType = "";
  let date = "";
  let dated = false;
  let canonicalHeaders = "";
  // One pass over the headers, which a runtime may sort afresh on each iteration or lookup.
  // `Headers` iterates in sorted lower-case name order, values trimmed and repeated names joined
  // as `get()` joins them: the CanonicalizedHeaders block (docs/protocol.md#canonicalized-headers)
  // is every `x-qs-` header, one `name:value\n` line each; with none, it is empty and no blank
  // line is left in the string to sign.
  for (const [name, value] of request.headers) {
    if (name.startsWith("x-qs-")) {
      canonicalHeaders += name + ":" + value + "\n";
      // An empty X-QS-Date does not date the request: the Date header must then.
      if (name == "x-qs-date" && value) dated = true;
    } else if (name == "content-md5") contentMd5 = value;
    else if (name == "content-type") contentType = value;
    else if (name == "date") date = value;
  }
  return request.method + "\n" + contentMd5 + "\n" + contentType + "\n" +
    (expires !== undefined ? expires : dated ? "" : date) + "\n" + canonicalHeaders +
    canonicalizedResource(request.url, request.virtualHostBucket);
}
