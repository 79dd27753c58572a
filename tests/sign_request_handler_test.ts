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
import { createClient, handleSignRequest } from "../mod.ts";
import { CREDENTIALS } from "./support/harness.ts";
import { batch, GOOD, handle, md5, post, server, uploadId } from "./support/sign_batches.ts";

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
