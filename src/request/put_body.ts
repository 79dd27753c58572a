/**
 * A body sent whole with a PUT that stores it, Upload Part and PUT Object
 * alike: of known length, with its Content-MD5, counted as it goes out when
 * asked, answered 201 with the stored bytes' ETag.
 *
 * @module
 */
import type { Client } from "../client.ts";
import { contentMd5 } from "./content_md5.ts";
import { countingFetch } from "./counting_fetch.ts";
import { readEtag } from "./etag.ts";
import type { KnownLengthBody, OnBodySent } from "./progress/body_slices.ts";
import { send, type ServiceRequest } from "./send.ts";

/** A PUT of a whole body: the request, less what every such PUT shares. */
export interface PutBodyRequest
  extends Pick<ServiceRequest, "operation" | "bucket" | "key" | "query" | "headers" | "signal"> {
  /** The body, of known length. */
  body: KnownLengthBody;
  /** `true` computes Content-MD5, `false` sends none, a string is the base64 MD5 already computed. */
  md5: boolean | string;
  /** Told, per attempt, the bytes the transport took so far. */
  onProgress?: OnBodySent;
}

/** What the service says of the bytes it stored. */
export interface StoredBody {
  /** The ETag without quotes; absent if a browser may not read it. */
  etag?: string;
  /** The SSE-C algorithm the service echoes (`"AES256"`); else absent. */
  encryptionAlgorithm?: string;
  /** The `x-qs-request-id` of the response. */
  requestId: string;
}

/**
 * Sends a whole body with a PUT and reads what the service stored.
 *
 * @param client The client.
 * @param request The request and its body.
 * @returns The stored bytes' ETag, SSE-C algorithm and request ID.
 * @throws {ValidationError} If `md5` or `onProgress` is invalid; nothing is sent.
 * @throws {QingStorError} If the service refuses the body, or cannot be reached.
 */
export async function putBody(client: Client, request: PutBodyRequest): Promise<StoredBody> {
  const { md5, onProgress, ...rest } = request;
  // Deno's fetch sends an empty Blob chunked, with no Content-Length, which a PUT that stores a
  // body is refused without (docs/protocol.md#known-length-bodies); empty bytes carry a length.
  const body = request.body instanceof Blob && !request.body.size
    ? new Uint8Array(0)
    : request.body;
  const transport = await countingFetch(client, body, onProgress, request.signal);
  const response = await send(client, {
    ...rest,
    method: "PUT",
    headers: { ...rest.headers, "content-md5": await contentMd5(body, md5, request.signal) },
    body,
    expect: 201,
    fetch: transport,
  });
  return {
    etag: readEtag(response.headers),
    encryptionAlgorithm: response.headers.get("x-qs-encryption-customer-algorithm") ?? undefined,
    requestId: response.requestId,
  };
}
