/**
 * handleSignRequest() is no signing oracle: it signs the multipart
 * operations and a plain object PUT, each with its exact method, query and
 * headers, one bucket per batch, and refuses everything else before
 * `authorize` is asked. It rebuilds the string to sign itself (the protocol
 * notes' worked example comes out), and never answers the secret.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  createClient,
  handleSignRequest,
  initiateMultipartUpload,
  type SigningAuthorization,
} from "../mod.ts";
import { CREDENTIALS, withEmulator } from "./support/harness.ts";

const server = createClient({ zone: "pek3a", credentials: CREDENTIALS });
const bucket = "mybucket";
const uploadId = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const md5 = "g6YKes3LhQu14cy+rs6TNg==";

/** A well-formed entry of each signable operation. */
const GOOD: Record<string, Record<string, unknown>> = {
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

/** A signing request with the given JSON text (or value) as its body. */
function post(body: unknown, init: RequestInit = {}): Request {
  return new Request("https://example.com/sign", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body == "string" ? body : JSON.stringify(body),
    ...init,
  });
}

/** A batch of entries of one bucket. */
const batch = (...requests: unknown[]) => ({ version: 1, bucket, requests });

/** Handles a request, counting the questions to authorize. */
async function handle(
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
async function refused(request: Request, status: number, code: string, message?: RegExp) {
  const { status: got, body, asked } = await handle(request);
  assert.equal(got, status, JSON.stringify(body));
  assert.equal(body.error.code, code, JSON.stringify(body));
  assert.equal(body.signatures, undefined);
  if (message) assert.match(body.error.message, message);
  assert.equal(asked.length, 0, "authorize was asked");
  return body.error;
}

/** An entry changed by `change`: fields set, or removed when `undefined`. */
function changed(name: string, change: Record<string, unknown>): Record<string, unknown> {
  const entry = structuredClone(GOOD[name]);
  for (const [field, value] of Object.entries(change)) {
    if (value === undefined) delete entry[field];
    else entry[field] = value;
  }
  return entry;
}

describe("handleSignRequest()", () => {
  it("signs every signable operation in one batch, asking authorize about each", async () => {
    const { status, body, asked } = await handle(post(batch(...Object.values(GOOD))));
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.version, 1);
    assert.equal(body.signatures.length, 7);
    for (const signed of body.signatures) {
      assert.match(signed.authorization, new RegExp(`^QS ${CREDENTIALS.accessKeyId}:\\S{44}$`));
      assert.ok(!Number.isNaN(Date.parse(signed.date)));
    }
    assert.deepEqual(
      asked.map((
        { operation, key, uploadId, partNumber },
      ) => [operation, key, uploadId, partNumber]),
      [
        ["initiateMultipartUpload", "alice/a.bin", undefined, undefined],
        ["uploadPart", "alice/a.bin", uploadId, 3],
        ["listParts", "alice/a.bin", uploadId, undefined],
        ["completeMultipartUpload", "alice/a.bin", uploadId, undefined],
        ["abortMultipartUpload", "alice/a.bin", uploadId, undefined],
        // Its prefix is not signed: the signature lists every key's uploads.
        ["listMultipartUploads", "", undefined, undefined],
        ["putObject", "alice/a.bin", undefined, undefined],
      ],
    );
    assert.equal(asked[0].headers["x-qs-meta-owner"], "alice");
    assert.ok(asked[0].request instanceof Request);
  });

  it("rebuilds the protocol notes' worked example, dated by its own clock", async () => {
    // docs/protocol.md#worked-example: the server's clock reads Mon, 03 Jun 2024 08:00:00 GMT.
    const date = Date.UTC(2024, 5, 3, 8, 0, 0);
    const docs = createClient({
      zone: "pek3a",
      credentials: { accessKeyId: "QSEXAMPLEKEY", secretAccessKey: "docsExampleSecretKey" },
      clockOffset: date + 500 - Date.now(),
    });
    const response = await handleSignRequest(
      docs,
      post(batch({
        operation: "uploadPart",
        method: "PUT",
        key: "reports/2024 Q1 (final).csv",
        query: { part_number: "3", upload_id: uploadId },
        headers: { "content-md5": md5 },
      })),
      { authorize: () => true },
    );
    assert.deepEqual((await response.json()).signatures, [{
      authorization: "QS QSEXAMPLEKEY:TmlZrS41hyzDLX6Ghwoh+aqmdrQEieKdJoyHNVyU63o=",
      date: "Mon, 03 Jun 2024 08:00:00 GMT",
    }]);
  });

  it("answers each entry: refused by authorize (false, a throw, async), or signed", async () => {
    const secret = new Error(`db password ${CREDENTIALS.secretAccessKey}`);
    const { status, body } = await handle(
      post(batch(GOOD.part, GOOD.abort, GOOD.list, GOOD.complete)),
      ({ operation }) => {
        if (operation == "abortMultipartUpload") throw secret;
        if (operation == "listParts") return Promise.resolve(false);
        return Promise.resolve(operation == "uploadPart");
      },
    );
    assert.equal(status, 200);
    assert.ok("authorization" in body.signatures[0]);
    for (const refusal of body.signatures.slice(1)) {
      assert.equal(refusal.error.status, 403);
      assert.equal(refusal.error.code, "sign_request_refused");
    }
    // Every entry refused: 403, in the same shape.
    const all = await handle(post(batch(GOOD.part)), () => "yes" as never);
    assert.equal(all.status, 403);
    assert.match(all.body.signatures[0].error.message, /Not allowed: uploadPart of "alice\/a.bin"/);
  });

  it("refuses the request itself: method, media type, size, JSON, version, shape", async () => {
    await refused(new Request("https://example.com/sign"), 405, "sign_method_not_allowed");
    await refused(
      post(batch(GOOD.part), { headers: { "content-type": "text/plain" } }),
      415,
      "sign_unsupported_media_type",
    );
    await refused(post("x".repeat(512 * 1024 + 1)), 413, "sign_request_too_large");
    await refused(
      post(batch(...Array(33).fill(GOOD.part))),
      413,
      "sign_request_too_large",
      /at most 32 entries/,
    );
    await refused(post("{"), 400, "sign_request_invalid", /not JSON/);
    await refused(
      post(new Uint8Array([0x7b, 0xff, 0x7d]) as never),
      400,
      "sign_request_invalid",
    );
    for (const body of ["[]", "null", '"x"', "1"]) {
      await refused(post(body), 400, "sign_request_invalid", /JSON object/);
    }
    await refused(post({ ...batch(GOOD.part), version: 2 }), 400, "sign_request_invalid");
    await refused(post({ ...batch(GOOD.part), version: "1" }), 400, "sign_request_invalid");
    await refused(post({ ...batch(GOOD.part), extra: 1 }), 400, "sign_request_invalid");
    await refused(post({ ...batch(GOOD.part), style: "dns" }), 400, "sign_request_invalid");
    await refused(post(batch()), 400, "sign_request_invalid", /non-empty array/);
    await refused(post({ version: 1, bucket, requests: {} }), 400, "sign_request_invalid");
    // One bucket per batch, named once: a second one has nowhere to go.
    await refused(post({ ...batch(GOOD.part), bucket: "A_B" }), 400, "sign_request_invalid");
    await refused(
      post(batch({ ...GOOD.part, bucket: "otherbucket" })),
      400,
      "sign_request_invalid",
    );
  });

  it("refuses operations it does not sign, before anyone is asked", async () => {
    for (
      const operation of [
        "deleteObject",
        "getObject",
        "headObject",
        "uploadPartCopy",
        "putBucket",
        "deleteBucket",
        "putBucketPolicy",
        "__proto__",
        "constructor",
        "toString",
        "",
        "x".repeat(10_000),
      ]
    ) {
      const error = await refused(
        post(batch(GOOD.initiate, { ...GOOD.abort, operation })),
        403,
        "sign_operation_not_allowed",
      );
      assert.equal(error.entry, 1);
      assert.ok(error.message.length < 400);
    }
    for (const operation of [undefined, 1, null, ["uploadPart"], { toString: "x" }]) {
      await refused(post(batch({ ...GOOD.part, operation })), 403, "sign_operation_not_allowed");
    }
    await refused(post(batch(null)), 403, "sign_operation_not_allowed");
  });

  it("refuses fields that do not match the operation", async () => {
    const cases: [string, Record<string, unknown>][] = [
      // A DELETE object dressed up as an abort, a GET object as a listing.
      ["abort", { query: undefined }],
      ["abort", { query: {} }],
      ["list", { query: { limit: "5" } }],
      // Methods.
      ["abort", { method: "GET" }],
      ["part", { method: "POST" }],
      ["initiate", { method: "PUT" }],
      ["complete", { method: "PUT" }],
      ["list", { method: "DELETE" }],
      ["put", { method: "POST" }],
      ["part", { method: "put" }],
      // Queries: extra, missing, malformed or not strings.
      ["part", { query: { part_number: "3", upload_id: uploadId, acl: "" } }],
      ["part", { query: { part_number: "3" } }],
      ["part", { query: { part_number: "01", upload_id: uploadId } }],
      ["part", { query: { part_number: "10001", upload_id: uploadId } }],
      ["part", { query: { part_number: "-1", upload_id: uploadId } }],
      ["part", { query: { part_number: 3, upload_id: uploadId } }],
      ["part", { query: { part_number: "3", upload_id: "" } }],
      ["part", { query: { part_number: "3", upload_id: "a\r\nb" } }],
      // An upload ID that would splice sub-resources into the string to sign, or be trimmed.
      ["part", { query: { part_number: "3", upload_id: `${uploadId}&part_number=5` } }],
      ["complete", { query: { upload_id: `${uploadId}&uploads` } }],
      ["abort", { query: { upload_id: `${uploadId}&version_id=1` } }],
      ["list", { query: { upload_id: `${uploadId}#x` } }],
      ["abort", { query: { upload_id: ` ${uploadId}` } }],
      ["abort", { query: { upload_id: "%26uploads" } }],
      ["part", { query: [["part_number", "3"]] }],
      ["initiate", { query: { uploads: "", upload_id: uploadId } }],
      ["initiate", { query: { uploads: "1" } }],
      ["complete", { query: { upload_id: uploadId, uploads: "" } }],
      ["list", { query: { upload_id: uploadId, limit: "0" } }],
      ["list", { query: { upload_id: uploadId, "limit?": "5" } }],
      ["list", { query: { upload_id: uploadId, limit: "1001" } }],
      ["list", { query: JSON.parse(`{ "upload_id": "${uploadId}", "__proto__": "x" }`) }],
      ["uploads", { query: { uploads: "" } }],
      ["uploads", { query: { uploads: "", prefix: "" } }],
      ["uploads", { query: { uploads: "", prefix: "a", delimiter: "/" } }],
      ["uploads", { key: "alice/a.bin" }],
      // A presigned URL's own parameters: the server signs headers, with its own date, only.
      ["part", { query: { part_number: "3", upload_id: uploadId, expires: "4102444800" } }],
      ["put", { query: { access_key_id: "AKID", signature: "x", expires: "4102444800" } }],
      ["put", { query: { acl: "" } }],
      ["put", { query: { uploads: "" } }],
      // Keys.
      ["part", { key: undefined }],
      ["part", { key: "" }],
      ["part", { key: "a/../b" }],
      ["part", { key: "/a" }],
      ["part", { key: "k".repeat(1024) }],
      ["part", { key: 7 }],
      ["part", { key: "\ud800" }],
      // Fields of their own.
      ["part", { bucket: "mybucket" }],
      ["part", { signature: "x" }],
      ["part", { stringToSign: "PUT\n\n\n\n/mybucket/a" }],
    ];
    for (const [name, change] of cases) {
      const error = await refused(
        post(batch(GOOD.initiate, changed(name, change))),
        400,
        "sign_request_invalid",
      );
      assert.equal(error.entry, 1, `${name} ${JSON.stringify(change)}: ${error.message}`);
      assert.match(error.message, /^requests\[1\]/);
    }
    const hostile = JSON.stringify(batch(GOOD.part)).replace('"query"', '"__proto__":{},"query"');
    await refused(post(hostile), 400, "sign_request_invalid");
  });

  it("refuses headers off the operation's list, or malformed, never echoing a key", async () => {
    const customerKey = btoa(String.fromCharCode(...new Uint8Array(32).fill(7)));
    const cases: [string, Record<string, unknown>][] = [
      ["part", { "x-qs-date": "Mon, 03 Jun 2024 08:00:00 GMT" }],
      ["part", { authorization: "QS a:b" }],
      ["part", { date: "Mon, 03 Jun 2024 08:00:00 GMT" }],
      ["part", { host: "elsewhere" }],
      ["part", { "x-qs-copy-source": "/otherbucket/secret" }],
      ["part", { "x-qs-meta-owner": "alice" }],
      ["part", { "x-qs-storage-class": "STANDARD" }],
      ["part", { "Content-MD5": md5 }],
      ["part", { "content-md5": "abc" }],
      ["part", { "content-md5": 5 }],
      ["abort", { "content-type": "text/plain" }],
      ["list", { "content-md5": md5 }],
      ["initiate", { "content-type": "text/plain\r\nx-qs-acl: public" }],
      ["initiate", { "content-type": "" }],
      ["initiate", { "content-type": "t".repeat(256) }],
      ["initiate", { "content-type": "тип" }],
      ["initiate", { "x-qs-storage-class": "GLACIER" }],
      ["initiate", { "x-qs-meta-": "x" }],
      ["initiate", { "x-qs-meta-a b": "x" }],
      ["initiate", { "x-qs-meta-big": "v".repeat(2100) }],
      ["initiate", { "x-qs-meta-nl": "a\nb" }],
      ["initiate", { "x-qs-encryption-customer-key": customerKey.slice(2) + "AA" + "!" }],
      ["initiate", { "x-qs-encryption-customer-algorithm": "DES" }],
      // Named as the rules name the kinds of headers, not as headers are.
      ["initiate", { sse: "x" }],
      ["initiate", { meta: "x" }],
      ["initiate", { "X-QS-Meta-Owner": "alice" }],
      // A PUT that would copy, move or fetch another object, or an initiate that would.
      ["put", { "x-qs-copy-source": "/otherbucket/secret" }],
      ["put", { "x-qs-move-source": "/mybucket/bob/a.bin" }],
      ["put", { "x-qs-fetch-source": "https://example.com/a" }],
      ["put", { "x-qs-date": "Mon, 03 Jun 2024 08:00:00 GMT" }],
      ["put", { "x-qs-acl": "public-read" }],
      ["initiate", { "x-qs-copy-source": "/otherbucket/secret" }],
      // An own property named __proto__, as JSON.parse makes it.
      ["initiate", JSON.parse('{ "__proto__": "x" }')],
      // Metadata named __proto__ is checked like any other (its value was not, outside Deno).
      ["initiate", JSON.parse('{ "x-qs-meta-__proto__": "a\\nb" }')],
      ["put", JSON.parse(`{ "x-qs-meta-__proto__": "${"v".repeat(2100)}" }`)],
    ];
    for (const [name, headers] of cases) {
      const entry = { ...GOOD[name], headers };
      const error = await refused(
        post(batch(entry)),
        400,
        "sign_request_invalid",
      );
      assert.ok(!error.message.includes(customerKey.slice(2, 40)), error.message);
      assert.ok(error.message.length < 400);
    }
    // The SSE-C three are signed when well-formed.
    const { status } = await handle(post(batch({
      ...GOOD.part,
      headers: {
        "content-md5": md5,
        "x-qs-encryption-customer-algorithm": "AES256",
        "x-qs-encryption-customer-key": customerKey,
        "x-qs-encryption-customer-key-md5": md5,
      },
    })));
    assert.equal(status, 200);
  });

  it("shows authorize the headers as they are signed: lower-case names, trimmed values", async () => {
    const { status, asked } = await handle(
      post(batch({
        ...GOOD.put,
        headers: { "content-type": " text/html ", "x-qs-meta-Owner": "alice " },
      })),
      // A rule that compares values, as authorize rules do.
      ({ headers }) => headers["content-type"] != "text/html",
    );
    assert.equal(status, 403);
    assert.deepEqual(asked[0].headers, { "content-type": "text/html", "x-qs-meta-owner": "alice" });
  });

  it("asks authorize about a listing of uploads as every key: its prefix is not signed", () =>
    withEmulator({}, async (harness) => {
      // The service leaves `prefix` out of the string to sign (docs/protocol.md#canonicalized-resource):
      // a listing signed for alice's prefix lists bob's uploads just as well.
      const client = harness.client();
      await initiateMultipartUpload(client, { bucket, key: "bob/plans.pdf" });
      const listing = { ...GOOD.uploads, query: { uploads: "", prefix: "alice/" } };
      const perUser = ({ key }: SigningAuthorization) => key.startsWith("alice/");
      const refusedListing = await handleSignRequest(client, post(batch(listing)), {
        authorize: perUser,
      });
      assert.equal(refusedListing.status, 403);
      const [refusal] = (await refusedListing.json()).signatures;
      assert.equal(refusal.error.code, "sign_request_refused");
      assert.match(refusal.error.message, /listMultipartUploads of every key/);
      // Allowed on purpose, it is good for the whole bucket.
      const allowed = await handleSignRequest(client, post(batch(listing)), {
        authorize: ({ key }) => key === "",
      });
      const [signed] = (await allowed.json()).signatures;
      const response = await fetch(`${harness.server.url}/${bucket}?uploads&prefix=bob%2F`, {
        headers: { authorization: signed.authorization, "x-qs-date": signed.date },
      });
      assert.equal(response.status, 200);
      assert.equal((await response.json()).uploads[0].key, "bob/plans.pdf");
    }));

  it("signs a hostile key for that key alone: ?, #, %, dots, CR/LF stay in the path", () =>
    withEmulator({}, async (harness) => {
      const keys = [
        "alice/x?uploads",
        "alice/x?acl",
        "alice/x#y",
        "alice/x%2F..%2Fbob",
        "alice/x%3Fuploads",
        "alice/x\r\nx-qs-acl: public-read",
        "alice/大 x+y",
      ];
      for (const key of keys) {
        const response = await handleSignRequest(
          harness.client(),
          post(batch({ operation: "putObject", method: "PUT", key })),
          { authorize: () => true },
        );
        const [signed] = (await response.json()).signatures;
        const headers = { authorization: signed.authorization, "x-qs-date": signed.date };
        // The key as the library sends it: the object is made under exactly that key.
        const path = key.split("/").map(encodeURIComponent).join("/");
        const good = await fetch(`${harness.server.url}/${bucket}/${path}`, {
          method: "PUT",
          headers,
          body: new Uint8Array([120]),
        });
        assert.equal(good.status, 201, `${JSON.stringify(key)}: ${await good.text()}`);
        // The key spliced into the URL as written: another request, which the signature is not for.
        const spliced = await fetch(`${harness.server.url}/${bucket}/${key}`, {
          method: "PUT",
          headers,
          body: new Uint8Array([120]),
        }).catch(() => undefined);
        assert.ok(!spliced?.ok, `${JSON.stringify(key)} spliced: ${spliced?.status}`);
        await spliced?.body?.cancel();
      }
      assert.deepEqual(
        [...harness.emulator.state.objects.keys()].sort(),
        keys.map((key) => `${bucket}/${key}`).sort(),
      );
    }));

  it("refuses deeply nested JSON in any field with a 400, never a stack overflow", async () => {
    // 400 KB of nesting, under the size limit: shown in a message, it would be turned into text.
    const deep = "[".repeat(200_000) + "]".repeat(200_000);
    const entry = (field: string) =>
      JSON.stringify(batch({ ...GOOD.part, [field]: "HERE" })).replace('"HERE"', deep);
    const bodies = [
      entry("method"),
      entry("key"),
      JSON.stringify(batch({ ...GOOD.uploads, key: "HERE" })).replace('"HERE"', deep),
      JSON.stringify(batch(GOOD.part)).replace('"mybucket"', deep),
    ];
    for (const body of bodies) {
      const error = await refused(post(body), 400, "sign_request_invalid", /an array/);
      assert.ok(error.message.length < 400);
    }
  });

  it("refuses a whole batch for one bad entry, and says which", async () => {
    const { status, body, asked } = await handle(
      post(batch(GOOD.part, GOOD.part, { ...GOOD.part, method: "DELETE" })),
    );
    assert.equal(status, 400);
    assert.equal(body.error.entry, 2);
    assert.equal(asked.length, 0);
  });

  it("needs an authorize function, and a client with credentials", async () => {
    await assert.rejects(
      handleSignRequest(server, post(batch(GOOD.part)), {} as never),
      (error: Error) => error.name == "ValidationError",
    );
    const anonymous = createClient({ zone: "pek3a" });
    const response = await handleSignRequest(anonymous, post(batch(GOOD.part)), {
      authorize: () => true,
    });
    assert.equal(response.status, 500);
    assert.equal((await response.json()).error.code, "sign_server_misconfigured");
  });
});
