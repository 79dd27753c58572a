/**
 * No secret in any error, ever: not the secret key, a signature, an
 * Authorization value, an SSE-C key, a presigned URL's signature, nor a
 * password or token given in an endpoint. Errors are searched whole: message,
 * `String()`, JSON, stack, and deep inspection of the cause chain.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type Client,
  type ClientOptions,
  completeMultipartUpload,
  createClient,
  initiateMultipartUpload,
  LeftoverUploadsError,
  presign,
  QingStorError,
  syncClock,
  upload,
  uploadPart,
  ValidationError,
} from "../mod.ts";
import { CREDENTIALS, inProcess, inspect } from "./support/harness.ts";
import { encodeBase64 } from "../src/encoding.ts";

const bucket = "mybucket";
const customerKey = new Uint8Array(32).fill(7);
const encryption = { customerKey };

/** Every secret a test's requests carried, collected as they go out. */
class Secrets {
  readonly known = new Set<string>([
    CREDENTIALS.secretAccessKey,
    encodeBase64(customerKey),
    "hunter2",
    "s3cr3t-token",
  ]);

  /** Notes the secrets a request carries: its Authorization value, signature and SSE-C keys. */
  note(request: Request): void {
    const authorization = request.headers.get("authorization");
    if (authorization) {
      this.known.add(authorization);
      this.known.add(authorization.slice(authorization.indexOf(":") + 1));
    }
    for (const [name, value] of request.headers) {
      if (name.endsWith("-customer-key")) this.known.add(value);
    }
    const signature = new URL(request.url).searchParams.get("signature");
    if (signature) this.known.add(signature);
  }

  /** Fails if any secret shows anywhere in what was thrown. */
  async assertNoneIn(error: unknown, what: string): Promise<void> {
    assert.ok(error !== undefined, `${what}: nothing was thrown`);
    const shown = await inspect(error);
    for (const secret of this.known) {
      assert.ok(!shown.includes(secret), `${what} shows ${secret}:\n${shown}`);
    }
  }
}

/** A client whose transport notes each request's secrets, then answers as told. */
function clientOver(
  secrets: Secrets,
  answer: (request: Request) => Response | Promise<Response>,
  options: Partial<ClientOptions> = {},
): Client {
  return createClient({
    endpoint: "http://127.0.0.1:9",
    credentials: CREDENTIALS,
    retry: { maxAttempts: 2, baseDelay: 1 },
    fetch: (request) => {
      secrets.note(request);
      return Promise.resolve().then(() => answer(request));
    },
    ...options,
  });
}

/** An error such as some transports throw: the request kept, and quoted, all the way down. */
function leakyError(request: Request): Error {
  const headers = JSON.stringify(Object.fromEntries(request.headers));
  return Object.assign(new TypeError(`fetch failed: ${headers}`), {
    code: "ECONNRESET",
    request,
    headers: Object.fromEntries(request.headers),
    cause: Object.assign(new Error(`socket hang up after ${headers}`), { request, code: "EPIPE" }),
  });
}

/** Calls `make` and returns what it threw. */
async function thrown(make: () => unknown): Promise<unknown> {
  try {
    await make();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("no secret in any error", () => {
  it("an endpoint that does not parse is shown without its user and password", async () => {
    const secrets = new Secrets();
    const error = await thrown(() => createClient({ endpoint: "https://user:hunter2@[::bad/" }));
    assert.ok(error instanceof ValidationError, String(error));
    assert.equal(error.parameter, "endpoint");
    assert.match(error.message, /received "\[::bad\/"/);
    await secrets.assertNoneIn(error, "an unparsable endpoint");
  });

  it("an endpoint is shown without its query", async () => {
    const secrets = new Secrets();
    for (
      const endpoint of [
        "https://proxy.example/?token=s3cr3t-token",
        "https://proxy.example/#s3cr3t-token",
        "https://proxy.example/?token=s3cr3t-token&a=[",
        "http s://proxy.example/?token=s3cr3t-token",
      ]
    ) {
      const error = await thrown(() => createClient({ endpoint }));
      assert.ok(error instanceof ValidationError, `${endpoint}: ${error}`);
      await secrets.assertNoneIn(error, endpoint);
    }
  });

  it("a transport's error that holds the Request is reduced to name, message and code", async () => {
    const secrets = new Secrets();
    const client = clientOver(secrets, (request) => Promise.reject(leakyError(request)));
    const error = await thrown(() =>
      initiateMultipartUpload(client, { bucket, key: "k", encryption })
    );
    assert.ok(error instanceof QingStorError, String(error));
    const cause = error.cause as Error & { code?: string; cause?: Error & { code?: string } };
    assert.equal(cause.name, "TypeError");
    assert.equal(cause.code, "ECONNRESET");
    assert.match(cause.message, /^fetch failed: /);
    assert.equal(cause.cause?.code, "EPIPE", "causes are kept, reduced too");
    assert.ok(!("request" in cause) && !("headers" in cause));
    assert.ok(secrets.known.size > 5, "signatures were seen");
    await secrets.assertNoneIn(error, "a leaky transport error");
  });

  it("none shows in any of many failure kinds", async () => {
    const secrets = new Secrets();
    const echo = (request: Request) => JSON.stringify(Object.fromEntries(request.headers));
    const errors: [string, unknown][] = [];
    const collect = async (what: string, make: () => unknown) => {
      const error = await thrown(make);
      assert.ok(error !== undefined, `${what}: nothing was thrown`);
      errors.push([what, error]);
    };
    const initiate = (client: Client) =>
      initiateMultipartUpload(client, { bucket, key: "k", encryption });

    await collect(
      "a transport that rejects with the request",
      () => initiate(clientOver(secrets, (request) => Promise.reject(leakyError(request)))),
    );
    await collect("a transport that throws at once", () =>
      initiate(
        clientOver(secrets, (request) => {
          throw leakyError(request);
        }),
      ));
    await collect(
      "a proxy's error page that quotes the headers",
      () =>
        initiate(clientOver(secrets, (request) =>
          new Response(`<html>${echo(request)}</html>`, {
            status: 502,
          }))),
    );
    await collect(
      "a JSON error that quotes the headers, in its message and url",
      () =>
        initiate(clientOver(secrets, (request) =>
          Response.json({
            code: "signature_not_matched",
            message: echo(request),
            url: `https://docs.example/?sent=${request.headers.get("authorization")}`,
          }, { status: 401 }))),
    );
    await collect(
      "a success whose body is not JSON and quotes the headers",
      () =>
        initiate(clientOver(secrets, (request) => new Response(echo(request), { status: 200 }))),
    );
    await collect("no answer within the timeout", () =>
      initiate(
        clientOver(secrets, (request) =>
          new Promise((_, reject) =>
            request.signal.addEventListener("abort", () =>
              reject(leakyError(request)))
          ), { timeout: 20 }),
      ));
    await collect(
      "credentials not obtained within the timeout",
      () =>
        initiate(clientOver(secrets, () => new Response(null), {
          credentials: () => new Promise(() => {}),
          timeout: 20,
        })),
    );

    const { emulator, client } = inProcess({ minPartSize: 1024 });
    const noting = (options: Partial<ClientOptions> = {}) =>
      createClient({
        endpoint: "http://localhost",
        credentials: CREDENTIALS,
        retry: { maxAttempts: 2, baseDelay: 1 },
        fetch: (request) => (secrets.note(request), emulator.fetch(request)),
        ...options,
      });
    await collect("a wrong secret key", () =>
      initiate(noting({
        credentials: { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: "hunter2" },
      })));
    await collect("an SSE-C key of the wrong length", () =>
      initiateMultipartUpload(noting(), {
        bucket,
        key: "k",
        encryption: { customerKey: encodeBase64(customerKey).slice(4) },
      }));
    const { uploadId } = await initiateMultipartUpload(client, { bucket, key: "k", encryption });
    await collect(
      "a part without its SSE-C key",
      () =>
        uploadPart(noting(), {
          bucket,
          key: "k",
          uploadId,
          partNumber: 0,
          body: new Uint8Array(9),
        }),
    );
    await collect(
      "a complete whose answer is lost, the request kept",
      () =>
        completeMultipartUpload(
          clientOver(secrets, (request) => Promise.reject(leakyError(request))),
          { bucket, key: "k", uploadId, parts: [{ partNumber: 0 }], encryption },
        ),
    );
    // upload(): a part refused with a page quoting the headers, then an abort that fails alike.
    await collect("upload() whose part and abort fail, quoting the headers", () =>
      upload(
        clientOver(secrets, (request) => {
          if (request.method == "PUT" || request.method == "DELETE") {
            return new Response(`<pre>${echo(request)}</pre>`, { status: 403 });
          }
          return emulator.fetch(request);
        }, { endpoint: "http://localhost" }),
        {
          bucket,
          key: "u",
          body: new Uint8Array(3000),
          partSize: 1024,
          minPartSize: 1024,
          encryption,
        },
      ));
    // upload() in one PUT, refused with a page quoting the headers, its key among them.
    await collect("upload() whose single PUT fails, quoting the headers", () =>
      upload(
        clientOver(secrets, (request) =>
          new Response(`<pre>${echo(request)}</pre>`, { status: 403 }), {
          endpoint: "http://localhost",
        }),
        { bucket, key: "small", body: new Uint8Array(10), encryption },
      ));
    // The clean-up's errors: an initiate answer lost, the listing and the aborts refused with pages
    // that quote the headers; and syncClock's own.
    const echoing = (request: Request) => {
      if (request.method == "GET" || request.method == "DELETE") {
        return new Response(`<pre>${echo(request)}</pre>`, { status: 403 });
      }
      return emulator.fetch(request);
    };
    emulator.faults.push({ operations: ["initiateMultipartUpload"], drop: "after-handling" });
    await collect(
      "upload() whose initiate failed and whose clean-up failed",
      () =>
        upload(clientOver(secrets, echoing, { endpoint: "http://localhost" }), {
          bucket,
          key: "lost",
          body: new Uint8Array(2000),
          partSize: 1024,
          minPartSize: 1024,
          encryption,
        }),
    );
    emulator.faults.length = 0;
    emulator.faults.push({
      operations: ["initiateMultipartUpload"],
      drop: "after-handling",
      times: 1,
    });
    const partly = await upload(clientOver(secrets, echoing, { endpoint: "http://localhost" }), {
      bucket,
      key: "lost2",
      body: new Uint8Array(2000),
      partSize: 1024,
      minPartSize: 1024,
      encryption,
    });
    errors.push(["a successful upload() whose clean-up failed", partly.cleanupError]);
    assert.ok(errors.at(-2)![1] instanceof LeftoverUploadsError, String(errors.at(-2)![1]));
    assert.ok(partly.cleanupError instanceof LeftoverUploadsError);
    await collect(
      "syncClock over a leaky transport",
      () => syncClock(clientOver(secrets, (request) => Promise.reject(leakyError(request)))),
    );

    const presigned = await presign(noting(), {
      method: "PUT",
      bucket,
      key: "k",
      query: { part_number: 0, upload_id: uploadId },
      expiresIn: 60,
    });
    secrets.note(new Request(presigned));
    await collect(
      "a presigned URL given as an endpoint",
      () => createClient({ endpoint: presigned }),
    );
    await collect(
      "a presign refused after one was made",
      () => presign(noting(), { method: "PUT", bucket, key: "k", expiresIn: 0 }),
    );

    assert.ok(errors.length >= 17);
    for (const [what, error] of errors) await secrets.assertNoneIn(error, what);
  });
});
