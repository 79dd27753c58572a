/** `qingstor-multipart presign` and `emulator`. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { completeMultipartUpload, initiateMultipartUpload } from "../mod.ts";
import { DEVELOPMENT_CREDENTIALS } from "../src/testing/mod.ts";
import { testBytes } from "./support/bytes.ts";
import {
  bucket,
  cliSandbox,
  credentialsOf,
  PART,
  serve,
  signal,
  SMALL,
  TIMEOUT,
} from "./support/cli.ts";
import { CREDENTIALS } from "./support/harness.ts";

const { cli, file, start } = cliSandbox();

describe("qingstor-multipart presign", TIMEOUT, () => {
  it(
    "prints URLs that plain fetch can PUT a part to and GET the object from",
    TIMEOUT,
    async () => {
      const service = await serve();
      try {
        const target = { bucket, key: "shared/file 1.bin" };
        const { uploadId } = await initiateMultipartUpload(service.client, target);
        const put = await cli([
          "presign",
          "put",
          `${bucket}/${target.key}`,
          "--query",
          "part_number=0",
          "--query",
          `upload_id=${uploadId}`,
          "--expires",
          "600",
        ], service.env);
        assert.equal(put.code, 0, put.stderr);
        const url = put.stdout.trim();
        assert.match(
          url,
          /^http:\/\/127\.0\.0\.1:\d+\/mybucket\/shared\/file%201\.bin\?.*signature=/,
        );
        assert.doesNotMatch(url, new RegExp(CREDENTIALS.secretAccessKey));
        const data = testBytes(3000, 13);
        const response = await fetch(url, { method: "PUT", body: data });
        assert.equal(response.status, 201, await response.text());
        // The part is there under that upload: complete it, then read the object by a GET URL.
        await completeMultipartUpload(service.client, {
          ...target,
          uploadId,
          parts: [{ partNumber: 0 }],
        });
        const get = await cli(["presign", "GET", `${bucket}/${target.key}`], service.env);
        // A query parameter by any name, __proto__ included, is signed into the URL.
        const odd = await cli(
          ["presign", "GET", `${bucket}/${target.key}`, "--query", "__proto__=x"],
          service.env,
        );
        assert.equal(odd.code, 0, odd.stderr);
        assert.equal(new URL(odd.stdout.trim()).searchParams.get("__proto__"), "x");
        assert.equal(get.code, 0, get.stderr);
        const object = await fetch(get.stdout.trim());
        assert.equal(object.status, 200);
        assert.deepEqual(new Uint8Array(await object.arrayBuffer()), data);
      } finally {
        await service.close();
      }
    },
  );
});

describe("qingstor-multipart emulator", TIMEOUT, () => {
  it(
    "prints its address first, then the development key pair, which an upload can use",
    TIMEOUT,
    async () => {
      const emulator = start([
        "emulator",
        "--min-part-size",
        "1KiB",
        "--public-bucket",
        "open-bucket",
      ]);
      try {
        await emulator.untilStdout(/^(.*\n){4}/);
        const printed = emulator.stdout().split("\n");
        const address = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(printed[0])?.[1];
        assert.ok(address, printed[0]);
        assert.deepEqual(printed.slice(1, 4), [
          `QINGSTOR_ACCESS_KEY_ID=${DEVELOPMENT_CREDENTIALS.accessKeyId}`,
          `QINGSTOR_SECRET_ACCESS_KEY=${DEVELOPMENT_CREDENTIALS.secretAccessKey}`,
          `QINGSTOR_ENDPOINT=${address}`,
        ]);
        const variables = Object.fromEntries(printed.slice(1, 4).map((line) => line.split("=")));
        const data = testBytes(3 * PART + 1, 14);
        const uploaded = await cli(
          ["upload", file("dev.bin", data), `${bucket}/dev.bin`, ...SMALL],
          variables,
        );
        assert.equal(uploaded.code, 0, uploaded.stderr);
        assert.match(uploaded.stdout, /4 parts/);
        // Read back through a presigned URL: the bytes are the file's.
        const url = await cli(["presign", "GET", `${bucket}/dev.bin`], variables);
        const response = await fetch(url.stdout.trim());
        assert.deepEqual(new Uint8Array(await response.arrayBuffer()), data);
        // The public bucket takes anonymous writes.
        const anonymous = await cli([
          "upload",
          file("anon.txt", data.subarray(0, 10)),
          "open-bucket/anon.txt",
        ], { QINGSTOR_ENDPOINT: address });
        assert.equal(anonymous.code, 0, anonymous.stderr);

        signal(emulator, "SIGTERM");
        assert.equal(await emulator.exit, 0);
        await assert.rejects(fetch(address));
      } finally {
        emulator.child.kill("SIGKILL");
      }
    },
  );

  it("stops on SIGINT with exit 0, and does not echo a key pair given to it", TIMEOUT, async () => {
    const emulator = start([
      "emulator",
      "--access-key-id",
      CREDENTIALS.accessKeyId,
      "--secret-access-key",
      CREDENTIALS.secretAccessKey,
    ]);
    try {
      const [, address] = await emulator.untilStdout(
        /^listening on (\S+)\nQINGSTOR_ENDPOINT=\S+\n/,
      );
      assert.ok(!emulator.stdout().includes(CREDENTIALS.secretAccessKey));
      const listed = await cli(["list", bucket], {
        QINGSTOR_ENDPOINT: address,
        ...credentialsOf(CREDENTIALS),
      });
      assert.equal(listed.code, 0, listed.stderr);
      signal(emulator, "SIGINT");
      assert.equal(await emulator.exit, 0);
    } finally {
      emulator.child.kill("SIGKILL");
    }
  });

  it("stops on SIGHUP with exit 0, as on Ctrl-C: stopping is how it ends", TIMEOUT, async () => {
    const emulator = start(["emulator"]);
    try {
      await emulator.untilStdout(/^listening on /);
      signal(emulator, "SIGHUP");
      assert.equal(await emulator.exit, 0);
      assert.match(emulator.stderr(), /^hung up \(SIGHUP\): stopping the emulator$/m);
    } finally {
      emulator.child.kill("SIGKILL");
    }
  });
});
