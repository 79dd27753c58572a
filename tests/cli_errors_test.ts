/**
 * The command line's errors and settings: bad arguments (exit 2 and the usage), the library's
 * validation errors, refusals by the service (exit 1), secrets never printed, and where the
 * endpoint and credentials come from.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { initiateMultipartUpload } from "../mod.ts";
import { testBytes } from "./support/bytes.ts";
import { bucket, cliSandbox, credentialsOf, serve, TIMEOUT } from "./support/cli.ts";
import { CREDENTIALS } from "./support/harness.ts";

const { cli, file, home, scratch } = cliSandbox();

describe("qingstor-multipart arguments and errors", TIMEOUT, () => {
  // Nothing may be sent for these; the endpoint is only there to pass connection set-up.
  const offline = { QINGSTOR_ENDPOINT: "http://127.0.0.1:9", ...credentialsOf(CREDENTIALS) };
  const path = file("bad-args.txt", testBytes(10));

  it("exits 2 with one line naming the argument, then the command's usage", TIMEOUT, async () => {
    const cases: [string[], RegExp, string][] = [
      [
        ["upload", path, bucket],
        /^qingstor-multipart: <bucket>\/<key>: no key in "mybucket"/,
        "upload",
      ],
      [["upload", path], /^qingstor-multipart: missing <bucket>\/<key>$/m, "upload"],
      [
        ["upload", path, `${bucket}/k`, "--part-size", "8XB"],
        /^qingstor-multipart: --part-size: .*"8XB"/,
        "upload",
      ],
      [
        ["upload", path, `${bucket}/k`, "--meta", "novalue"],
        /^qingstor-multipart: --meta: expected name=value/,
        "upload",
      ],
      [
        ["upload", scratch, `${bucket}/k`],
        /^qingstor-multipart: <file>: \S+ is not a regular file \(use - to read stdin\)$/m,
        "upload",
      ],
      [["list", bucket, "--older-than", "7x"], /^qingstor-multipart: --older-than: .*"7x"/, "list"],
      ...["--meta=a=b", "--content-type=text/plain", "--storage-class=STANDARD"].map((
        flag,
      ): [string[], RegExp, string] => [
        ["upload", path, `${bucket}/k`, "--resume", "00000001abc", flag],
        new RegExp(`^qingstor-multipart: ${flag.split("=")[0]} cannot be used with --resume: `),
        "upload",
      ]),
      [["list", bucket, "--bogus"], /^qingstor-multipart: unknown option --bogus$/m, "list"],
      [["list", bucket, "--prefix"], /^qingstor-multipart: --prefix needs a value/, "list"],
      [
        ["list", bucket, "--endpoint", "http://127.0.0.1:9", "--zone", "pek3a"],
        /^qingstor-multipart: --endpoint and --zone cannot be used together$/m,
        "list",
      ],
      [["list", bucket, "extra"], /^qingstor-multipart: unexpected argument "extra"$/m, "list"],
      [
        ["abort", bucket],
        /^qingstor-multipart: missing <key> <uploadId>, or --older-than/,
        "abort",
      ],
      [
        ["abort", bucket, "k", "id", "--dry-run"],
        /^qingstor-multipart: --dry-run needs --older-than$/m,
        "abort",
      ],
      [
        ["presign", "FETCH", `${bucket}/k`],
        /^qingstor-multipart: <METHOD>: expected GET, PUT, POST, DELETE or HEAD, received "FETCH"$/m,
        "presign",
      ],
      [
        ["emulator", "--public-bucket", "BAD_NAME"],
        /^qingstor-multipart: --public-bucket: Bucket name must be .*"BAD_NAME"$/m,
        "emulator",
      ],
      [
        ["emulator", "--port", "70000"],
        /^qingstor-multipart: --port: expected 0 to 65535/,
        "emulator",
      ],
    ];
    await Promise.all(cases.map(async ([args, message, command]) => {
      const { code, stdout, stderr } = await cli(args, offline);
      assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
      assert.match(stderr, message, args.join(" "));
      // One line, then the usage of that command.
      assert.ok(
        stderr.split("\n")[1].startsWith(`usage: qingstor-multipart ${command} `),
        args.join(" "),
      );
      assert.equal(stdout, "");
    }));
  });

  it(
    "exits 2 on the library's validation errors, named as the user wrote them",
    TIMEOUT,
    async () => {
      const cases: [string[], RegExp, string][] = [
        [
          ["upload", path, "Bad_Bucket/k"],
          /^qingstor-multipart: <bucket>\/<key>: Bucket name must be .*"Bad_Bucket"$/,
          "upload",
        ],
        [
          ["upload", path, `${bucket}/k`, "--part-size", "1KiB"],
          /^qingstor-multipart: --part-size: Part size must be a whole number from 4194304 \(--min-part-size\) to 5000000000, received 1024$/,
          "upload",
        ],
        [
          ["upload", path, `${bucket}/k`, "--part-size", "0", "--min-part-size", "1KiB"],
          /^qingstor-multipart: --part-size: Part size must be a whole number from 1024 \(--min-part-size\) to \d+, received 0$/,
          "upload",
        ],
        [
          ["upload", path, `${bucket}/k`, "--meta", "a="],
          /^qingstor-multipart: --meta a must be 1 to 2048 printable ASCII characters, received ""$/,
          "upload",
        ],
        [
          ["upload", path, `${bucket}/k`, "--content-type", ""],
          /^qingstor-multipart: --content-type must be 1 to \d+ printable ASCII characters, received ""$/,
          "upload",
        ],
        [
          ["upload", path, `${bucket}/k`, "--storage-class", "GLACIER"],
          /^qingstor-multipart: --storage-class: /,
          "upload",
        ],
        [
          ["presign", "GET", `${bucket}/k`, "--expires", "0"],
          /^qingstor-multipart: --expires: /,
          "presign",
        ],
      ];
      await Promise.all(cases.map(async ([args, message, command]) => {
        const { code, stderr } = await cli(args, offline);
        assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
        const [line, usage] = stderr.split("\n");
        assert.match(line, message, args.join(" "));
        // No library name is left, and the usage follows, as for any argument refused.
        assert.doesNotMatch(line, /metadata|contentType|minPartSize|partSize|storageClass/);
        assert.ok(usage.startsWith(`usage: qingstor-multipart ${command} `), stderr);
      }));
    },
  );

  it(
    "prints usage and exits 0 on --help and -h, even beside a bad flag; an unknown command exits 2",
    TIMEOUT,
    async () => {
      const cases: [string[], string][] = [
        [["--help"], "usage: qingstor-multipart <command>"],
        [["-h"], "usage: qingstor-multipart <command>"],
        [["upload", "--help"], "usage: qingstor-multipart upload <file|-> <bucket>/<key>"],
        [["upload", "--bogus", "-h"], "usage: qingstor-multipart upload "],
        [["list", "-h"], "usage: qingstor-multipart list <bucket>"],
        [["abort", "--help"], "usage: qingstor-multipart abort <bucket> <key> <uploadId>"],
        [["presign", "--help"], "usage: qingstor-multipart presign <METHOD>"],
        [["emulator", "--help"], "usage: qingstor-multipart emulator "],
      ];
      await Promise.all(cases.map(async ([args, start]) => {
        const { code, stdout } = await cli(args);
        assert.equal(code, 0, args.join(" "));
        assert.ok(stdout.startsWith(start), `${args.join(" ")}: ${stdout}`);
      }));
      const version = await cli(["--version"]);
      assert.equal(version.code, 0);
      assert.match(version.stdout, /^qingstor-multipart \d+\.\d+\.\d+\S*\n$/);
      const unknown = await cli(["frobnicate"]);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /^qingstor-multipart: unknown command "frobnicate"\nusage: /);
      const none = await cli([]);
      assert.equal(none.code, 2);
      assert.match(none.stderr, /^usage: qingstor-multipart <command>/);
    },
  );

  it("exits 1, with one line and no usage, when the file cannot be read", TIMEOUT, async () => {
    const missing = join(scratch, "missing");
    const { code, stdout, stderr } = await cli(["upload", missing, `${bucket}/k`], offline);
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.match(stderr, new RegExp(`^qingstor-multipart: <file>: cannot read ${missing}: .*\n$`));
  });

  it("exits 1 with the code and request id when the service refuses", TIMEOUT, async () => {
    const service = await serve({ buckets: ["other-bucket"] });
    try {
      const { code, stdout, stderr } = await cli(
        ["abort", bucket, "key", "00000001abc"],
        service.env,
      );
      assert.equal(code, 1);
      assert.equal(stdout, "");
      const requestId = service.emulator.state.requests.at(-1)!.requestId;
      assert.equal(
        stderr,
        `qingstor-multipart: abortMultipartUpload failed with 404 bucket_not_exists: The bucket ${bucket} does not exist. (request id ${requestId})\n`,
      );
    } finally {
      await service.close();
    }
  });

  it("never prints the secret, not even with --verbose on a signature error", TIMEOUT, async () => {
    const service = await serve();
    try {
      const wrong = "wrongSecret0123456789abcdefGHIJKLMNOPQRS";
      for (const args of [["list", bucket, "--verbose"], ["upload", path, `${bucket}/k`, "-v"]]) {
        const { code, stdout, stderr } = await cli(args, {
          ...service.env,
          QINGSTOR_SECRET_ACCESS_KEY: wrong,
        });
        assert.equal(code, 1, stderr);
        const output = stdout + stderr;
        assert.ok(!output.includes(wrong), output);
        assert.ok(!output.includes(CREDENTIALS.secretAccessKey), output);
        assert.match(
          stderr,
          new RegExp(`^endpoint ${service.server.url} \\(from QINGSTOR_ENDPOINT\\)$`, "m"),
        );
        assert.match(
          stderr,
          new RegExp(`^access key id ${CREDENTIALS.accessKeyId} \\(from environment\\)$`, "m"),
        );
        assert.match(stderr, /^\w+ (GET|POST|PUT) \/mybucket\S* → 401 \(request id \w+\)$/m);
        assert.match(
          stderr,
          /^qingstor-multipart: \w+ failed with 401 signature_not_matched: .*\(request id \w+\)$/m,
        );
      }
    } finally {
      await service.close();
    }
  });
});

describe("qingstor-multipart connection settings", TIMEOUT, () => {
  it(
    "reads HOME/.qingstor/config.yaml, under the environment, under the flags",
    TIMEOUT,
    async () => {
      const service = await serve();
      const folder = join(home, ".qingstor");
      mkdirSync(folder, { recursive: true });
      try {
        const { port } = service.server;
        writeFileSync(
          join(folder, "config.yaml"),
          [
            "# written by hand",
            `access_key_id: '${CREDENTIALS.accessKeyId}'`,
            `secret_access_key: "${CREDENTIALS.secretAccessKey}"  # quoted`,
            "host: 127.0.0.1",
            `port: ${port}`,
            "protocol: http",
            "zone: pek3a",
            "connection_retries: 3",
          ].join("\n"),
        );
        await initiateMultipartUpload(service.client, { bucket, key: "configured" });
        const fromFile = await cli(["list", bucket, "-v"]);
        assert.equal(fromFile.code, 0, fromFile.stderr);
        assert.match(fromFile.stdout, /configured$/m);
        assert.match(
          fromFile.stderr,
          new RegExp(`access key id \\w+ \\(from ${folder}/config\\.yaml\\)`),
        );

        // The environment's key pair wins over the file's: a wrong one is refused.
        const fromEnv = await cli(["list", bucket], {
          QINGSTOR_ACCESS_KEY_ID: "SOMEBODYELSE00000000",
          QINGSTOR_SECRET_ACCESS_KEY: "x".repeat(40),
        });
        assert.equal(fromEnv.code, 1);
        assert.match(fromEnv.stderr, /invalid_access_key_id/);

        // A flag wins over the environment, which wins over the file.
        const unreachable = { QINGSTOR_ENDPOINT: "http://127.0.0.1:9" };
        const flagged = await cli(["list", bucket, "--endpoint", service.server.url], unreachable);
        assert.equal(flagged.code, 0, flagged.stderr);
        const envEndpoint = await cli(["list", bucket, "-v"], {
          QINGSTOR_ENDPOINT: service.server.url,
        });
        assert.match(envEndpoint.stderr, /from QINGSTOR_ENDPOINT/);

        // --config names another file; one that is missing is an error.
        const elsewhere = join(scratch, "other.yaml");
        writeFileSync(elsewhere, `host: "127.0.0.1"\nport: ${port}\nprotocol: http\n`);
        const anonymous = await cli(["list", bucket, "--config", elsewhere, "-v"]);
        assert.equal(anonymous.code, 1);
        assert.match(anonymous.stderr, /no credentials: requests are anonymous/);
        assert.match(anonymous.stderr, /permission_denied/);
        const missing = await cli(["list", bucket, "--config", join(scratch, "nope.yaml")]);
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /^qingstor-multipart: --config: cannot read /);

        // A port in host, with a zone, as some write it: no zone goes in front of an address.
        const portInHost = join(scratch, "port-in-host.yaml");
        writeFileSync(portInHost, `host: 127.0.0.1:${port}\nprotocol: http\nzone: pek3a\n`);
        const withPort = await cli(["list", bucket, "--config", portInHost], service.env);
        assert.equal(withPort.code, 0, withPort.stderr);
        // The official tools' default host, with no zone, names no bucket's endpoint.
        const official = join(scratch, "official.yaml");
        writeFileSync(official, "host: qingstor.com\nport: 443\nprotocol: https\n");
        const noZone = await cli(["list", bucket, "--config", official]);
        assert.equal(noZone.code, 2);
        assert.match(
          noZone.stderr,
          /^qingstor-multipart: host qingstor\.com in \S+official\.yaml needs the bucket's zone: give --zone/,
        );
        // --config names the file consulted in "no endpoint".
        const empty = join(scratch, "empty.yaml");
        writeFileSync(empty, "# nothing\n");
        const nowhere = await cli(["list", bucket, "--config", empty]);
        assert.equal(nowhere.code, 2);
        assert.match(nowhere.stderr, /put host or zone in \S+empty\.yaml\n/);
      } finally {
        rmSync(folder, { recursive: true, force: true });
        await service.close();
      }
    },
  );

  it(
    "needs the default config file only if it is needed: unreadable, it is an error or a warning",
    TIMEOUT,
    async () => {
      const service = await serve();
      // A folder where the file would be: it exists, but cannot be read.
      const folder = join(home, ".qingstor", "config.yaml");
      mkdirSync(folder, { recursive: true });
      try {
        const listed = await cli(["list", bucket], service.env);
        assert.equal(listed.code, 0, listed.stderr);
        assert.equal(listed.stderr, "no uploads in progress\n");
        // Only the credentials could have come from it: a warning, then anonymous requests.
        const anonymous = await cli(["list", bucket], { QINGSTOR_ENDPOINT: service.server.url });
        assert.equal(anonymous.code, 1);
        assert.match(
          anonymous.stderr,
          /^qingstor-multipart: cannot read \S+config\.yaml: .*; without its credentials, requests are anonymous$/m,
        );
        assert.match(anonymous.stderr, /permission_denied/);
        // The endpoint had to come from it.
        const nowhere = await cli(["list", bucket]);
        assert.equal(nowhere.code, 2);
        assert.match(
          nowhere.stderr,
          /^qingstor-multipart: no endpoint: .* put host or zone in \S+\.qingstor\/config\.yaml \(which cannot be read: /,
        );
      } finally {
        rmSync(join(home, ".qingstor"), { recursive: true, force: true });
        await service.close();
      }
    },
  );

  it(
    "says where a bad endpoint came from, and that half a key pair is missing",
    TIMEOUT,
    async () => {
      const badEndpoint = await cli(["list", bucket], { QINGSTOR_ENDPOINT: "ftp://example" });
      assert.equal(badEndpoint.code, 2);
      assert.match(badEndpoint.stderr, /^qingstor-multipart: QINGSTOR_ENDPOINT: Endpoint must be/);
      const half = await cli(["list", bucket, "--zone", "pek3a"], {
        QINGSTOR_ACCESS_KEY_ID: "AKID",
      });
      assert.equal(half.code, 2);
      assert.match(
        half.stderr,
        /^qingstor-multipart: QINGSTOR_SECRET_ACCESS_KEY is missing, QINGSTOR_ACCESS_KEY_ID is set$/m,
      );
      const nowhere = await cli(["list", bucket]);
      assert.equal(nowhere.code, 2);
      assert.match(nowhere.stderr, /^qingstor-multipart: no endpoint: /);
    },
  );
});
