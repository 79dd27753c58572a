/**
 * What the handleSignRequest() tests share: a well-formed entry of each signable operation, and
 * helpers to post a batch, handle it, and assert it refused.
 */
import assert from "node:assert/strict";
import { createClient, handleSignRequest, type SigningAuthorization } from "../../mod.ts";
import { CREDENTIALS } from "./harness.ts";

export const server = createClient({ zone: "pek3a", credentials: CREDENTIALS });
export const bucket = "mybucket";
export const uploadId = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
export const md5 = "g6YKes3LhQu14cy+rs6TNg==";

/** A well-formed entry of each signable operation. */
export const GOOD: Record<string, Record<string, unknown>> = {
  initiate: {
    operation: "initiateMultipartUpload",
    method: "POST",
    key: "alice/a.bin",
    query: { uploads: "" },
    headers: {
      "content-type": "video/mp4",
      "x-qs-meta-owner": "alice",
      "x-qs-storage-class": "STANDARD_IA",
    },
  },
  part: {
    operation: "uploadPart",
    method: "PUT",
    key: "alice/a.bin",
    query: { part_number: "3", upload_id: uploadId },
    headers: { "content-md5": md5 },
  },
  list: {
    operation: "listParts",
    method: "GET",
    key: "alice/a.bin",
    query: { upload_id: uploadId, limit: "100", part_number_marker: "3" },
  },
  complete: {
    operation: "completeMultipartUpload",
    method: "POST",
    key: "alice/a.bin",
    query: { upload_id: uploadId },
    headers: { "content-type": "application/json" },
  },
  abort: {
    operation: "abortMultipartUpload",
    method: "DELETE",
    key: "alice/a.bin",
    query: { upload_id: uploadId },
  },
  uploads: {
    operation: "listMultipartUploads",
    method: "GET",
    query: { uploads: "", prefix: "alice/a.bin", limit: "1000" },
  },
  put: {
    operation: "putObject",
    method: "PUT",
    key: "alice/a.bin",
    headers: { "content-md5": md5, "content-type": "text/plain" },
  },
};

/** A signing request with the given body: text, bytes or a stream as they are, a value as JSON. */
export function post(body: unknown, init: RequestInit = {}): Request {
  const raw = typeof body == "string" || body instanceof Uint8Array ||
    body instanceof ReadableStream;
  return new Request("https://example.com/sign", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: raw ? body as BodyInit : JSON.stringify(body),
    ...init,
  });
}

/** A batch of entries of one bucket. */
export const batch = (...requests: unknown[]) => ({ version: 1, bucket, requests });

/** Handles a request, counting the questions to authorize. */
export async function handle(
  request: Request,
  authorize: (request: SigningAuthorization) => boolean | Promise<boolean> = () => true,
) {
  const asked: SigningAuthorization[] = [];
  const response = await handleSignRequest(server, request, {
    authorize: (question) => {
      asked.push(question);
      return authorize(question);
    },
  });
  const text = await response.text();
  assert.ok(!text.includes(CREDENTIALS.secretAccessKey));
  assert.equal(response.headers.get("content-type"), "application/json");
  return { status: response.status, body: JSON.parse(text), asked };
}

/** Asserts a batch is refused as a whole, with that status and code, and nobody was asked. */
export async function refused(request: Request, status: number, code: string, message?: RegExp) {
  const { status: got, body, asked } = await handle(request);
  assert.equal(got, status, JSON.stringify(body));
  assert.equal(body.error.code, code, JSON.stringify(body));
  assert.equal(body.signatures, undefined);
  if (message) assert.match(body.error.message, message);
  assert.equal(asked.length, 0, "authorize was asked");
  return body.error;
}

/** An entry changed by `change`: fields set, or removed when `undefined`. */
export function changed(name: string, change: Record<string, unknown>): Record<string, unknown> {
  const entry = structuredClone(GOOD[name]);
  for (const [field, value] of Object.entries(change)) {
    if (value === undefined) delete entry[field];
    else entry[field] = value;
  }
  return entry;
}
