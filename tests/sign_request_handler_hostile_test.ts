/**
 * handleSignRequest() against hostile input that passes its checks, or tries to: authorize sees
 * what is signed, a listing is asked about as every key (its prefix is not signed), a hostile key
 * is signed for that key alone, and deeply nested JSON is a 400, never a crash.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { handleSignRequest, initiateMultipartUpload, type SigningAuthorization } from "../mod.ts";
import { withEmulator } from "./support/harness.ts";
import { batch, bucket, GOOD, handle, post, refused } from "./support/sign_batches.ts";

describe("handleSignRequest() and hostile input", () => {
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

  it("does not let authorize change the headers it is shown: trying is a refusal", async () => {
    const { status, body } = await handle(post(batch(GOOD.put)), ({ headers }) => {
      (headers as Record<string, string>)["x-qs-acl"] = "public-read";
      return true;
    });
    assert.equal(status, 403);
    assert.equal(body.signatures[0].error.code, "sign_request_refused");
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

  it("reads a body that arrives a byte at a time, its characters split between chunks", async () => {
    const key = "alice/naïve 日本 🎞.bin";
    const bytes = new TextEncoder().encode(JSON.stringify(batch({ ...GOOD.part, key })));
    let index = 0;
    const body = new ReadableStream<Uint8Array>({
      pull: (controller) => {
        if (index < bytes.length) controller.enqueue(bytes.slice(index, ++index));
        else controller.close();
      },
    });
    const { status, asked } = await handle(post(body, { duplex: "half" } as RequestInit));
    assert.equal(status, 200);
    assert.equal(asked[0].key, key);
  });

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
});
