import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type Client,
  createClient,
  initiateMultipartUpload,
  type InitiateMultipartUploadInput,
  ValidationError,
} from "../mod.ts";
import { CREDENTIALS, inspect, requestCountingFetch } from "./support/harness.ts";

/** Expects a ValidationError naming `parameter`, with nothing sent. */
async function rejects(
  input: Partial<InitiateMultipartUploadInput>,
  parameter: string,
  pattern: RegExp,
  client?: Client,
) {
  const counter = requestCountingFetch();
  const target = client ??
    createClient({ zone: "pek3a", credentials: CREDENTIALS, fetch: counter.fetch });
  const error = await initiateMultipartUpload(target, { bucket: "mybucket", key: "k", ...input })
    .catch((e) => e);
  assert.ok(error instanceof ValidationError, String(error));
  assert.equal(error.parameter, parameter);
  assert.match(error.message, pattern);
  assert.equal(counter.count, 0, "nothing was sent");
  return error;
}

describe("validation before sending", () => {
  it("bucket names", async () => {
    for (
      const bucket of [
        "abc",
        "a".repeat(64),
        "Bad-Bucket",
        "my_bucket",
        "-bucket",
        "bucket-",
        "192.168.10.1",
      ]
    ) {
      await rejects({ bucket }, "bucket", /Bucket name must be 6 to 63 .*received "/);
    }
  });

  it("empty key", async () => {
    await rejects({ key: "" }, "key", /Key must be non-empty Unicode text, received ""/);
    await rejects({ key: 7 as unknown as string }, "key", /non-empty Unicode text, received 7/);
  });

  it("key over 1023 UTF-8 bytes", async () => {
    await rejects({ key: "a".repeat(1024) }, "key", /at most 1023 UTF-8 bytes, received 1024/);
    await rejects({ key: "中".repeat(342) }, "key", /at most 1023 UTF-8 bytes, received 1026/);
  });

  it("dot segments", async () => {
    for (const key of [".", "..", "a/./b", "../x", "x/..", "a/../b"]) {
      await rejects({ key }, "key", /nor have a "\." or "\.\." segment, received/);
    }
  });

  it("leading slash", async () => {
    await rejects({ key: "/a" }, "key", /must not start with "\/" .*, received "\/a"/);
  });

  it("lone surrogate", async () => {
    await rejects({ key: "a\ud800b" }, "key", /non-empty Unicode text/);
  });

  it("storage class", async () => {
    await rejects(
      { storageClass: "GLACIER" as "STANDARD" },
      "storageClass",
      /Storage class must be "STANDARD" or "STANDARD_IA", received "GLACIER"/,
    );
  });

  it("content type longer than 255 characters or not ASCII", async () => {
    await rejects(
      { contentType: "a/" + "b".repeat(254) },
      "contentType",
      /1 to 255 printable ASCII/,
    );
    await rejects({ contentType: "text/plain; name=ü" }, "contentType", /printable ASCII/);
  });

  it("metadata names, values and total size", async () => {
    await rejects(
      { metadata: { "bad name": "v" } },
      "metadata",
      /Metadata names must be .*received "bad name"/,
    );
    await rejects({ metadata: { ["x".repeat(513)]: "v" } }, "metadata", /1 to 512 of/);
    await rejects({ metadata: { owner: "ünïcode" } }, "metadata.owner", /printable ASCII/);
    await rejects({ metadata: { owner: "line\nbreak" } }, "metadata.owner", /printable ASCII/);
    await rejects({ metadata: { owner: "" } }, "metadata.owner", /printable ASCII/);
    await rejects(
      { metadata: { Owner: "a", owner: "b" } },
      "metadata",
      /differ ignoring case, received "owner"/,
    );
    await rejects(
      { metadata: { a: "x".repeat(1500), b: "y".repeat(600) } },
      "metadata",
      /total at most 2048 bytes, received 2102/,
    );
  });

  it("SSE-C key length, without showing the key", async () => {
    const customerKey = new Uint8Array(31).fill(7);
    const error = await rejects(
      { encryption: { customerKey } },
      "encryption.customerKey",
      /must be 32 bytes .*received "31 bytes"/,
    );
    const base64Key = "c2VjcmV0LWtleS10aGF0LWlzLXRvby1zaG9ydA==";
    const second = await rejects(
      { encryption: { customerKey: base64Key } },
      "encryption.customerKey",
      /received "28 bytes"/,
    );
    assert.ok(!(await inspect(second)).includes(base64Key));
    assert.ok(!(await inspect(error)).includes("7,7,7"));
    await rejects(
      { encryption: { customerKey: "not base64!" } },
      "encryption.customerKey",
      /text that is not base64/,
    );
  });

  it("credentials from a function that returns half a key pair", async () => {
    const counter = requestCountingFetch();
    const client = createClient({
      zone: "pek3a",
      credentials: () => ({ accessKeyId: "AKID", secretAccessKey: "" }),
      fetch: counter.fetch,
    });
    await rejects({}, "credentials", /accessKeyId set, secretAccessKey missing/, client);
    assert.equal(counter.count, 0, "nothing was sent");
  });
});

describe("createClient", () => {
  const invalid = (
    options: Parameters<typeof createClient>[0],
    parameter: string,
    pattern: RegExp,
  ) => {
    const error = (() => {
      try {
        createClient(options);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(error instanceof ValidationError, String(error));
    assert.equal(error.parameter, parameter);
    assert.match(error.message, pattern);
  };

  it("needs a zone or an endpoint", () =>
    invalid({}, "zone", /Either an endpoint or a zone .* is required, received undefined/));

  it("refuses virtual-host style on an IP endpoint", () => {
    invalid(
      { endpoint: "http://127.0.0.1:9000", style: "virtual-host" },
      "style",
      /"virtual-host" with a host name rather than an IP address, received "127.0.0.1"/,
    );
    invalid(
      { endpoint: "http://[::1]:9000", style: "virtual-host" },
      "style",
      /received "\[::1\]"/,
    );
  });

  it("refuses half a key pair", () =>
    invalid(
      { zone: "pek3a", credentials: { accessKeyId: "AKID" } as never },
      "credentials",
      /accessKeyId set, secretAccessKey missing/,
    ));

  it("refuses credentials that are not strings, saying which", () =>
    invalid(
      { zone: "pek3a", credentials: { accessKeyId: 5, secretAccessKey: "s" } as never },
      "credentials",
      /non-empty strings .*received "accessKeyId missing, secretAccessKey set"/,
    ));

  it("refuses a non-http endpoint, a bad zone, an unknown style and zero attempts", () => {
    invalid({ endpoint: "ftp://example.com" }, "endpoint", /http or https/);
    invalid(
      { endpoint: "not a url" },
      "endpoint",
      /absolute http or https URL .*received "not a url"/,
    );
    // A password in the endpoint is refused and never shown.
    const error = (() => {
      try {
        createClient({ endpoint: "https://user:hunter2@proxy.example" });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    assert.ok(error instanceof ValidationError, String(error));
    assert.match(
      error.message,
      /no user, path, query or fragment .*, received "https:\/\/proxy.example\/"/,
    );
    assert.ok(!error.message.includes("hunter2"));
    invalid(
      { zone: "PEK 3a" },
      "zone",
      /zone of lowercase letters, digits and - .*received "PEK 3a"/,
    );
    invalid({ zone: "pek3a", style: "dns" as "path" }, "style", /Style must be .*received "dns"/);
    invalid(
      { zone: "pek3a", retry: { maxAttempts: 0 } },
      "retry.maxAttempts",
      /retry.maxAttempts must be a whole number of at least 1, received 0/,
    );
    invalid(
      { endpoint: "https://proxy.example/qingstor" },
      "endpoint",
      /no user, path, query or fragment .*received "https:\/\/proxy.example\/qingstor"/,
    );
    invalid(
      { zone: "pek3a", retry: { baseDelay: -1 } },
      "retry.baseDelay",
      /retry.baseDelay must be from 0 to 2147483647 ms, received -1/,
    );
    invalid({ zone: "pek3a", retry: { maxAttempts: 1.5 } }, "retry.maxAttempts", /received 1.5/);
    invalid(
      { zone: "pek3a", retry: { maxDelay: 2 ** 31 } },
      "retry.maxDelay",
      /received 2147483648/,
    );
    invalid(
      { zone: "pek3a", timeout: 0 },
      "timeout",
      /timeout must be from 1 to 2147483647 ms, received 0/,
    );
    invalid({ zone: "pek3a", timeout: "100" as unknown as number }, "timeout", /received "100"/);
    // Times need not be whole: setTimeout takes fractions.
    assert.equal(createClient({ zone: "pek3a", timeout: 1.5 }).timeout, 1.5);
  });

  it("builds the zone's endpoint and keeps the secret out of inspection", async () => {
    const client = createClient({ zone: "pek3a", credentials: CREDENTIALS });
    assert.equal(client.endpoint.href, "https://pek3a.qingstor.com/");
    assert.equal(client.style, "path");
    assert.deepEqual(client.retry, { maxAttempts: 4, baseDelay: 200, maxDelay: 20_000 });
    assert.ok(!(await inspect(client)).includes(CREDENTIALS.secretAccessKey));
  });
});
