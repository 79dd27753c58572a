/**
 * Every operation's input checked before anything is sent: a typed ValidationError naming the
 * parameter, and no request.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  completeMultipartUpload,
  createClient,
  listMultipartUploads,
  listParts,
  presign,
  uploadPart,
  uploadPartCopy,
  ValidationError,
} from "../mod.ts";
import { CREDENTIALS, requestCountingFetch } from "./support/harness.ts";
import { bucket } from "./support/one_part.ts";

describe("operation input is checked before sending", () => {
  const counter = requestCountingFetch();
  const c = createClient({ zone: "pek3a", credentials: CREDENTIALS, fetch: counter.fetch });
  const target = { bucket, key: "k", uploadId: "id" };
  const cases: [string, () => Promise<unknown>, string, RegExp][] = [
    [
      "a copy range over 5 GB",
      () =>
        uploadPartCopy(c, {
          ...target,
          partNumber: 0,
          source: { bucket, key: "s" },
          range: { first: 0, last: 5_000_000_000 },
        }),
      "range",
      /at most 5000000000 bytes, received 5000000001/,
    ],
    [
      "part number above 10000",
      () => uploadPart(c, { ...target, partNumber: 10001, body: new Uint8Array(1) }),
      "partNumber",
      /0 to 10000, received 10001/,
    ],
    [
      "negative part number",
      () => uploadPart(c, { ...target, partNumber: -1, body: new Uint8Array(1) }),
      "partNumber",
      /received -1/,
    ],
    [
      "fractional part number",
      () => uploadPart(c, { ...target, partNumber: 1.5, body: new Uint8Array(1) }),
      "partNumber",
      /received 1.5/,
    ],
    [
      "a body that is not bytes",
      () => uploadPart(c, { ...target, partNumber: 0, body: "text" as never }),
      "body",
      /Uint8Array, ArrayBuffer or Blob, received "\[object String\]"/,
    ],
    [
      "an empty upload id",
      () => uploadPart(c, { ...target, uploadId: "", partNumber: 0, body: new Uint8Array(1) }),
      "uploadId",
      /printable ASCII/,
    ],
    [
      "no parts",
      () => completeMultipartUpload(c, { ...target, parts: [] }),
      "parts",
      /1 to 10000 parts, received "0 parts"/,
    ],
    [
      "parts out of order",
      () =>
        completeMultipartUpload(c, { ...target, parts: [{ partNumber: 2 }, { partNumber: 1 }] }),
      "parts",
      /ascending part-number order, received "part 1 after part 2"/,
    ],
    [
      "a repeated part",
      () =>
        completeMultipartUpload(c, { ...target, parts: [{ partNumber: 1 }, { partNumber: 1 }] }),
      "parts",
      /ascending/,
    ],
    [
      "more than 10000 parts",
      () =>
        completeMultipartUpload(c, {
          ...target,
          parts: Array.from({ length: 10001 }, (_, partNumber) => ({ partNumber })),
        }),
      "parts",
      /received "10001 parts"/,
    ],
    [
      "a list limit of 1001",
      () => listParts(c, { ...target, limit: 1001 }),
      "limit",
      /1 to 1000, received 1001/,
    ],
    [
      "a two-character delimiter",
      () => listMultipartUploads(c, { bucket, delimiter: "//" }),
      "delimiter",
      /single character/,
    ],
    [
      "a reversed copy range",
      () =>
        uploadPartCopy(c, {
          ...target,
          partNumber: 0,
          source: { bucket, key: "s" },
          range: { first: 5, last: 4 },
        }),
      "range",
      /received "5-4"/,
    ],
    [
      "a copy source with a dot segment",
      () => uploadPartCopy(c, { ...target, partNumber: 0, source: { bucket, key: "a/../b" } }),
      "source.key",
      /nor have a "\." or "\.\." segment, received "a\/\.\.\/b"/,
    ],
    [
      "a presign lifetime of 0",
      () => presign(c, { method: "PUT", bucket, key: "k", expiresIn: 0 }),
      "expiresIn",
      /1 to 604800, received 0/,
    ],
    [
      "a presign lifetime over 7 days",
      () => presign(c, { method: "PUT", bucket, key: "k", expiresIn: 604801 }),
      "expiresIn",
      /received 604801/,
    ],
    [
      "presigning without credentials",
      () =>
        presign(createClient({ zone: "pek3a" }), {
          method: "PUT",
          bucket,
          key: "k",
          expiresIn: 60,
        }),
      "credentials",
      /needs credentials/,
    ],
  ];
  for (const [name, call, parameter, pattern] of cases) {
    it(name, async () => {
      const error = await call().catch((e) => e);
      assert.ok(error instanceof ValidationError, String(error));
      assert.equal(error.parameter, parameter);
      assert.match(error.message, pattern);
      assert.equal(counter.count, 0);
    });
  }
});
