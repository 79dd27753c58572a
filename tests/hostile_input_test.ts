/**
 * Hostile input is refused with a ValidationError naming the parameter,
 * before anything is sent: one test per kind.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  completeMultipartUpload,
  createClient,
  initiateMultipartUpload,
  presign,
  upload,
  uploadPart,
  uploadPartCopy,
  ValidationError,
} from "../mod.ts";
import { CREDENTIALS, inspect, requestCountingFetch } from "./support/harness.ts";

const bucket = "mybucket";
const target = { bucket, key: "k", uploadId: "0123abcd" };

/** A client whose transport counts what it is sent, with its options overridden. */
function counted(options: Partial<Parameters<typeof createClient>[0]> = {}) {
  const counter = requestCountingFetch();
  const client = createClient({
    zone: "pek3a",
    credentials: CREDENTIALS,
    fetch: counter.fetch,
    ...options,
  });
  return { client, counter };
}

/** Runs `call`, expecting a ValidationError for `parameter`; returns it. */
async function refused(call: () => unknown, parameter: string): Promise<ValidationError> {
  let error: unknown;
  try {
    await call();
  } catch (thrown) {
    error = thrown;
  }
  assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${error}`);
  assert.equal(error.parameter, parameter, error.message);
  return error;
}

describe("hostile input is refused before anything is sent", () => {
  it("credentials given as a string, never shown", async () => {
    const counter = requestCountingFetch();
    const text = `${CREDENTIALS.accessKeyId}:${CREDENTIALS.secretAccessKey}`;
    const error = await refused(
      () => createClient({ zone: "pek3a", credentials: text as never, fetch: counter.fetch }),
      "credentials",
    );
    assert.match(error.message, /received "a string"/);
    assert.ok(!(await inspect(error)).includes(CREDENTIALS.secretAccessKey));
    // And from a credentials function, at the first request.
    const { client, counter: second } = counted({ credentials: () => text as never });
    await refused(() => initiateMultipartUpload(client, { bucket, key: "k" }), "credentials");
    assert.equal(counter.count + second.count, 0);
  });

  it("a fetch that is not a function", async () => {
    const error = await refused(
      () => createClient({ zone: "pek3a", fetch: "https://proxy.example" as never }),
      "fetch",
    );
    assert.match(error.message, /must be a function .*received "a string"/);
  });

  it("metadata: null", async () => {
    const { client, counter } = counted();
    await refused(
      () => initiateMultipartUpload(client, { bucket, key: "k", metadata: null as never }),
      "metadata",
    );
    await refused(
      () => upload(client, { bucket, key: "k", body: "x", metadata: null as never }),
      "metadata",
    );
    assert.equal(counter.count, 0);
  });

  it("an uploadPart md5 that is not the base64 of 16 bytes, or holds a line break", async () => {
    const { client, counter } = counted();
    const good = "1B2M2Y8AsgTpgAmY7PhCfg==";
    for (
      const md5 of [
        `${good}\r\nx-qs-evil: 1`,
        `${good}\n`,
        "d41d8cd98f00b204e9800998ecf8427e", // hex, not base64
        "1B2M2Y8AsgTpgAmY7PhC", // 15 bytes
        "1B2M2Y8AsgTpgAmY7PhCfh==", // not the canonical encoding of 16 bytes
        "",
      ]
    ) {
      await refused(
        () => uploadPart(client, { ...target, partNumber: 0, body: new Uint8Array(1), md5 }),
        "md5",
      );
    }
    assert.equal(counter.count, 0);
    // The well-formed digest goes out as it is.
    const { client: once, counter: sent } = counted({ retry: { maxAttempts: 1 } });
    await uploadPart(once, { ...target, partNumber: 0, body: new Uint8Array(0), md5: good })
      .catch(() => {});
    assert.equal(sent.count, 1);
  });

  it("a complete part whose etag is not a string", async () => {
    const { client, counter } = counted();
    await refused(
      () =>
        completeMultipartUpload(client, {
          ...target,
          parts: [{ partNumber: 0, etag: "abc" }, { partNumber: 1, etag: 5 as never }],
        }),
      "parts[1].etag",
    );
    assert.equal(counter.count, 0);
  });

  it("uploadPartCopy without a source, blamed on source rather than bucket", async () => {
    const { client, counter } = counted();
    await refused(
      () => uploadPartCopy(client, { ...target, partNumber: 0, source: undefined as never }),
      "source",
    );
    await refused(
      () =>
        uploadPartCopy(client, {
          ...target,
          partNumber: 0,
          source: { bucket: "B", key: "s" },
        }),
      "source.bucket",
    );
    await refused(
      () => uploadPartCopy(client, { ...target, partNumber: 0, source: { bucket, key: "" } }),
      "source.key",
    );
    assert.equal(counter.count, 0);
  });

  it("a presign method that is not GET, PUT, POST, DELETE or HEAD in upper case", async () => {
    const { client, counter } = counted();
    for (const method of ["get", "PATCH", "GET\r\n"]) {
      const error = await refused(
        () => presign(client, { method: method as never, bucket, key: "k", expiresIn: 60 }),
        "method",
      );
      assert.match(error.message, /one of GET PUT POST DELETE HEAD/);
    }
    assert.equal(counter.count, 0);
  });

  it("presign headers with a line break or a character that is not ASCII", async () => {
    const { client, counter } = counted();
    const cases: [Record<string, string>, string][] = [
      [{ "x-qs-meta-a\r\nx-qs-evil": "1" }, "headers"],
      [{ "x-qs-meta-ü": "1" }, "headers"],
      [{ "x-qs-meta-a": "1\r\nx-qs-evil: 1" }, "headers.x-qs-meta-a"],
      [{ "x-qs-meta-a": "café" }, "headers.x-qs-meta-a"],
    ];
    for (const [headers, parameter] of cases) {
      await refused(
        () => presign(client, { method: "PUT", bucket, key: "k", headers, expiresIn: 60 }),
        parameter,
      );
    }
    assert.equal(counter.count, 0);
  });

  it("presign query names: encoded, so none splices in a parameter; the URL's own refused", async () => {
    const { client, counter } = counted();
    const url = new URL(
      await presign(client, {
        method: "GET",
        bucket,
        key: "k",
        query: { "a&signature=forged": "1", "b=c": "d" },
        expiresIn: 60,
      }),
    );
    assert.equal(url.searchParams.getAll("signature").length, 1);
    assert.notEqual(url.searchParams.get("signature"), "forged");
    assert.equal(url.searchParams.get("a&signature=forged"), "1");
    assert.equal(url.searchParams.get("b=c"), "d");
    for (const name of ["signature", "expires", "access_key_id", "Signature"]) {
      await refused(
        () =>
          presign(client, { method: "GET", bucket, key: "k", query: { [name]: 1 }, expiresIn: 60 }),
        "query",
      );
    }
    assert.equal(counter.count, 0);
  });

  it("upload() with an onProgress that is not a function", async () => {
    const { client, counter } = counted();
    await refused(
      () => upload(client, { bucket, key: "k", body: "x", onProgress: "log" as never }),
      "onProgress",
    );
    assert.equal(counter.count, 0, "not even initiate and abort");
  });

  it("a string body holding a lone surrogate", async () => {
    const { client, counter } = counted();
    const error = await refused(
      () => upload(client, { bucket, key: "k", body: "half a pair: \ud83d" }),
      "body",
    );
    assert.match(error.message, /lone surrogate/);
    assert.equal(counter.count, 0);
  });
});
