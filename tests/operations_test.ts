import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  abortMultipartUpload,
  type Client,
  completeMultipartUpload,
  CompleteStatusUnknownError,
  createClient,
  initiateMultipartUpload,
  iterateMultipartUploads,
  iterateParts,
  listMultipartUploads,
  listParts,
  presign,
  QingStorError,
  uploadPart,
  uploadPartCopy,
  ValidationError,
} from "../mod.ts";
import { createEmulator } from "../src/testing/mod.ts";
import { countingFetch, CREDENTIALS, inProcess, withEmulator } from "./support/harness.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";
import { vectors } from "./support/vectors.ts";

const bucket = "mybucket";
const small = { minPartSize: 1024 };

/** Starts an upload of `k` with one 10-byte part; returns its ID. */
async function startWithOnePart(client: Client): Promise<string> {
  const { uploadId } = await initiateMultipartUpload(client, { bucket, key: "k" });
  await uploadPart(client, { bucket, key: "k", uploadId, partNumber: 0, body: testBytes(10) });
  return uploadId;
}

/** Completes that upload from its one part; returns what it threw, if anything. */
function completeOnePart(client: Client, uploadId: string) {
  return completeMultipartUpload(client, { bucket, key: "k", uploadId, parts: [{ partNumber: 0 }] })
    .catch((error) => error);
}

describe("the multipart lifecycle over HTTP", () => {
  it("uploads parts of every body kind, lists them, completes byte-exact", () =>
    withEmulator(small, async ({ client, emulator }) => {
      const c = client();
      const key = "lifecycle/大 file.bin";
      const { uploadId } = await initiateMultipartUpload(c, {
        bucket,
        key,
        contentType: "application/x-test",
      });
      const chunks = [testBytes(1024, 1), testBytes(2048, 2), testBytes(100, 3)];
      const bodies = [
        chunks[0],
        chunks[1].slice().buffer,
        new Blob([chunks[2]], { type: "text/plain" }),
      ];
      const etags: string[] = [];
      for (const [partNumber, body] of bodies.entries()) {
        const { etag, requestId } = await uploadPart(c, {
          bucket,
          key,
          uploadId,
          partNumber,
          body,
        });
        assert.equal(etag, nativeMd5(chunks[partNumber]), "bare MD5 hex, no quotes");
        assert.match(requestId, /^[0-9a-f]{32}$/);
        etags.push(etag!);
      }
      const puts = emulator.state.requests.filter((r) => r.operation == "uploadPart");
      // A Blob's type is dropped, except in Bun, which keeps it through slice(); then it is signed.
      const blobType = "Bun" in globalThis ? "text/plain;charset=utf-8" : undefined;
      assert.equal(puts[2].headers["content-type"], blobType);
      assert.equal(
        puts[0].headers["content-md5"],
        Buffer.from(nativeMd5(chunks[0]), "hex").toString("base64"),
      );
      assert.equal(
        puts[0].target,
        `/mybucket/lifecycle/%E5%A4%A7%20file.bin?part_number=0&upload_id=${uploadId}`,
      );

      const page = await listParts(c, { bucket, key, uploadId, limit: 2 });
      assert.deepEqual(page.parts.map((p) => [p.partNumber, p.size, p.etag]), [
        [0, 1024, etags[0]],
        [1, 2048, etags[1]],
      ]);
      assert.ok(page.parts[0].created instanceof Date && !isNaN(page.parts[0].created.getTime()));
      const all = [];
      for await (const part of iterateParts(c, { bucket, key, uploadId, limit: 2 })) {
        all.push(part.partNumber);
      }
      assert.deepEqual(all, [0, 1, 2]);

      await completeMultipartUpload(c, {
        bucket,
        key,
        uploadId,
        parts: etags.map((etag, partNumber) => ({ partNumber, etag })),
        etag: "0c2f573d81194064b129e940edcefe9b",
      });
      const object = emulator.state.objects.get(`${bucket}/${key}`)!;
      assert.equal(object.md5, nativeMd5(...chunks));
      assert.equal(object.size, 3172);
      assert.equal(object.etag, '"0c2f573d81194064b129e940edcefe9b"', "sent quoted");
      assert.equal(object.contentType, "application/x-test");
      assert.equal(emulator.state.uploads.size, 0);
      const complete = emulator.state.requests.find((r) =>
        r.operation == "completeMultipartUpload"
      )!;
      assert.equal(complete.headers["content-type"], "application/json");
    }));

  it("overwrites a part uploaded again under the same number", () =>
    withEmulator(small, async ({ client, emulator }) => {
      const c = client();
      const { uploadId } = await initiateMultipartUpload(c, { bucket, key: "k" });
      await uploadPart(c, { bucket, key: "k", uploadId, partNumber: 0, body: testBytes(10, 1) });
      await uploadPart(c, { bucket, key: "k", uploadId, partNumber: 0, body: testBytes(20, 2) });
      await completeMultipartUpload(c, { bucket, key: "k", uploadId, parts: [{ partNumber: 0 }] });
      assert.equal(emulator.state.objects.get(`${bucket}/k`)!.md5, nativeMd5(testBytes(20, 2)));
    }));

  it("sends Content-MD5 as told: computed, given or none; a wrong one is bad_digest, resent once", () =>
    withEmulator(small, async ({ client, emulator }) => {
      const c = client();
      const { uploadId } = await initiateMultipartUpload(c, { bucket, key: "k" });
      const body = testBytes(64);
      await uploadPart(c, { bucket, key: "k", uploadId, partNumber: 0, body, md5: false });
      assert.equal(emulator.state.requests.at(-1)!.headers["content-md5"], undefined);
      const wrong = "AAAAAAAAAAAAAAAAAAAAAA==";
      const error = await uploadPart(c, {
        bucket,
        key: "k",
        uploadId,
        partNumber: 1,
        body,
        md5: wrong,
      })
        .catch((e) => e);
      assert.ok(error instanceof QingStorError);
      assert.equal(error.code, "bad_digest");
      assert.equal(error.attempts, 2, "bad_digest is resent once");
    }));

  it("resends a part once on incomplete_body, as on bad_digest", async () => {
    const { emulator } = inProcess(small);
    let calls = 0;
    // The first answer says the body arrived short, as after a connection hiccup.
    const c = createClient({
      endpoint: "http://localhost",
      credentials: CREDENTIALS,
      retry: { baseDelay: 1 },
      fetch: (request) =>
        request.method == "PUT" && calls++ == 0
          ? Promise.resolve(
            Response.json({ code: "incomplete_body", message: "short" }, { status: 400 }),
          )
          : emulator.fetch(request),
    });
    const uploadId = await startWithOnePart(c);
    assert.equal(calls, 2, "the short first attempt, then the resend");
    assert.equal(emulator.state.uploads.get(uploadId)!.parts.size, 1);
  });

  it("reports an unknown upload as upload_not_exists", () =>
    withEmulator(small, async ({ client }) => {
      const error = await uploadPart(client(), {
        bucket,
        key: "k",
        uploadId: "nope",
        partNumber: 0,
        body: testBytes(1),
      }).catch((e) => e);
      assert.ok(error instanceof QingStorError);
      assert.equal(error.status, 404);
      assert.equal(error.code, "upload_not_exists");
      const listed = await listParts(client(), { bucket, key: "k", uploadId: "nope" }).catch((e) =>
        e
      );
      assert.equal(listed.code, "upload_not_exists");
    }));

  it("retries a part whose connection dropped mid-body, re-sending the bytes", () =>
    withEmulator(
      { ...small, faults: [{ operations: ["uploadPart"], drop: "mid-body", times: 1 }] },
      async ({ client, emulator }) => {
        const c = client();
        const { uploadId } = await initiateMultipartUpload(c, { bucket, key: "k" });
        const body = testBytes(256 * 1024);
        const { etag } = await uploadPart(c, { bucket, key: "k", uploadId, partNumber: 0, body });
        assert.equal(etag, nativeMd5(body));
        const statuses = emulator.state.requests.filter((r) => r.operation == "uploadPart").map((
          r,
        ) => r.status);
        assert.deepEqual(statuses, [0, 201]);
      },
    ));

  it("refuses a small part that is not the last with entity_too_small", () =>
    withEmulator(small, async ({ client }) => {
      const c = client();
      const uploadId = await startWithOnePart(c);
      await uploadPart(c, { bucket, key: "k", uploadId, partNumber: 1, body: testBytes(10) });
      const error = await completeMultipartUpload(c, {
        bucket,
        key: "k",
        uploadId,
        parts: [{ partNumber: 0 }, { partNumber: 1 }],
      }).catch((e) => e);
      assert.equal(error.code, "entity_too_small");
      assert.equal(error.status, 400);
    }));

  it("refuses a wrong part ETag at complete", () =>
    withEmulator(small, async ({ client }) => {
      const c = client();
      const uploadId = await startWithOnePart(c);
      const error = await completeMultipartUpload(c, {
        bucket,
        key: "k",
        uploadId,
        parts: [{ partNumber: 0, etag: "00000000000000000000000000000000" }],
      }).catch((e) => e);
      assert.equal(error.code, "invalid_request");
    }));

  it("reports a complete whose first attempt took effect unseen as status unknown", async () => {
    // In-process: over HTTP, some runtimes' fetch (Deno's) silently re-sends a request whose
    // reused connection dropped, and such a hidden retry cannot be told from a first attempt.
    const { emulator, client: c } = inProcess({
      ...small,
      faults: [{ operations: ["completeMultipartUpload"], drop: "after-handling", times: 1 }],
    });
    const uploadId = await startWithOnePart(c);
    const error = await completeOnePart(c, uploadId);
    assert.ok(error instanceof CompleteStatusUnknownError, String(error));
    assert.ok(error instanceof QingStorError);
    assert.equal(error.code, "upload_not_exists");
    assert.equal(error.attempts, 2);
    assert.match(error.message, /may have completed it/);
    assert.ok(emulator.state.objects.has(`${bucket}/k`), "the first attempt did complete");
  });

  it("reports a complete that never got an answer as status unknown", async () => {
    const { emulator, client: c } = inProcess(
      { ...small, faults: [{ operations: ["completeMultipartUpload"], drop: "after-handling" }] },
      { retry: { maxAttempts: 1 } },
    );
    const uploadId = await startWithOnePart(c);
    const error = await completeOnePart(c, uploadId);
    assert.ok(error instanceof CompleteStatusUnknownError, String(error));
    assert.equal(error.status, 0);
    assert.match(error.message, /no answer/);
    assert.ok(emulator.state.objects.has(`${bucket}/k`));
  });

  it("retries a complete whose connection dropped mid-body", () =>
    withEmulator(
      {
        ...small,
        faults: [{ operations: ["completeMultipartUpload"], drop: "mid-body", times: 1 }],
      },
      async ({ client, emulator }) => {
        const c = client();
        const uploadId = await startWithOnePart(c);
        await completeMultipartUpload(c, {
          bucket,
          key: "k",
          uploadId,
          parts: [{ partNumber: 0 }],
        });
        const completes = emulator.state.requests.filter((r) =>
          r.operation == "completeMultipartUpload"
        );
        assert.deepEqual(completes.map((r) => r.status), [0, 201]);
      },
    ));

  it("cancels an in-process request on abort, as fetch does", async () => {
    const { emulator, client: c } = inProcess({
      ...small,
      faults: [{ operations: ["uploadPart"], delay: 2_000 }],
    });
    const { uploadId } = await initiateMultipartUpload(c, { bucket, key: "k" });
    const pending = uploadPart(c, {
      bucket,
      key: "k",
      uploadId,
      partNumber: 0,
      body: testBytes(10),
      signal: AbortSignal.timeout(20),
    }).catch((e) => e);
    const error = await pending;
    assert.equal(error.name, "TimeoutError", String(error));
    assert.equal(emulator.state.requests.filter((r) => r.operation == "uploadPart").length, 1);
  });

  it("reports a plain upload_not_exists when complete was tried once", () =>
    withEmulator(small, async ({ client }) => {
      const error = await completeMultipartUpload(client(), {
        bucket,
        key: "k",
        uploadId: "gone",
        parts: [{ partNumber: 0 }],
      }).catch((e) => e);
      assert.ok(error instanceof QingStorError);
      assert.ok(!(error instanceof CompleteStatusUnknownError));
      assert.equal(error.code, "upload_not_exists");
      assert.equal(error.attempts, 1);
    }));

  it("aborts idempotently and leaves nothing behind", () =>
    withEmulator(small, async ({ client, emulator }) => {
      const c = client();
      const uploadId = await startWithOnePart(c);
      await abortMultipartUpload(c, { bucket, key: "k", uploadId });
      assert.equal(emulator.state.uploads.size, 0);
      const again = await abortMultipartUpload(c, { bucket, key: "k", uploadId });
      assert.match(again.requestId, /^[0-9a-f]{32}$/);
      await abortMultipartUpload(c, { bucket, key: "k", uploadId: "never-existed" });
    }));

  it("lists uploads in progress with prefix, delimiter and paging", () =>
    withEmulator(small, async ({ client }) => {
      const c = client();
      const keys = ["a/1", "a/2", "b", "b", "c/x", "d"];
      const ids: string[] = [];
      for (const key of keys) {
        ids.push((await initiateMultipartUpload(c, { bucket, key })).uploadId);
      }
      const grouped = await listMultipartUploads(c, { bucket, delimiter: "/" });
      assert.deepEqual(grouped.commonPrefixes, ["a/", "c/"]);
      assert.deepEqual(grouped.uploads.map((u) => u.key), ["b", "b", "d"]);
      assert.equal(grouped.hasMore, false);
      const prefixed = await listMultipartUploads(c, { bucket, prefix: "a/" });
      assert.deepEqual(prefixed.uploads.map((u) => u.key), ["a/1", "a/2"]);
      const first = await listMultipartUploads(c, { bucket, limit: 2 });
      assert.equal(first.hasMore, true);
      assert.equal(first.nextKeyMarker, "a/2");
      const seen = [];
      for await (const upload of iterateMultipartUploads(c, { bucket, limit: 1 })) {
        seen.push([upload.key, upload.uploadId]);
      }
      assert.deepEqual(seen, keys.map((key, i) => [key, ids[i]]));
    }));

  it("pages on past uploads aborted while the listing goes on", () =>
    withEmulator(small, async ({ client }) => {
      const c = client();
      for (const key of ["same", "same", "same", "same", "same", "z"]) {
        await initiateMultipartUpload(c, { bucket, key });
      }
      let seen = 0;
      for await (const upload of iterateMultipartUploads(c, { bucket, limit: 2 })) {
        seen++;
        await abortMultipartUpload(c, { bucket, ...upload });
      }
      assert.equal(seen, 6);
    }));

  it("copies ranges of an object into parts", () =>
    withEmulator(small, async ({ client, emulator }) => {
      const c = client();
      const source = testBytes(5000, 9);
      const up = await initiateMultipartUpload(c, { bucket, key: "source" });
      await uploadPart(c, {
        bucket,
        key: "source",
        uploadId: up.uploadId,
        partNumber: 0,
        body: source,
      });
      await completeMultipartUpload(c, {
        bucket,
        key: "source",
        uploadId: up.uploadId,
        parts: [{ partNumber: 0 }],
      });

      const { uploadId } = await initiateMultipartUpload(c, { bucket, key: "copy 中" });
      const first = await uploadPartCopy(c, {
        bucket,
        key: "copy 中",
        uploadId,
        partNumber: 0,
        source: { bucket, key: "source" },
        range: { first: 1000, last: 2999 },
      });
      assert.equal(first.copyRange, "bytes 1000-2999/5000");
      assert.equal(first.etag, nativeMd5(source.subarray(1000, 3000)));
      await uploadPartCopy(c, {
        bucket,
        key: "copy 中",
        uploadId,
        partNumber: 1,
        source: { bucket, key: "source" },
      });
      await completeMultipartUpload(c, {
        bucket,
        key: "copy 中",
        uploadId,
        parts: [{ partNumber: 0 }, { partNumber: 1 }],
      });
      assert.equal(
        emulator.state.objects.get(`${bucket}/copy 中`)!.md5,
        nativeMd5(source.subarray(1000, 3000), source),
      );
      const bad = await uploadPartCopy(c, {
        bucket,
        key: "copy 中",
        uploadId: (await initiateMultipartUpload(c, { bucket, key: "x" })).uploadId,
        partNumber: 0,
        source: { bucket, key: "missing" },
      }).catch((e) => e);
      assert.equal(bad.code, "upload_not_exists", "the upload belongs to another key");
      const { uploadId: other } = await initiateMultipartUpload(c, { bucket, key: "y" });
      const missing = await uploadPartCopy(c, {
        bucket,
        key: "y",
        uploadId: other,
        partNumber: 0,
        source: { bucket, key: "missing ключ" },
      }).catch((e) => e);
      assert.equal(missing.code, "object_not_exists");
      const range = await uploadPartCopy(c, {
        bucket,
        key: "y",
        uploadId: other,
        partNumber: 0,
        source: { bucket, key: "source" },
        range: { first: 6000, last: 7000 },
      }).catch((e) => e);
      assert.equal(range.status, 416);
      assert.equal(range.code, "invalid_range");
    }));
});

describe("operation input is checked before sending", () => {
  const counter = countingFetch();
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

describe("presign", () => {
  const vector = vectors.derived_examples.find((v) => v.name == "presigned_upload_part")!;

  it("reproduces the derived presigned Upload Part URL exactly", async () => {
    const client = createClient({
      endpoint: "https://pek3a.qingstor.com",
      style: "virtual-host",
      credentials: { accessKeyId: vector.access_key_id, secretAccessKey: vector.secret_access_key },
    });
    // Land mid-second on expires − 3600, so flooring to seconds is stable.
    client.clockOffset = (vector.expires! - 3600) * 1000 + 500 - Date.now();
    const url = await presign(client, {
      method: "PUT",
      bucket: "mybucket",
      key: "large-object",
      query: { part_number: 1, upload_id: "4d26b37a469230619604ecdc0e314782" },
      expiresIn: 3600,
    });
    assert.equal(url, vector.expected.signed_url);
  });

  for (const style of ["path", "virtual-host"] as const) {
    it(`lets a plain fetch upload a part, in ${style} style, and refuses tampering and expiry`, async () => {
      const { emulator, client } = inProcess({ minPartSize: 1 }, {
        endpoint: "https://pek3a.qingstor.com",
        style,
      });
      const { uploadId } = await initiateMultipartUpload(client, { bucket, key: "p q" });
      const url = await presign(client, {
        method: "PUT",
        bucket,
        key: "p q",
        query: { part_number: 0, upload_id: uploadId },
        expiresIn: 60,
      });
      const body = testBytes(300);
      const put = await emulator.fetch(new Request(url, { method: "PUT", body }));
      assert.equal(put.status, 201);
      assert.equal(emulator.state.requests.at(-1)!.auth, "query");
      assert.equal(emulator.state.uploads.get(uploadId)!.parts.get(0)!.etag, nativeMd5(body));

      const tampered = await emulator.fetch(
        new Request(url.replace("part_number=0", "part_number=1"), { method: "PUT", body }),
      );
      assert.equal(tampered.status, 401);
      assert.equal((await tampered.json()).code, "signature_not_matched");

      const typed = await emulator.fetch(
        new Request(url, { method: "PUT", body, headers: { "content-type": "text/plain" } }),
      );
      assert.equal(typed.status, 401, "an unsigned Content-Type breaks the signature");

      const later = createEmulator({ credentials: [CREDENTIALS], clockOffset: 120_000 });
      const expired = await later.fetch(new Request(url, { method: "PUT", body }));
      assert.equal(expired.status, 403);
      assert.equal((await expired.json()).code, "request_expired");
    });
  }

  for (const style of ["path", "virtual-host"] as const) {
    it(`mints URLs for every multipart operation, in ${style} style`, async () => {
      const { emulator, client } = inProcess({ minPartSize: 1 }, {
        endpoint: "https://pek3a.qingstor.com",
        style,
      });
      const key = "every op/ключ.bin";
      // Whoever holds a URL sends a plain request: no credentials, no signing. (A string body
      // would add a Content-Type nobody signed, so bytes are sent.)
      const send = async (
        method: "GET" | "PUT" | "POST" | "DELETE",
        query: Record<string, string | number>,
        init: { key?: string; body?: Uint8Array<ArrayBuffer>; headers?: Record<string, string> } = {
          key,
        },
      ) => {
        const url = await presign(client, {
          method,
          bucket,
          key: init.key,
          query,
          headers: init.headers,
          expiresIn: 60,
        });
        return emulator.fetch(new Request(url, { method, body: init.body, headers: init.headers }));
      };
      const started = await send("POST", { uploads: "" });
      assert.equal(started.status, 200);
      const { upload_id } = await started.json();
      assert.equal(
        (await send("PUT", { part_number: 0, upload_id }, { key, body: testBytes(4) })).status,
        201,
      );
      const listed = await send("GET", { upload_id });
      assert.equal((await listed.json()).object_parts.length, 1);
      const uploads = await send("GET", { uploads: "" }, {});
      assert.equal((await uploads.json()).uploads[0].upload_id, upload_id);
      const completed = await send("POST", { upload_id }, {
        key,
        // A string body would go out as text/plain; this Content-Type is signed instead.
        body: new TextEncoder().encode(JSON.stringify({ object_parts: [{ part_number: 0 }] })),
        headers: { "content-type": "application/json" },
      });
      assert.equal(completed.status, 201);
      assert.equal(emulator.state.objects.get(`${bucket}/${key}`)!.size, 4);
      assert.equal((await send("DELETE", { upload_id })).status, 204);
      assert.ok(emulator.state.requests.every((r) => r.auth == "query"));
    });
  }

  it("signs the headers the URL's user promises to send", async () => {
    const { emulator, client } = inProcess();
    const url = await presign(client, {
      method: "POST",
      bucket,
      key: "typed",
      query: { uploads: "" },
      headers: { "content-type": "video/mp4", "x-qs-meta-owner": "alice" },
      expiresIn: 60,
    });
    assert.match(url, /\/mybucket\/typed\?uploads&access_key_id=/);
    const ok = await emulator.fetch(
      new Request(url, {
        method: "POST",
        headers: { "content-type": "video/mp4", "x-qs-meta-owner": "alice" },
      }),
    );
    assert.equal(ok.status, 200);
    const missing = await emulator.fetch(
      new Request(url, { method: "POST", headers: { "content-type": "video/mp4" } }),
    );
    assert.equal(missing.status, 401);
  });
});
