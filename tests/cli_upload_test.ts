/** `qingstor-multipart upload`: files and stdin, what is sent, and failures reported. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { truncateSync } from "node:fs";
import process from "node:process";
import { nativeMd5, testBytes } from "./support/bytes.ts";
import {
  bucket,
  cliSandbox,
  hasRawControl,
  PART,
  serve,
  SMALL,
  stored,
  TIMEOUT,
} from "./support/cli.ts";

const { cli, file, start } = cliSandbox();

describe("qingstor-multipart upload", TIMEOUT, () => {
  it(
    "uploads a file byte-exact, with progress lines on a pipe and one line on stdout",
    TIMEOUT,
    async () => {
      const service = await serve();
      try {
        const data = testBytes(5 * PART + 123, 7);
        const path = file("photo.png", data);
        const { code, stdout, stderr } = await cli(
          ["upload", path, `${bucket}/photos/photo 1.png`, ...SMALL],
          service.env,
        );
        assert.equal(code, 0, stderr);
        const object = stored(service.emulator, "photos/photo 1.png");
        assert.equal(object.size, data.length);
        assert.equal(object.md5, nativeMd5(data));
        assert.deepEqual(object.data, data);
        const uploadId = /^started upload id (\w+)$/m.exec(stderr)?.[1];
        assert.ok(uploadId, stderr);
        assert.equal(
          stdout,
          `uploaded ${bucket}/photos/photo 1.png: ${data.length} bytes, 6 parts, upload id ${uploadId}\n`,
        );
        // A pipe gets whole lines, no redraws, and the last one shows it all.
        assert.ok(!stderr.includes("\r") && !stderr.includes("\x1b"), stderr);
        assert.match(
          stderr.trimEnd().split("\n").at(-1)!,
          /^80\.1 KiB \/ 80\.1 KiB {2}100% .* parts 6\/6$/,
        );
        // By extension, as nothing else was said.
        assert.equal(object.contentType, "image/png");
      } finally {
        await service.close();
      }
    },
  );

  it("uploads stdin with -, of unknown size and with no content type", TIMEOUT, async () => {
    const service = await serve();
    try {
      const data = testBytes(3 * PART + 5, 8);
      const running = start(["upload", "-", `${bucket}/piped.bin`, ...SMALL], service.env, {
        stdin: "pipe",
      });
      running.child.stdin!.end(data);
      assert.equal(await running.exit, 0, running.stderr());
      const object = stored(service.emulator, "piped.bin");
      assert.deepEqual(object.data, data);
      assert.equal(object.contentType, undefined);
      assert.match(running.stdout(), /^uploaded mybucket\/piped\.bin: 49157 bytes, 4 parts/);
      assert.match(running.stderr(), /^48\.0 KiB {2}.*parts 4$/m);
    } finally {
      await service.close();
    }
  });

  it(
    "sends --meta, --content-type and --storage-class, with a type by extension otherwise",
    TIMEOUT,
    async () => {
      const service = await serve();
      try {
        const data = testBytes(100, 9);
        const explicit = await cli([
          "upload",
          file("report.json", data),
          `${bucket}/report`,
          "--meta",
          "owner=alice",
          "--meta",
          "note=a=b",
          "--storage-class",
          "STANDARD_IA",
          "--content-type",
          "application/x-report",
        ], service.env);
        assert.equal(explicit.code, 0, explicit.stderr);
        const object = stored(service.emulator, "report");
        assert.deepEqual(object.metadata, { owner: "alice", note: "a=b" });
        assert.equal(object.storageClass, "STANDARD_IA");
        assert.equal(object.contentType, "application/x-report");
        for (
          const [name, type] of [
            ["data.JSON", "application/json"],
            ["page.html", "text/html"],
            ["clip.mp4", "video/mp4"],
            ["archive.tar.gz", "application/gzip"],
            ["no-extension", "application/octet-stream"],
          ]
        ) {
          const result = await cli(["upload", file(name, data), `${bucket}/${name}`], service.env);
          assert.equal(result.code, 0, result.stderr);
          assert.equal(stored(service.emulator, name).contentType, type, name);
          assert.equal(stored(service.emulator, name).storageClass, "STANDARD");
        }
      } finally {
        await service.close();
      }
    },
  );

  it(
    "takes files named x.constructor or x.__proto__, and --meta __proto__=x, as any other",
    TIMEOUT,
    async () => {
      const service = await serve();
      try {
        for (const name of ["x.constructor", "x.__proto__"]) {
          const result = await cli(
            ["upload", file(name, testBytes(10)), `${bucket}/${name}`, "--meta", "__proto__=v"],
            service.env,
          );
          assert.equal(result.code, 0, result.stderr);
          assert.equal(stored(service.emulator, name).contentType, "application/octet-stream");
          // Small: sent in one PUT, which carries the metadata.
          const put = service.seen.findLast(({ request }) => request.method == "PUT")!;
          assert.equal(put.request.headers.get("x-qs-meta-__proto__"), "v");
        }
      } finally {
        await service.close();
      }
    },
  );

  it(
    "reports a failed part on one line with its code and request id, and exits 1",
    TIMEOUT,
    async () => {
      const service = await serve({ faults: [{ operations: ["uploadPart"], status: 403 }] });
      try {
        const { code, stderr } = await cli(
          ["upload", file("refused.bin", testBytes(2 * PART)), `${bucket}/refused.bin`, ...SMALL],
          service.env,
        );
        assert.equal(code, 1);
        const [first] = stderr.split("\n").filter((line) => line.startsWith("qingstor-multipart:"));
        assert.match(
          first,
          /Uploading refused\.bin failed: uploadPart failed with 403 permission_denied: .*\(request id \w+\)$/,
        );
        assert.match(stderr, /upload \w+ aborted on the service/);
        assert.equal(service.emulator.state.uploads.size, 0);
      } finally {
        await service.close();
      }
    },
  );
  it(
    "reads a file part by part: a 512 MiB file never has its size in memory",
    TIMEOUT,
    async (t) => {
      // Peak RSS as Linux counts it, read by a child (the test runtimes may not read /proc).
      const peak = (pid: number) => {
        const status = spawnSync("cat", [`/proc/${pid}/status`], { encoding: "utf8" });
        const kib = /^VmHWM:\s*(\d+) kB$/m.exec(status.stdout ?? "")?.[1];
        return kib === undefined ? undefined : Number(kib) * 1024;
      };
      if (peak(process.pid) === undefined) return t.skip("no /proc/<pid>/status here");
      // Digest storage keeps no bytes, so the test process holds none either.
      const service = await serve({ storage: "digest" });
      const size = 512 * 2 ** 20;
      const path = file("sparse.bin", new Uint8Array(0));
      truncateSync(path, size);
      // Complete waits until the child's peak is read: every part has been read and sent by then.
      service.hold((url, request) => request.method == "POST" && url.searchParams.has("upload_id"));
      const running = start(["upload", path, `${bucket}/sparse.bin`], service.env);
      try {
        await service.until(({ request, status }) => request.method == "POST" && status == 0);
        const rss = peak(running.child.pid!);
        assert.ok(rss !== undefined && rss < size, `peak RSS ${rss} bytes for a ${size}-byte file`);
        service.release();
        assert.equal(await running.exit, 0, running.stderr());
        assert.equal(stored(service.emulator, "sparse.bin").size, size);
      } finally {
        running.child.kill("SIGKILL");
        await service.close();
      }
    },
  );

  it(
    "prints the command that aborts an upload it could not abort, with -- before a key that starts with -",
    TIMEOUT,
    async () => {
      const service = await serve({
        faults: [
          { operations: ["uploadPart"], status: 403 },
          { operations: ["abortMultipartUpload"], status: 403, times: 1 },
        ],
      });
      try {
        const failed = await cli(
          ["upload", ...SMALL, "--", file("dash.bin", testBytes(2 * PART)), `${bucket}/-dash`],
          service.env,
        );
        assert.equal(failed.code, 1, failed.stderr);
        const [upload] = service.emulator.state.uploads.values();
        assert.match(
          failed.stderr,
          /^qingstor-multipart: upload \w+ could not be aborted; abort it with:$/m,
        );
        const command = /^qingstor-multipart abort .*$/m.exec(failed.stderr)![0];
        assert.equal(command, `qingstor-multipart abort -- ${bucket} -dash ${upload.uploadId}`);
        const [, ...args] = command.split(" ");
        const aborted = await cli(args, service.env);
        assert.equal(aborted.code, 0, aborted.stderr);
        assert.equal(service.emulator.state.uploads.size, 0);
      } finally {
        await service.close();
      }
    },
  );

  it(
    "shows a key with control characters JSON-quoted in its messages, each on one line",
    TIMEOUT,
    async () => {
      const service = await serve({
        faults: [{ operations: ["uploadPart"], status: 403, times: 1 }],
      });
      try {
        const evil = "evil\x1b[2J\rkey\nsecond line";
        const quoted = JSON.stringify(`${bucket}/${evil}`);
        const path = file("evil.bin", testBytes(2 * PART));
        // The first upload's part is refused: the failure and the clean-up name the key.
        const failed = await cli(["upload", path, `${bucket}/${evil}`, ...SMALL], service.env);
        assert.equal(failed.code, 1, failed.stderr);
        assert.ok(!hasRawControl(failed.stdout + failed.stderr), failed.stderr);
        assert.match(
          failed.stderr,
          /^qingstor-multipart: Uploading evil\\u001b\[2J\\rkey\\nsecond line failed: /m,
        );
        const uploaded = await cli(["upload", path, `${bucket}/${evil}`, ...SMALL], service.env);
        assert.equal(uploaded.code, 0, uploaded.stderr);
        assert.ok(!hasRawControl(uploaded.stdout + uploaded.stderr), uploaded.stderr);
        assert.match(
          uploaded.stdout,
          new RegExp(`^uploaded ${escape(quoted)}: ${2 * PART} bytes, 2 parts, upload id \\w+\\n$`),
        );
        assert.deepEqual(stored(service.emulator, evil).size, 2 * PART);
        // A file that fits in one part goes in one PUT, and says so.
        const small = await cli(
          ["upload", file("small.bin", testBytes(100)), `${bucket}/${evil}`],
          service.env,
        );
        assert.equal(small.code, 0, small.stderr);
        assert.match(
          small.stdout,
          new RegExp(`^uploaded ${escape(quoted)}: 100 bytes, in one PUT\\n$`),
        );
      } finally {
        await service.close();
      }
    },
  );
});

/** A string as a regular expression that matches it. */
function escape(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
}

describe("qingstor-multipart upload, when complete's outcome is unknown", TIMEOUT, () => {
  it("says the object may exist, and neither aborts nor offers to", TIMEOUT, async () => {
    const service = await serve({
      faults: [{ operations: ["completeMultipartUpload"], status: 500 }],
    });
    try {
      const { code, stderr } = await cli(
        ["upload", file("unknown.bin", testBytes(2 * PART)), `${bucket}/unknown.bin`, ...SMALL],
        service.env,
      );
      assert.equal(code, 1, stderr);
      assert.match(stderr, /^qingstor-multipart: Completing unknown\.bin may have succeeded: /m);
      assert.match(stderr, /^qingstor-multipart: mybucket\/unknown\.bin may exist now; check /m);
      assert.doesNotMatch(stderr, /abort it with|resume it with/);
      assert.ok(!service.seen.some(({ request }) => request.method == "DELETE"));
    } finally {
      await service.close();
    }
  });
});
