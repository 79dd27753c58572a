import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { abortMultipartUpload, initiateMultipartUpload } from "../mod.ts";
import type { Emulator } from "../src/testing/mod.ts";
import { untilAborted } from "../src/until_aborted.ts";
import { inProcess, withEmulator } from "./support/harness.ts";
import { signedHeaders, stalledRequest } from "./support/hand_sign.ts";

const bucket = "mybucket";
const base = "http://localhost";

/** A body that sends `first`, signals that it is being read, and ends only when released. */
function heldBody(first: Uint8Array) {
  let reading!: () => void;
  let release!: (rest?: Uint8Array) => void;
  const read = new Promise<void>((resolve) => (reading = resolve));
  const released = new Promise<Uint8Array | undefined>((resolve) => (release = resolve));
  let pulls = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (pulls++ == 0) return controller.enqueue(first);
      reading();
      const rest = await released;
      if (rest) controller.enqueue(rest);
      controller.close();
    },
  });
  return { body, read, release };
}

/** Sends a hand-signed in-process request whose body is a stream. */
async function sendStream(
  emulator: Emulator,
  method: string,
  path: string,
  body: ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
): Promise<Response> {
  const request = new Request(base + path, {
    method,
    headers: await signedHeaders(method, base + path, headers),
    body,
    duplex: "half",
  } as RequestInit);
  return emulator.fetch(request);
}

describe("the request log", () => {
  it("keeps only the requestLogLimit most recent requests", async () => {
    const { emulator } = inProcess({ requestLogLimit: 5, publicBuckets: [bucket] });
    for (let n = 0; n < 12; n++) await emulator.fetch(new Request(`${base}/${bucket}/k${n}`));
    assert.equal(emulator.state.requests.length, 5);
    assert.deepEqual(
      emulator.state.requests.map((record) => record.target),
      [7, 8, 9, 10, 11].map((n) => `/${bucket}/k${n}`),
    );
  });

  it("keeps 1000 by default, so a long-running emulator stays flat", async () => {
    const { emulator } = inProcess({ publicBuckets: [bucket] });
    for (let n = 0; n < 1010; n++) await emulator.fetch(new Request(`${base}/${bucket}/k${n}`));
    assert.equal(emulator.state.requests.length, 1000);
    assert.equal(emulator.state.requests[0].target, `/${bucket}/k10`);
    assert.equal(emulator.state.requests.at(-1)!.status, 404);
  });
});

describe("a body that stops arriving", () => {
  it("fails after bodyTimeout ms with 400 incomplete_body over HTTP, and nothing is stored", () =>
    withEmulator({ bodyTimeout: 300 }, async ({ server, emulator, client }) => {
      const { uploadId } = await initiateMultipartUpload(client(), { bucket, key: "k" });
      const path = `/${bucket}/k?part_number=0&upload_id=${uploadId}`;
      const headers = await signedHeaders("PUT", server.url + path, { "content-length": "100" });
      const started = performance.now();
      // Ten bytes of the hundred announced, and then nothing: the connection stays open.
      const answer = await stalledRequest(server.url, "PUT", path, headers, new Uint8Array(10));
      const elapsed = performance.now() - started;
      assert.equal(answer.status, 400);
      assert.equal(JSON.parse(answer.body).code, "incomplete_body");
      assert.match(JSON.parse(answer.body).message, /No body bytes arrived for 300 ms/);
      assert.ok(elapsed >= 290 && elapsed < 5_000, `answered after ${elapsed} ms`);
      assert.equal(emulator.state.uploads.get(uploadId)!.parts.size, 0);
    }));

  it("fails an in-process body the same way, and a stalled PUT Object stores no object", async () => {
    const { emulator, client } = inProcess({ bodyTimeout: 200 });
    const { uploadId } = await initiateMultipartUpload(client, { bucket, key: "k" });
    for (const path of [`/${bucket}/k?part_number=0&upload_id=${uploadId}`, `/${bucket}/put`]) {
      const { body } = heldBody(new Uint8Array(10));
      const started = performance.now();
      const answer = await untilAborted(
        sendStream(emulator, "PUT", path, body),
        AbortSignal.timeout(5_000),
      );
      const elapsed = performance.now() - started;
      assert.equal(answer.status, 400, path);
      assert.equal((await answer.json()).code, "incomplete_body");
      assert.ok(elapsed >= 190 && elapsed < 5_000, `${path}: answered after ${elapsed} ms`);
    }
    assert.equal(emulator.state.uploads.get(uploadId)!.parts.size, 0);
    assert.equal(emulator.state.objects.size, 0);
  });
});

describe("a request whose upload is aborted while its body arrives", () => {
  for (const storage of ["bytes", "digest"] as const) {
    it(`answers a part with 404 upload_not_exists and stores nothing (${storage} storage)`, async () => {
      const { emulator, client } = inProcess({ minPartSize: 1, storage });
      const { uploadId } = await initiateMultipartUpload(client, { bucket, key: "k" });
      const upload = emulator.state.uploads.get(uploadId)!;
      const held = heldBody(new Uint8Array(5).fill(1));
      const path = `/${bucket}/k?part_number=0&upload_id=${uploadId}`;
      const answer = sendStream(emulator, "PUT", path, held.body);
      await held.read;
      await abortMultipartUpload(client, { bucket, key: "k", uploadId });
      held.release(new Uint8Array(5).fill(2));
      const response = await answer;
      assert.equal(response.status, 404);
      assert.equal((await response.json()).code, "upload_not_exists");
      assert.equal(upload.parts.size, 0, "nothing stored on the aborted upload");
      assert.equal(emulator.state.uploads.size, 0);
    });
  }

  it("answers a complete with 404 upload_not_exists and makes no object", async () => {
    const { emulator, client } = inProcess({ minPartSize: 1 });
    const { uploadId } = await initiateMultipartUpload(client, { bucket, key: "k" });
    const part = `/${bucket}/k?part_number=0&upload_id=${uploadId}`;
    const put = await emulator.fetch(
      new Request(base + part, {
        method: "PUT",
        headers: await signedHeaders("PUT", base + part),
        body: new Uint8Array(3),
      }),
    );
    assert.equal(put.status, 201);
    const json = new TextEncoder().encode(JSON.stringify({ object_parts: [{ part_number: 0 }] }));
    const held = heldBody(json.subarray(0, 5));
    const answer = sendStream(emulator, "POST", `/${bucket}/k?upload_id=${uploadId}`, held.body, {
      "content-type": "application/json",
    });
    await held.read;
    await abortMultipartUpload(client, { bucket, key: "k", uploadId });
    held.release(json.subarray(5));
    const response = await answer;
    assert.equal(response.status, 404);
    assert.equal((await response.json()).code, "upload_not_exists");
    assert.equal(emulator.state.objects.size, 0);
  });
});

// That it reads no faster is what tests/upload_progress_bytes_test.ts relies on, and checks.
describe("serveEmulator's bandwidth", () => {
  it("refuses a bandwidth that is not a positive number, before listening", async () => {
    const { emulator } = inProcess();
    const { serveEmulator } = await import("../src/testing/mod.ts");
    for (const bandwidth of [0, -1, NaN, Infinity]) {
      await assert.rejects(serveEmulator(emulator, { bandwidth }), RangeError);
    }
  });
});
