/**
 * upload(): Input checks: refused before anything is sent, and the body released when refused.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createClient, upload, ValidationError } from "../mod.ts";
import { CREDENTIALS, requestCountingFetch } from "./support/harness.ts";
import { testBytes } from "./support/bytes.ts";
import { deferred } from "./support/deferred.ts";
import { bucket, lockedStream } from "./support/upload.ts";

describe("upload()", () => {
  it(
    "releases the body when its input is refused, as when the upload cannot start",
    { timeout: 10_000 },
    async () => {
      const counter = requestCountingFetch();
      const c = createClient({ zone: "pek3a", credentials: CREDENTIALS, fetch: counter.fetch });
      for (const refused of [{ key: "" }, { partSize: 1 }, { metadata: { "bad name": "v" } }]) {
        // Awaited, not looked at after a while: a body never released times the test out.
        const cancelled = deferred<unknown>();
        const body = new ReadableStream<Uint8Array>({
          pull: (controller) => controller.enqueue(testBytes(10)),
          cancel: (reason) => cancelled.resolve(reason),
        });
        const error = await upload(c, { bucket, key: "k", body, ...refused }).catch((e) => e);
        assert.ok(error instanceof ValidationError, String(error));
        assert.equal(await cancelled.promise, error, JSON.stringify(refused));
      }
      assert.equal(counter.count, 0);
    },
  );

  it("checks its input before sending anything", async () => {
    const counter = requestCountingFetch();
    const c = createClient({ zone: "pek3a", credentials: CREDENTIALS, fetch: counter.fetch });
    const cases: [Parameters<typeof upload>[1], string, RegExp][] = [
      [
        { bucket, key: "k", body: testBytes(1), partSize: 1024 },
        "partSize",
        /from 4194304 \(minPartSize\).*received 1024/,
      ],
      [
        { bucket, key: "k", body: testBytes(1), partSize: 5_000_000_001 },
        "partSize",
        /to 5000000000, received 5000000001/,
      ],
      [
        { bucket, key: "k", body: testBytes(1), concurrency: 0 },
        "concurrency",
        /1 to 64, received 0/,
      ],
      [
        { bucket, key: "k", body: testBytes(10), size: 11 },
        "size",
        /match the body's length, received 11/,
      ],
      [{ bucket, key: "k", body: 42 as never }, "body", /received "\[object Number\]"/],
      [{ bucket, key: "k", body: testBytes(1), minPartSize: 0 }, "minPartSize", /received 0/],
      [{ bucket, key: "", body: testBytes(1) }, "key", /non-empty/],
      [{ bucket, key: "k", body: lockedStream() }, "body", /must not be locked/],
      [{ bucket, key: "k", body: testBytes(1), uploadId: "" }, "uploadId", /printable ASCII/],
      [
        { bucket, key: "k", body: new Uint8Array(new SharedArrayBuffer(8)) },
        "body",
        /shared memory/,
      ],
    ];
    for (const [input, parameter, pattern] of cases) {
      const error = await upload(c, input).catch((e) => e);
      assert.ok(error instanceof ValidationError, String(error));
      assert.equal(error.parameter, parameter);
      assert.match(error.message, pattern);
    }
    assert.equal(counter.count, 0);
  });
});
