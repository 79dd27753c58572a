/**
 * The server half of remote signing, behind {@linkcode handleSignRequest}:
 * reads a batch, checks each entry, asks `authorize`, and signs. Loaded at
 * the first request a signing server handles, so that a program that only
 * uploads does not parse it when it imports the package (see
 * scripts/bench/import.ts).
 *
 * @module
 */
import { type Client, serviceNow } from "../client.ts";
import { requestUrl } from "../request/request_url.ts";
import { signRequest } from "../request/sign_request.ts";
import { checkBucket } from "../validate.ts";
import type { HandleSignRequestOptions } from "./handle_sign_request.ts";
import {
  checkEntry,
  checkFields,
  isRecord,
  shown,
  type SignableEntry,
  SigningRefusal,
} from "./signable_operations.ts";
import {
  MAX_SIGNING_BODY,
  MAX_SIGNING_ENTRIES,
  SIGNING_PROTOCOL_VERSION,
  type WireSignature,
  type WireSigningAnswer,
} from "./wire.ts";

const JSON_HEADERS = { "content-type": "application/json", "cache-control": "no-store" };

/** An answer of the signing protocol. */
function answer(status: number, body: WireSigningAnswer): Response {
  return new Response(JSON.stringify(body), { status, headers: JSON_HEADERS });
}

/** The JSON answer to a batch refused as a whole. */
function refusal(refused: SigningRefusal): Response {
  const { status, code, message, entry } = refused;
  return answer(status, {
    version: SIGNING_PROTOCOL_VERSION,
    error: { status, code, message, entry },
  });
}

/**
 * Reads a body as UTF-8 text, at most `limit` bytes of it.
 *
 * @returns The text, or `undefined` when the body is longer.
 * @throws {TypeError} If the bytes are not UTF-8, or the body cannot be read.
 */
async function readText(request: Request, limit: number): Promise<string | undefined> {
  if (Number(request.headers.get("content-length")) > limit) return undefined;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let text = "";
  let size = 0;
  const reader = request.body?.getReader();
  for (let chunk; reader && !(chunk = await reader.read()).done;) {
    size += chunk.value.length;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    // A character split between chunks is kept until its last byte comes.
    text += decoder.decode(chunk.value, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * Reads and checks a batch: its shape, size, version, bucket and every entry.
 *
 * @throws {SigningRefusal} At the first thing wrong.
 */
async function readBatch(request: Request) {
  if (request.method != "POST") {
    throw new SigningRefusal(405, "sign_method_not_allowed", "Signing requests are sent with POST");
  }
  const type = request.headers.get("content-type")?.split(";")[0].trim().toLowerCase();
  if (type != "application/json") {
    throw new SigningRefusal(
      415,
      "sign_unsupported_media_type",
      "Signing requests are application/json",
    );
  }
  let text;
  let batch: unknown;
  try {
    text = await readText(request, MAX_SIGNING_BODY);
    batch = text === undefined ? undefined : JSON.parse(text);
  } catch {
    throw new SigningRefusal(400, "sign_request_invalid", "The body is not JSON in UTF-8");
  }
  if (text === undefined) {
    throw new SigningRefusal(
      413,
      "sign_request_too_large",
      `A signing request is at most ${MAX_SIGNING_BODY} bytes`,
    );
  }
  const invalid = (message: string) => new SigningRefusal(400, "sign_request_invalid", message);
  if (!isRecord(batch)) throw invalid("The body must be a JSON object");
  try {
    checkFields(batch, ["version", "bucket", "style", "requests"], "body");
    // One bucket per batch, named at the top: an entry may not name one of its own.
    checkBucket(shown(batch.bucket) as string);
  } catch (error) {
    throw invalid((error as Error).message);
  }
  if (batch.version !== SIGNING_PROTOCOL_VERSION) {
    throw invalid(`Only version ${SIGNING_PROTOCOL_VERSION} of the signing protocol is spoken`);
  }
  const style = batch.style ?? "path";
  if (style != "path" && style != "virtual-host") {
    throw invalid('style must be "path" or "virtual-host"');
  }
  const requests = batch.requests;
  if (!Array.isArray(requests) || requests.length == 0) {
    throw invalid("requests must be a non-empty array");
  }
  if (requests.length > MAX_SIGNING_ENTRIES) {
    throw new SigningRefusal(
      413,
      "sign_request_too_large",
      `A signing request holds at most ${MAX_SIGNING_ENTRIES} entries, received ${requests.length}`,
    );
  }
  // The metadata checks are loaded on demand, as for a request (see initiateUpload).
  const { metadataHeaders } = await import("../request/metadata_headers.ts");
  return {
    bucket: batch.bucket as string,
    style: style as Client["style"],
    entries: requests.map((entry, index) => checkEntry(entry, index, metadataHeaders)),
  };
}

/**
 * Answers a signing request, once `authorize` is known to be a function.
 *
 * @param client A client with credentials.
 * @param request The signing request.
 * @param options `authorize`.
 * @returns The answer to send back.
 */
export async function signBatch(
  client: Client,
  request: Request,
  options: HandleSignRequestOptions,
): Promise<Response> {
  let batch;
  try {
    batch = await readBatch(request);
  } catch (error) {
    if (error instanceof SigningRefusal) return refusal(error);
    throw error;
  }
  const credentials = await client.credentials();
  if (!credentials) {
    return refusal(
      new SigningRefusal(500, "sign_server_misconfigured", "The signing server has no credentials"),
    );
  }
  const { bucket, style, entries } = batch;
  // One date for the batch, on the service's clock as the server knows it.
  const date = new Date(serviceNow(client)).toUTCString();
  // The server's client addressed as the batch is: made once, not per entry.
  const signer = { ...client, style };
  const signatures = await Promise.all(entries.map(async (entry): Promise<WireSignature> => {
    const allowed = await authorized(options, entry, bucket, request);
    if (!allowed) {
      return {
        error: {
          status: 403,
          code: "sign_request_refused",
          message: `Not allowed: ${entry.operation} of ${
            entry.inPath ? JSON.stringify(entry.key) : "every key"
          }`,
        },
      };
    }
    const url = requestUrl(signer, bucket, entry.inPath ? entry.key : undefined, entry.query);
    const headers = new Headers(entry.headers);
    headers.set("x-qs-date", date);
    const signature = await signRequest(signer, credentials.secretAccessKey, {
      method: entry.method,
      url,
      headers,
      bucket,
    });
    return { authorization: `QS ${credentials.accessKeyId}:${signature}`, date };
  }));
  const status = signatures.every((signed) => "error" in signed) ? 403 : 200;
  return answer(status, { version: SIGNING_PROTOCOL_VERSION, signatures });
}

/** Asks `authorize`; anything but `true`, a throw included, refuses. */
async function authorized(
  options: HandleSignRequestOptions,
  entry: SignableEntry,
  bucket: string,
  request: Request,
): Promise<boolean> {
  try {
    const { operation, key, uploadId, partNumber, headers } = entry;
    return await options.authorize({
      operation,
      bucket,
      key,
      uploadId,
      partNumber,
      // Frozen, so that what authorize is shown is what is signed.
      headers: Object.freeze(headers),
      request,
    }) === true;
  } catch {
    return false;
  }
}
