/**
 * The SDKs' own multipart scenario (initiate, three parts, list parts,
 * complete, abort after complete, then the object read back and deleted),
 * replayed against the emulator over HTTP twice: with this client, and with
 * requests signed and encoded by hand as other clients send them.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  abortMultipartUpload,
  type Client,
  completeMultipartUpload,
  initiateMultipartUpload,
  listParts,
  presign,
  uploadPart,
} from "../mod.ts";
import type { EmulatorServer } from "../src/testing/mod.ts";
import { withEmulator } from "./support/harness.ts";
import { rawRequest, signedHeaders } from "./support/hand_sign.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";

const bucket = "mybucket";
const MiB = 1024 * 1024;
/** The object ETag the SDKs' scenario sends at complete. */
const OBJECT_ETAG = '"4072783b8efb99a9e5817067d68f61c6"';
/** Each part's bytes: different seeds, so a part out of place changes the MD5. */
const SOURCES = [1, 2, 3].map((seed) => testBytes(6 * MiB, seed));

/** Keys from the scenarios (ASCII, CJK, emoji) and ones with every character paths treat specially. */
const KEYS = [
  "test_object_multipart",
  "中文分块测试",
  "田中さんにあげて下さいブロック",
  "a b+c=d&e?f#g%h;i",
  "😍 👩🏽 🐵 🙈",
  "dir/sub dir/ключ ¿+=&?#%25 (1).bin",
];
/** Part sizes in MiB: the JS SDK's 5/5/5, the Go SDK's 5/4/3, and 6/6/6. */
const SIZES = [[5, 5, 5], [5, 4, 3], [6, 6, 6]];
/** Every key, every size set twice, with and without ETags at complete. */
const FLOWS = KEYS.map((key, index) => ({
  key,
  sizes: SIZES[index % 3],
  withEtags: index % 2 == 0,
}));
const describeFlow = (flow: (typeof FLOWS)[number]) =>
  `${JSON.stringify(flow.key)}, ${flow.sizes.join("/")} MiB, ${
    flow.withEtags ? "with" : "without"
  } ETags`;

const partsOf = (sizes: number[]) => sizes.map((size, n) => SOURCES[n].subarray(0, size * MiB));

/** Sends a URL presigned by the client, as whoever holds it would. */
async function presigned(client: Client, method: "HEAD" | "GET" | "DELETE", key: string) {
  return fetch(await presign(client, { method, bucket, key, expiresIn: 60 }), { method });
}

describe("the SDKs' multipart scenario with this client", () => {
  for (const flow of FLOWS) {
    it(describeFlow(flow), () =>
      withEmulator({}, async ({ client, emulator }) => {
        const c = client();
        const { key } = flow;
        const parts = partsOf(flow.sizes);
        const started = await initiateMultipartUpload(c, {
          bucket,
          key,
          contentType: "text/plain",
        });
        assert.equal(started.key, key);
        const { uploadId } = started;
        for (const [partNumber, body] of parts.entries()) {
          const { etag } = await uploadPart(c, { bucket, key, uploadId, partNumber, body });
          assert.equal(etag, nativeMd5(body));
        }
        const listed = await listParts(c, { bucket, key, uploadId });
        assert.equal(listed.count, 3);
        assert.deepEqual(
          listed.parts.map((part) => [part.partNumber, part.size, part.etag]),
          parts.map((body, n) => [n, body.length, nativeMd5(body)]),
        );
        await completeMultipartUpload(c, {
          bucket,
          key,
          uploadId,
          parts: listed.parts.map(({ partNumber, etag }) => ({
            partNumber,
            etag: flow.withEtags ? etag : undefined,
          })),
          etag: flow.withEtags ? OBJECT_ETAG : undefined,
        });
        const complete = emulator.state.requests.at(-1)!;
        assert.equal(complete.status, 201);
        assert.equal(complete.headers.etag, flow.withEtags ? OBJECT_ETAG : undefined);
        // Abort after complete answers 204, as the scenario expects: abort is idempotent.
        await abortMultipartUpload(c, { bucket, key, uploadId });
        assert.equal(emulator.state.requests.at(-1)!.status, 204);

        const head = await presigned(c, "HEAD", key);
        assert.equal(head.status, 200);
        const size = parts.reduce((sum, body) => sum + body.length, 0);
        assert.equal(head.headers.get("content-length"), String(size));
        assert.equal(head.headers.get("content-type"), "text/plain");
        assert.equal(head.headers.get("etag"), flow.withEtags ? OBJECT_ETAG : null);
        const get = await presigned(c, "GET", key);
        assert.equal(get.status, 200);
        assert.equal(nativeMd5(new Uint8Array(await get.arrayBuffer())), nativeMd5(...parts));
        const deleted = await presigned(c, "DELETE", key);
        assert.equal(deleted.status, 204);
        assert.equal((await presigned(c, "HEAD", key)).status, 404);
        assert.equal(emulator.state.objects.size, 0);
      }));
  }
});

/** A path encoded as other clients do it: encodeURIComponent per segment (`!'()*` literal). */
const pathOf = (key: string, query = "") =>
  `/${bucket}/${key.split("/").map(encodeURIComponent).join("/")}${query}`;

/** Sends a request signed by hand, over HTTP. */
async function signed(
  server: EmulatorServer,
  method: string,
  path: string,
  body?: string | Uint8Array,
  headers: Record<string, string> = {},
) {
  const answer = await rawRequest(
    server.url,
    method,
    path,
    await signedHeaders(method, server.url + path, headers),
    body,
  );
  return { ...answer, json: () => JSON.parse(answer.body) };
}

describe("the SDKs' multipart scenario, signed by hand", () => {
  for (const flow of FLOWS) {
    it(describeFlow(flow), () =>
      withEmulator({}, async ({ server, emulator }) => {
        const { key } = flow;
        const parts = partsOf(flow.sizes);
        const started = await signed(server, "POST", pathOf(key, "?uploads"), undefined, {
          "content-type": "text/plain",
        });
        assert.equal(started.status, 200, started.body);
        assert.deepEqual(Object.keys(started.json()).sort(), ["bucket", "key", "upload_id"]);
        assert.equal(started.json().key, key);
        const uploadId = started.json().upload_id;
        for (const [n, body] of parts.entries()) {
          const put = await signed(
            server,
            "PUT",
            pathOf(key, `?part_number=${n}&upload_id=${uploadId}`),
            body,
          );
          assert.equal(put.status, 201, put.body);
          assert.equal(put.headers.etag, `"${nativeMd5(body)}"`);
        }
        const listed = await signed(server, "GET", pathOf(key, `?upload_id=${uploadId}`));
        assert.equal(listed.status, 200);
        const { count, object_parts } = listed.json();
        assert.equal(count, 3);
        assert.equal(object_parts.length, 3);
        // As the Go SDK does: the listing's parts go back as they came, sizes and dates included.
        const body = JSON.stringify({
          object_parts: flow.withEtags
            ? object_parts
            : object_parts.map(({ part_number }: { part_number: number }) => ({ part_number })),
        });
        const completed = await signed(
          server,
          "POST",
          pathOf(key, `?upload_id=${uploadId}`),
          body,
          flow.withEtags
            ? { "content-type": "application/json", etag: OBJECT_ETAG }
            : { "content-type": "application/json" },
        );
        assert.equal(completed.status, 201, completed.body);
        const abort = await signed(server, "DELETE", pathOf(key, `?upload_id=${uploadId}`));
        assert.equal(abort.status, 204);

        const head = await signed(server, "HEAD", pathOf(key));
        assert.equal(head.status, 200);
        assert.equal(
          head.headers["content-length"],
          String(flow.sizes[0] * MiB + flow.sizes[1] * MiB + flow.sizes[2] * MiB),
        );
        assert.equal(head.headers.etag, flow.withEtags ? OBJECT_ETAG : undefined);
        const get = await signed(server, "GET", pathOf(key));
        assert.equal(get.status, 200);
        assert.equal(nativeMd5(get.bytes), nativeMd5(...parts));
        assert.equal((await signed(server, "DELETE", pathOf(key))).status, 204);
        assert.equal((await signed(server, "HEAD", pathOf(key))).status, 404);
        assert.equal(emulator.state.objects.size, 0);
        assert.deepEqual(emulator.state.errors, []);
      }));
  }
});
