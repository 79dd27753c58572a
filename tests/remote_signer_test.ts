/**
 * A client with a remote signer, over real HTTP: a signing server running
 * handleSignRequest holds the secret, the client holds none. Every operation
 * and upload() work through it; its round trips are batched; refusals are
 * typed; one caller's abort spares the others; no secret reaches the client.
 * (A signing server that fails or stalls: remote_signer_failures_test.ts.)
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  abortMultipartUpload,
  completeMultipartUpload,
  initiateMultipartUpload,
  iterateParts,
  listMultipartUploads,
  QingStorError,
  remoteSigner,
  type SigningRequest,
  SourceError,
  upload,
  uploadPart,
  type UploadProgress,
} from "../mod.ts";
import { CREDENTIALS, inspect } from "./support/harness.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";
import { bucket, partSize, sizing } from "./support/upload.ts";
import { type Signing, withSigning } from "./support/signing.ts";
import { virtualHostFetch } from "./support/virtual_host_fetch.ts";
import { deferred } from "./support/deferred.ts";

/** Nothing the client side received holds the secret key. */
async function assertNoSecret(signing: Signing, ...more: unknown[]) {
  const seen = signing.received.join("\n") + (await Promise.all(more.map(inspect))).join("\n");
  assert.ok(signing.received.length > 0);
  assert.ok(!seen.includes(CREDENTIALS.secretAccessKey), "the secret reached the client");
}

describe("a client with a remote signer", () => {
  it("uploads 16 parts at concurrency 4 in few signing round trips, byte-exact, MD5 and progress on", () =>
    withSigning({ minPartSize: partSize }, async (signing) => {
      const data = testBytes(16 * partSize, 16);
      const client = signing.client();
      const progress: UploadProgress[] = [];
      const result = await upload(client, {
        bucket,
        key: "signed/sixteen.bin",
        body: new Blob([data]),
        ...sizing,
        concurrency: 4,
        onProgress: (event) => progress.push(event),
      });
      assert.equal(result.parts?.length, 16);
      // Progress and Content-MD5 work as with credentials: every part declared its MD5 to the
      // signer (so the signature covers its bytes), and progress ran up to the size, never back.
      const parts = signing.batches.flatMap((batch) => batch.requests)
        .filter((request) => request.operation == "uploadPart");
      assert.equal(parts.length, 16);
      for (const part of parts) {
        assert.match(part.headers?.["content-md5"] ?? "", /^[A-Za-z0-9+/]{22}==$/);
      }
      assert.equal(progress.at(-1)?.loaded, data.length);
      assert.equal(progress.at(-1)?.partsDone, 16);
      for (let i = 1; i < progress.length; i++) {
        assert.ok(progress[i].loaded >= progress[i - 1].loaded);
      }
      const object = signing.harness.emulator.state.objects.get(`${bucket}/signed/sixteen.bin`)!;
      assert.equal(object.md5, nativeMd5(data));
      const signed = signing.batches.flatMap((batch) => batch.requests).length;
      assert.equal(signed, 18, "initiate, 16 parts and complete, each signed once");
      // Parts going out together share a round trip: well below one per request (6 to 8 on
      // loopback, 12 once with the machine loaded; how many share one depends on timing, so the
      // bound leaves room for load).
      assert.ok(signing.batches.length <= 13, `${signing.batches.length} signing round trips`);
      console.log(`16 parts at concurrency 4: ${signing.batches.length} signing round trips`);
      await assertNoSecret(signing, result);
    }));

  it("runs every operation, and a client clock an hour off does not matter", () =>
    withSigning({ minPartSize: partSize }, async (signing) => {
      // The signing server dates the requests, so the page's clock is irrelevant.
      const client = signing.client({ clockOffset: -3600_000 });
      const target = { bucket, key: "signed/ops.bin" };
      const { uploadId } = await initiateMultipartUpload(client, {
        ...target,
        contentType: "application/x-test",
        metadata: { owner: "alice" },
      });
      const data = testBytes(2 * partSize, 2);
      for (const partNumber of [0, 1]) {
        const body = data.subarray(partNumber * partSize, (partNumber + 1) * partSize);
        await uploadPart(client, { ...target, uploadId, partNumber, body });
      }
      const parts = [];
      for await (const part of iterateParts(client, { ...target, uploadId, limit: 1 })) {
        parts.push({ partNumber: part.partNumber, etag: part.etag });
      }
      assert.equal(parts.length, 2);
      const listed = await listMultipartUploads(client, { bucket, prefix: target.key });
      assert.deepEqual(listed.uploads.map((upload) => upload.uploadId), [uploadId]);
      await completeMultipartUpload(client, { ...target, uploadId, parts });
      const object = signing.harness.emulator.state.objects.get(`${bucket}/${target.key}`)!;
      assert.equal(object.md5, nativeMd5(data));
      assert.equal(object.contentType, "application/x-test");
      const other = await initiateMultipartUpload(client, { bucket, key: "signed/aborted" });
      await abortMultipartUpload(client, {
        bucket,
        key: "signed/aborted",
        uploadId: other.uploadId,
      });
      assert.equal(signing.harness.emulator.state.uploads.size, 0);
      // The client's clock was not corrected: no request came back expired.
      assert.equal(client.clockOffset, -3600_000);
      await assertNoSecret(signing);
    }));

  it("signs for a virtual-host client, the bucket-level listing included", () =>
    withSigning({}, async (signing) => {
      // The signing server's own client is path style: it follows the style the batch names.
      const client = signing.client({
        endpoint: `http://localhost:${signing.harness.server.port}`,
        style: "virtual-host",
        fetch: await virtualHostFetch(),
      });
      const { uploadId } = await initiateMultipartUpload(client, { bucket, key: "vh/a b.bin" });
      const listed = await listMultipartUploads(client, { bucket, prefix: "vh/" });
      assert.deepEqual(listed.uploads.map((upload) => upload.uploadId), [uploadId]);
      const [record] = signing.harness.emulator.state.requests;
      assert.equal(record.headers.host, `mybucket.localhost:${signing.harness.server.port}`);
    }));

  it("retries faulty parts (each attempt signed afresh) and resumes kept parts", () =>
    withSigning({
      minPartSize: partSize,
      faults: [
        { operations: ["uploadPart"], times: 2, status: 503 },
        { operations: ["uploadPart"], times: 1, drop: "mid-body" },
      ],
    }, async (signing) => {
      const client = signing.client();
      const data = testBytes(6 * partSize + 5, 6);
      const result = await upload(client, {
        bucket,
        key: "signed/faulty.bin",
        body: data,
        ...sizing,
      });
      assert.equal(
        signing.harness.emulator.state.objects.get(`${bucket}/signed/faulty.bin`)!.md5,
        nativeMd5(data),
      );
      const parts = signing.batches.flatMap((batch) => batch.requests)
        .filter((request) => request.operation == "uploadPart");
      // Each attempt the client sent (7 parts, and the faulted ones again) was signed afresh;
      // counted at the client's transport, as the emulator may also see a runtime's own resend.
      const attempts = signing.sent.filter((url) => url.searchParams.has("part_number"));
      const seen = signing.harness.emulator.state.requests
        .filter((request) => request.operation == "uploadPart");
      assert.ok(seen.length > 7 && attempts.length > 7, "parts were retried");
      assert.equal(parts.length, attempts.length, "every attempt was signed");

      // Kept parts (the source fails after three), then a resume that lists them through the signer.
      let sent = 0;
      const failing = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 3 * partSize) return controller.error(new Error("file vanished"));
          controller.enqueue(data.slice(sent, sent += partSize));
        },
      });
      const kept = await upload(client, {
        bucket,
        key: "signed/resumed.bin",
        body: failing,
        ...sizing,
        leavePartsOnError: true,
      }).catch((error) => error);
      assert.ok(kept instanceof SourceError && kept.parts.length > 0, String(kept));
      await upload(client, {
        bucket,
        key: "signed/resumed.bin",
        body: data,
        ...sizing,
        uploadId: kept.uploadId,
      });
      assert.equal(
        signing.harness.emulator.state.objects.get(`${bucket}/signed/resumed.bin`)!.md5,
        nativeMd5(data),
      );
      assert.ok(signing.batches.some((batch) => batch.requests[0].operation == "listParts"));
      await assertNoSecret(signing, result);
    }));

  it("refuses what authorize refuses: a typed 403, final, nothing sent to storage", () =>
    withSigning(
      { authorize: ({ key }) => key.startsWith("alice/") },
      async (signing) => {
        const client = signing.client();
        const error = await upload(client, { bucket, key: "bob/x.bin", body: "not yours" })
          .catch((error) => error);
        assert.ok(error instanceof QingStorError, String(error));
        assert.equal(error.status, 403);
        assert.equal(error.code, "sign_request_refused");
        assert.equal(error.attempts, 1);
        assert.match(error.message, /not signed: Not allowed: putObject of "bob/);
        const { state } = signing.harness.emulator;
        assert.equal(state.requests.length, 0);
        assert.equal(state.objects.size + state.uploads.size, 0);
        await assertNoSecret(signing, error);
      },
    ));

  it("a per-user rule refuses the bucket-wide listing: upload() succeeds and tells cleanupError", () =>
    withSigning(
      {
        authorize: ({ key }) => key.startsWith("alice/"),
        minPartSize: partSize,
        // An initiate whose answer is lost once, after the service made the upload.
        faults: [{ operations: ["initiateMultipartUpload"], drop: "after-handling", times: 1 }],
      },
      async (signing) => {
        const data = testBytes(2 * partSize, 2);
        const result = await upload(signing.client(), {
          bucket,
          key: "alice/lost.bin",
          body: data,
          ...sizing,
        });
        const object = signing.harness.emulator.state.objects.get(`${bucket}/alice/lost.bin`)!;
        assert.equal(object.md5, nativeMd5(data));
        assert.equal(result.cleanupError?.name, "LeftoverUploadsError");
        const cause = result.cleanupError?.cause as QingStorError;
        assert.equal(cause.code, "sign_request_refused");
        assert.match(cause.message, /listMultipartUploads of every key/);
        // The orphan the lost answer made is left, as the error says; nothing was listed.
        assert.equal(signing.harness.emulator.state.uploads.size, 1);
        assert.ok(
          !signing.harness.emulator.state.requests.some((r) =>
            r.operation == "listMultipartUploads"
          ),
        );
      },
    ));

  it("sends headers from a function, asked afresh for each round trip, for authorize to read", () =>
    withSigning(
      { authorize: ({ request }) => request.headers.get("authorization") == "Bearer t2" },
      async (signing) => {
        const tokens = ["t1", "t2"];
        const client = signing.client({}, {
          headers: () => Promise.resolve({ authorization: `Bearer ${tokens.shift()}` }),
        });
        const error = await initiateMultipartUpload(client, { bucket, key: "a" })
          .catch((error) => error);
        assert.equal(error.code, "sign_request_refused");
        // The next round trip carries the next token: it is signed, and storage answers.
        const { uploadId } = await initiateMultipartUpload(client, { bucket, key: "a" });
        assert.ok(signing.harness.emulator.state.uploads.has(uploadId));
        assert.equal(signing.batches.length, 2);
        assert.deepEqual(tokens, []);
      },
    ));

  it("answers each entry of a batch on its own: one refused, one signed", () =>
    withSigning(
      { authorize: ({ key }) => key.startsWith("alice/") },
      async (signing) => {
        const client = signing.client();
        const [mine, theirs] = await Promise.allSettled([
          initiateMultipartUpload(client, { bucket, key: "alice/a.bin" }),
          initiateMultipartUpload(client, { bucket, key: "bob/b.bin" }),
        ]);
        assert.equal(signing.batches.length, 1, "both went in one round trip");
        assert.equal(mine.status, "fulfilled");
        assert.equal(theirs.status, "rejected");
        assert.equal((theirs as PromiseRejectedResult).reason.code, "sign_request_refused");
      },
    ));

  it("sends at most 32 requests a round trip, all of one bucket and style", () =>
    withSigning({}, async (signing) => {
      const signer = remoteSigner(signing.server.url + "/sign");
      const { signal } = new AbortController();
      const request = (key: string, more: Partial<SigningRequest> = {}): SigningRequest => ({
        operation: "initiateMultipartUpload",
        method: "POST",
        bucket,
        key,
        query: { uploads: "" },
        headers: {},
        style: "path",
        signal,
        ...more,
      });
      // Asked in one turn, so that all of them wait for the first round trip together.
      const signed = await Promise.all([
        ...Array.from({ length: 40 }, (_, index) => signer(request(`many/${index}`))),
        signer(request("many/other", { bucket: "otherbucket" })),
        signer(request("many/host", { style: "virtual-host" })),
      ]);
      assert.ok(signed.every(({ authorization }) => authorization.startsWith("QS ")));
      assert.deepEqual(
        signing.batches.map((
          { bucket, style = "path", requests },
        ) => [bucket, style, requests.length]),
        [
          [bucket, "path", 32],
          [bucket, "path", 8],
          ["otherbucket", "path", 1],
          [bucket, "virtual-host", 1],
        ],
      );
    }));

  it("lets one caller abort while the signer works, without breaking the others", async () => {
    const arrived = deferred();
    const release = deferred();
    await withSigning({
      handler: async (request, sign) => {
        arrived.resolve();
        await release.promise;
        return sign(request);
      },
    }, async (signing) => {
      const client = signing.client();
      const controller = new AbortController();
      const reason = new Error("user left the page");
      const aborted = initiateMultipartUpload(client, {
        bucket,
        key: "a.bin",
        signal: controller.signal,
      });
      const kept = initiateMultipartUpload(client, { bucket, key: "b.bin" });
      await arrived.promise;
      controller.abort(reason);
      await assert.rejects(aborted, (error) => error === reason);
      release.resolve();
      const { uploadId } = await kept;
      assert.equal(signing.batches.length, 1);
      assert.deepEqual([...signing.harness.emulator.state.uploads.keys()], [uploadId]);
    });
  });
});
