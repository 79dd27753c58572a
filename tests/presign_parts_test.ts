/**
 * presignParts(): a URL per part that a plain fetch can use, exactly presign()'s in both styles,
 * refused when its part number is changed; a rotating provider's current secret; its input checked
 * before credentials are asked for; an abort while credentials never come.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  completeMultipartUpload,
  createClient,
  initiateMultipartUpload,
  presign,
  presignParts,
  ValidationError,
} from "../mod.ts";
import { createEmulator } from "../src/testing/mod.ts";
import { CREDENTIALS, inProcess, requestCountingFetch, withEmulator } from "./support/harness.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";

const bucket = "mybucket";
/** A client clock set to land mid-second, so that two calls in a row sign the same expiry. */
const midSecond = () => Math.floor(Date.now() / 1000 + 5) * 1000 + 500 - Date.now();

describe("presignParts", () => {
  it("uploads each part through its URL with a plain fetch over HTTP, in the order asked", async () => {
    await withEmulator({ minPartSize: 1 }, async ({ emulator, client }) => {
      const c = client();
      const key = "parts/ключ (1).bin";
      const { uploadId } = await initiateMultipartUpload(c, { bucket, key });
      const partNumbers = [3, 1, 2];
      const urls = await presignParts(c, { bucket, key, uploadId, partNumbers, expiresIn: 60 });
      assert.equal(urls.length, 3);
      const bodies = new Map(partNumbers.map((n) => [n, testBytes(100 + n, n)]));
      for (const [index, url] of urls.entries()) {
        // The URL's user holds no secret and sends no header: only the URL authorises it.
        const answer = await fetch(url, { method: "PUT", body: bodies.get(partNumbers[index]) });
        assert.equal(answer.status, 201, await answer.text());
      }
      assert.ok(
        emulator.state.requests.filter((r) => r.operation == "uploadPart")
          .every((r) => r.auth == "query"),
      );
      await completeMultipartUpload(c, {
        bucket,
        key,
        uploadId,
        parts: [1, 2, 3].map((partNumber) => ({ partNumber })),
      });
      const object = emulator.state.objects.get(`${bucket}/${key}`)!;
      assert.equal(object.size, 306);
    });
  });

  for (const style of ["path", "virtual-host"] as const) {
    it(`mints exactly presign()'s URL for each part, in ${style} style`, async () => {
      const { client } = inProcess({}, { endpoint: "https://pek3a.qingstor.com", style });
      client.clockOffset = midSecond();
      const uploadId = "4d26b37a469230619604ecdc0e314782";
      const key = "a b/c+d?e#f%g";
      const partNumbers = [0, 10000, 7, 7];
      const urls = await presignParts(client, { bucket, key, uploadId, partNumbers, expiresIn: 9 });
      const single = await Promise.all(partNumbers.map((partNumber) =>
        presign(client, {
          method: "PUT",
          bucket,
          key,
          query: { part_number: partNumber, upload_id: uploadId },
          expiresIn: 9,
        })
      ));
      assert.deepEqual(urls, single);
    });
  }

  it("spells every signature as presign() does, `+`, `/` and `=` escaped", async () => {
    const { client } = inProcess();
    client.clockOffset = midSecond();
    const uploadId = "4d26b37a469230619604ecdc0e314782";
    // Enough signatures that the digits `+` and `/`, 1 in 32 of a signature's 43, all turn up.
    const partNumbers = Array.from({ length: 200 }, (_, index) => index);
    const urls = await presignParts(client, {
      bucket,
      key: "k",
      uploadId,
      partNumbers,
      expiresIn: 9,
    });
    const single = await Promise.all(partNumbers.map((partNumber) =>
      presign(client, {
        method: "PUT",
        bucket,
        key: "k",
        query: { part_number: partNumber, upload_id: uploadId },
        expiresIn: 9,
      })
    ));
    assert.deepEqual(urls, single);
    const signatures = urls.map((url) => new URL(url).searchParams.get("signature")!);
    assert.ok(signatures.some((signature) => signature.includes("+")));
    assert.ok(signatures.some((signature) => signature.includes("/")));
    assert.ok(signatures.every((signature) => /^[A-Za-z0-9+/]{43}=$/.test(signature)));
  });

  it("signs an upload ID that needs escaping as presign() does, and the emulator accepts it", async () => {
    const { emulator, client } = inProcess({ minPartSize: 1 });
    client.clockOffset = midSecond();
    // An upload ID the service never issues, but which checkUploadId lets through.
    const uploadId = " a+b%2Bc&d=e ";
    const [url] = await presignParts(client, {
      bucket,
      key: "k",
      uploadId,
      partNumbers: [4],
      expiresIn: 60,
    });
    const single = await presign(client, {
      method: "PUT",
      bucket,
      key: "k",
      query: { part_number: 4, upload_id: uploadId },
      expiresIn: 60,
    });
    assert.equal(url, single);
    // Signed as the emulator reads it: not refused for its signature (the upload does not exist).
    const answer = await emulator.fetch(new Request(url, { method: "PUT", body: testBytes(4) }));
    assert.equal((await answer.json()).code, "upload_not_exists");
  });

  it("refuses a URL whose part number was changed", async () => {
    const { emulator, client } = inProcess({ minPartSize: 1 });
    const { uploadId } = await initiateMultipartUpload(client, { bucket, key: "k" });
    const [url] = await presignParts(client, {
      bucket,
      key: "k",
      uploadId,
      partNumbers: [1],
      expiresIn: 60,
    });
    const body = testBytes(10);
    const moved = await emulator.fetch(
      new Request(url.replace("part_number=1", "part_number=2"), { method: "PUT", body }),
    );
    assert.equal(moved.status, 401);
    const put = await emulator.fetch(new Request(url, { method: "PUT", body }));
    assert.equal(put.status, 201);
    assert.equal(emulator.state.uploads.get(uploadId)!.parts.get(1)!.etag, nativeMd5(body));
  });

  it("signs with the secret a rotating provider gives now, not a key kept from before", async () => {
    const rotated = { accessKeyId: "ROTATEDKEYID", secretAccessKey: "rotated-secret-2" };
    const emulator = createEmulator({ credentials: [rotated] });
    let current = CREDENTIALS;
    const client = createClient({
      endpoint: "http://localhost",
      credentials: () => current,
      fetch: emulator.fetch,
    });
    const input = { bucket, key: "k", uploadId: "u1", partNumbers: [1], expiresIn: 60 };
    const [before] = await presignParts(client, input);
    current = rotated;
    const [after] = await presignParts(client, input);
    assert.notEqual(before, after);
    const put = (url: string) =>
      emulator.fetch(new Request(url, { method: "PUT", body: testBytes(1) }));
    // The old key pair is unknown to this service; the new one signs correctly.
    assert.equal((await (await put(before)).json()).code, "invalid_access_key_id");
    assert.equal((await (await put(after)).json()).code, "upload_not_exists");
  });

  it("refuses bad input before asking for credentials or sending anything", async () => {
    const counter = requestCountingFetch();
    let asked = 0;
    const client = createClient({
      endpoint: "http://localhost",
      credentials: () => (asked++, CREDENTIALS),
      fetch: counter.fetch,
    });
    const good = { bucket, key: "k", uploadId: "u1", partNumbers: [1], expiresIn: 60 };
    const cases: [string, Record<string, unknown>, string][] = [
      ["no part numbers", { partNumbers: [] }, "partNumbers"],
      ["a number, not a list", { partNumbers: 3 }, "partNumbers"],
      ["10001 part numbers", { partNumbers: Array(10_001).fill(1) }, "partNumbers"],
      ["a part number over 10000", { partNumbers: [1, 10_001] }, "partNumbers[1]"],
      ["a fractional part number", { partNumbers: [1.5] }, "partNumbers[0]"],
      ["a part number as text", { partNumbers: ["1"] }, "partNumbers[0]"],
      ["a lifetime of 0", { expiresIn: 0 }, "expiresIn"],
      ["a lifetime over 7 days", { expiresIn: 604_801 }, "expiresIn"],
      ["an upload ID with a line break", { uploadId: "u\n1" }, "uploadId"],
      ["a bad bucket", { bucket: "B" }, "bucket"],
    ];
    for (const [name, change, parameter] of cases) {
      await assert.rejects(
        // deno-lint-ignore no-explicit-any
        presignParts(client, { ...good, ...change } as any),
        (error) => error instanceof ValidationError && error.parameter == parameter,
        name,
      );
    }
    assert.equal(asked, 0);
    await assert.rejects(
      presignParts(createClient({ endpoint: "http://localhost" }), good),
      (error) => error instanceof ValidationError && error.parameter == "credentials",
    );
    assert.equal(counter.count, 0);
    // The most a list may hold is accepted.
    const urls = await presignParts(client, { ...good, partNumbers: Array(10_000).fill(2) });
    assert.equal(urls.length, 10_000);
  });

  for (const call of ["presignParts", "presign"] as const) {
    it(`${call} stops waiting for credentials that never come when its signal aborts`, async () => {
      let asked = 0;
      const client = createClient({
        endpoint: "http://localhost",
        credentials: () => (asked++, new Promise<never>(() => {})),
      });
      const run = (signal: AbortSignal) =>
        call == "presign"
          ? presign(client, { method: "PUT", bucket, key: "k", expiresIn: 60, signal })
          : presignParts(client, {
            bucket,
            key: "k",
            uploadId: "u1",
            partNumbers: [1],
            expiresIn: 60,
            signal,
          });
      const controller = new AbortController();
      const pending = run(controller.signal);
      const reason = new Error("no longer needed");
      controller.abort(reason);
      await assert.rejects(pending, (error) => error === reason);
      assert.equal(asked, 1);
      // Aborted already: the provider is not even asked.
      await assert.rejects(run(AbortSignal.abort(reason)), (error) => error === reason);
      assert.equal(asked, 1);
    });
  }
});
