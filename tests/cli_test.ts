/**
 * The command line, run as a child process of whichever runtime runs these tests (Deno, Bun, or
 * Node on the tsc build), against the emulator served over HTTP on 127.0.0.1 by this process.
 * Phases are reached by events (a request answered, a line printed), never by sleeping.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { completeMultipartUpload, createClient, initiateMultipartUpload } from "../mod.ts";
import {
  createEmulator,
  DEVELOPMENT_CREDENTIALS,
  type Emulator,
  type EmulatorOptions,
  serveEmulator,
} from "../src/testing/mod.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";
import { CREDENTIALS } from "./support/harness.ts";

/** The CLI under the runtime running this file; the working directory is the repository root. */
const CLI = "Deno" in globalThis
  ? [process.execPath, "run", "-A", "src/cli/main.ts"]
  : process.versions.bun
  ? [process.execPath, "src/cli/main.ts"]
  : [process.execPath, "build/node/src/cli/main.js"];

const TIMEOUT = { timeout: 60_000 };
const bucket = "mybucket";
/** Small parts, so that a few KiB make several; the emulator is told to accept them. */
const SMALL = ["--part-size", "16KiB", "--min-part-size", "1KiB"];
const PART = 16 * 1024;

const scratch = mkdtempSync(join(tmpdir(), "qingstor-cli-test-"));
/** A HOME with no config file, unless a test writes one: the user's own never leaks in. */
const home = join(scratch, "home");
mkdirSync(home);
const children = new Set<ChildProcess>();

/**
 * Signals a child by its pid: Deno's node:child_process reports an exit after `child.kill()` as
 * death by that signal, whatever the code the child exited with, which is what is tested here.
 */
function signal(running: Running, name: "SIGINT" | "SIGTERM"): void {
  process.kill(running.child.pid!, name);
}

after(() => {
  for (const child of children) child.kill("SIGKILL");
  rmSync(scratch, { recursive: true, force: true });
});

/** A clean environment: only what the runtime needs, a HOME of our own, and the given variables. */
function environment(variables: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: home, NO_COLOR: "1" };
  if ("Deno" in globalThis) {
    // Deno's cache lives under HOME; without this, each child would transpile the source afresh.
    env.DENO_DIR = process.env.DENO_DIR ??
      join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "deno");
    env.DENO_NO_UPDATE_CHECK = "1";
  }
  return { ...env, ...variables };
}

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** The exit code, once the process has exited. */
  exit: Promise<number | null>;
  /** Resolves when stdout matches, or rejects if the process exits first. */
  untilStdout(pattern: RegExp): Promise<RegExpExecArray>;
  /** Resolves when stderr matches, or rejects if the process exits first. */
  untilStderr(pattern: RegExp): Promise<RegExpExecArray>;
}

function start(
  args: string[],
  variables: Record<string, string> = {},
  options: { command?: string[]; stdin?: "pipe" | "ignore" } = {},
): Running {
  const [program, ...rest] = options.command ?? CLI;
  const child = spawn(program, [...rest, ...args], {
    cwd: process.cwd(),
    env: environment(variables),
    stdio: [options.stdin ?? "ignore", "pipe", "pipe"],
  });
  children.add(child);
  let out = "";
  let err = "";
  const waiters: (() => void)[] = [];
  child.stdout!.setEncoding("utf8").on("data", (text: string) => {
    out += text;
    for (const waiter of [...waiters]) waiter();
  });
  child.stderr!.setEncoding("utf8").on("data", (text: string) => {
    err += text;
    for (const waiter of [...waiters]) waiter();
  });
  const until = (read: () => string) => (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(read());
        if (match || exited) waiters.splice(waiters.indexOf(check), 1);
        if (match) resolve(match);
        else if (exited) reject(new Error(`exited before printing ${pattern}:\n${out}\n${err}`));
      };
      waiters.push(check);
      check();
    });
  let exited = false;
  const exit = new Promise<number | null>((resolve) =>
    child.once("close", (code) => {
      children.delete(child);
      exited = true;
      for (const waiter of [...waiters]) waiter();
      resolve(code);
    })
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    untilStdout: until(() => out),
    untilStderr: until(() => err),
  };
}

/** Runs the CLI to its end. */
async function cli(
  args: string[],
  variables: Record<string, string> = {},
  command?: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const running = start(args, variables, { command });
  const code = await running.exit;
  return { code, stdout: running.stdout(), stderr: running.stderr() };
}

/** A request the emulator was sent, with the answer it gave. */
interface Seen {
  request: Request;
  url: URL;
  status: number;
}

/**
 * The emulator served over HTTP with its requests in view: a test can wait for one (`until`),
 * or hold matching ones unanswered until `release` (a slow service, reached on cue).
 */
async function serve(options: EmulatorOptions = {}) {
  const emulator = createEmulator({ credentials: [CREDENTIALS], minPartSize: 1024, ...options });
  const seen: Seen[] = [];
  const waiters: (() => void)[] = [];
  let holds: ((url: URL, request: Request) => boolean) | undefined;
  let release = () => {};
  let released = Promise.resolve();
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const server = await serveEmulator({
    ...emulator,
    fetch: async (request) => {
      const url = new URL(request.url);
      if (holds?.(url, request)) {
        seen.push({ request, url, status: 0 });
        notify();
        // Never handled: the sender has given up on it by the time it is let go.
        await released;
        return new Response(null, { status: 503 });
      }
      const response = await emulator.fetch(request);
      seen.push({ request, url, status: response.status });
      notify();
      return response;
    },
  });
  const env = {
    QINGSTOR_ENDPOINT: server.url,
    QINGSTOR_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    QINGSTOR_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  };
  return {
    emulator,
    server,
    env,
    seen,
    client: createClient({ endpoint: server.url, credentials: CREDENTIALS }),
    /** Resolves once a request satisfying the test has been answered (or held). */
    until: (test: (seen: Seen) => boolean) =>
      new Promise<Seen>((resolve) => {
        const check = () => {
          const found = seen.find(test);
          if (found) {
            waiters.splice(waiters.indexOf(check), 1);
            resolve(found);
          }
        };
        waiters.push(check);
        check();
      }),
    hold(test: (url: URL, request: Request) => boolean) {
      holds = test;
      released = new Promise((resolve) => (release = resolve));
    },
    release() {
      holds = undefined;
      release();
    },
    async close() {
      this.release();
      await server.close();
      assert.deepEqual(emulator.state.errors, []);
    },
  };
}

function file(name: string, bytes: Uint8Array): string {
  const path = join(scratch, name);
  writeFileSync(path, bytes);
  return path;
}

function stored(emulator: Emulator, key: string) {
  const object = emulator.state.objects.get(`${bucket}/${key}`);
  assert.ok(object, `no object ${key}`);
  return object;
}

const isPart = (number?: number) => ({ request, url, status }: Seen) =>
  request.method == "PUT" && url.searchParams.has("upload_id") && status == 201 &&
  (number === undefined || url.searchParams.get("part_number") == String(number));

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

  it("aborts the upload on the service at Ctrl-C, then exits 130", TIMEOUT, async () => {
    const service = await serve();
    const running = start(["upload", "-", `${bucket}/interrupted.bin`, ...SMALL], service.env, {
      stdin: "pipe",
    });
    try {
      // A part and a half: the first goes out, then the upload waits on stdin, held open.
      running.child.stdin!.write(testBytes(PART + PART / 2, 10));
      await service.until(isPart(0));
      signal(running, "SIGINT");
      assert.equal(await running.exit, 130, running.stderr());
      assert.equal(service.emulator.state.uploads.size, 0);
      assert.ok(
        service.seen.some(({ request, status }) => request.method == "DELETE" && status == 204),
      );
      assert.match(running.stderr(), /^qingstor-multipart: upload \w+ aborted on the service$/m);
      assert.equal(service.emulator.state.objects.size, 0);
    } finally {
      running.child.stdin!.destroy();
      await service.close();
    }
  });

  it("exits at once on a second Ctrl-C while the abort is under way", TIMEOUT, async () => {
    const service = await serve();
    service.hold((url, request) => request.method == "DELETE" && url.searchParams.has("upload_id"));
    const running = start(["upload", "-", `${bucket}/impatient.bin`, ...SMALL], service.env, {
      stdin: "pipe",
    });
    try {
      running.child.stdin!.write(testBytes(PART + 1, 11));
      await service.until(isPart(0));
      signal(running, "SIGINT");
      // The clean-up hangs on a slow service; the user does not want to wait.
      await service.until(({ request, status }) => request.method == "DELETE" && status == 0);
      signal(running, "SIGINT");
      assert.equal(await running.exit, 130);
      assert.match(running.stderr(), /interrupted again, exiting at once; upload \w+ may be left/);
      assert.equal(service.emulator.state.uploads.size, 1);
    } finally {
      running.child.stdin!.destroy();
      await service.close();
    }
  });

  it(
    "keeps the parts at Ctrl-C with --keep-parts-on-error, and the printed command resumes",
    TIMEOUT,
    async () => {
      const service = await serve();
      const data = testBytes(5 * PART, 12);
      const path = file("resumable.bin", data);
      // Part 0 goes through; the others hang on a slow service until the user gives up.
      service.hold((url) => Number(url.searchParams.get("part_number")) > 0);
      const running = start(
        ["upload", path, `${bucket}/resumable.bin`, ...SMALL, "--keep-parts-on-error"],
        service.env,
      );
      try {
        await running.untilStderr(/parts 1\/5$/m);
        signal(running, "SIGINT");
        assert.equal(await running.exit, 130, running.stderr());
        const [upload] = service.emulator.state.uploads.values();
        assert.ok(upload, "the upload is left in progress");
        assert.deepEqual([...upload.parts.keys()], [0]);
        assert.match(
          running.stderr(),
          new RegExp(`upload ${upload.uploadId} kept with 1 part on the service; resume it with:`),
        );
        const command = /^qingstor-multipart upload .*$/m.exec(running.stderr())![0];
        assert.equal(
          command,
          `qingstor-multipart upload ${path} ${bucket}/resumable.bin --resume ${upload.uploadId} ` +
            "--part-size 16KiB --min-part-size 1KiB",
        );
        service.release();

        const [, ...args] = command.split(" ");
        const resumed = await cli(args, service.env);
        assert.equal(resumed.code, 0, resumed.stderr);
        assert.match(resumed.stderr, new RegExp(`^resuming upload id ${upload.uploadId}$`, "m"));
        assert.deepEqual(stored(service.emulator, "resumable.bin").data, data);
        assert.equal(service.emulator.state.uploads.size, 0);
        // Part 0 was on the service already and matched: it was not sent again.
        assert.equal(service.seen.filter(isPart(0)).length, 1);
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
          ["upload", file("refused.bin", testBytes(100)), `${bucket}/refused.bin`],
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
});

describe("qingstor-multipart upload, when complete's outcome is unknown", TIMEOUT, () => {
  it("says the object may exist, and neither aborts nor offers to", TIMEOUT, async () => {
    const service = await serve({
      faults: [{ operations: ["completeMultipartUpload"], status: 500 }],
    });
    try {
      const { code, stderr } = await cli(
        ["upload", file("unknown.bin", testBytes(100)), `${bucket}/unknown.bin`],
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

describe("qingstor-multipart list and abort", TIMEOUT, () => {
  const DAY = 86_400_000;

  /** Uploads of known ages: created now, then dated back in the emulator's open state. */
  async function uploadsOfAges(
    service: Awaited<ReturnType<typeof serve>>,
    ages: [string, number][],
  ) {
    const ids = new Map<string, string>();
    for (const [key, age] of ages) {
      const { uploadId } = await initiateMultipartUpload(service.client, { bucket, key });
      service.emulator.state.uploads.get(uploadId)!.created = new Date(Date.now() - age);
      ids.set(key, uploadId);
    }
    return ids;
  }

  it(
    "lists uploads in progress with their ages, filtered by --prefix and --older-than, as lines or JSON",
    TIMEOUT,
    async () => {
      const service = await serve();
      try {
        const ids = await uploadsOfAges(service, [
          ["logs/old.log", 8 * DAY + 3_600_000],
          ["logs/new.log", 2 * 3_600_000],
          ["videos/old video.mp4", 30 * DAY],
        ]);
        const plain = await cli(["list", bucket], service.env);
        assert.equal(plain.code, 0, plain.stderr);
        // Created, age (two units), upload id, key: by key, the key last as it may hold spaces.
        const rows = (text: string) =>
          text.trimEnd().split("\n").map((line) => line.trim().split(/ {2,}/));
        const created = (key: string) =>
          service.emulator.state.uploads.get(ids.get(key)!)!.created.toISOString().slice(0, 19) +
          "Z";
        assert.deepEqual(rows(plain.stdout), [
          [created("logs/new.log"), "2h", ids.get("logs/new.log"), "logs/new.log"],
          [created("logs/old.log"), "8d 1h", ids.get("logs/old.log"), "logs/old.log"],
          [
            created("videos/old video.mp4"),
            "30d",
            ids.get("videos/old video.mp4"),
            "videos/old video.mp4",
          ],
        ]);

        const json = await cli(["list", bucket, "--json", "--older-than", "7d"], service.env);
        assert.equal(json.code, 0, json.stderr);
        const listed = JSON.parse(json.stdout);
        assert.deepEqual(listed.map((row: { key: string }) => row.key), [
          "logs/old.log",
          "videos/old video.mp4",
        ]);
        assert.equal(listed[0].uploadId, ids.get("logs/old.log"));
        assert.equal(
          listed[0].created,
          service.emulator.state.uploads.get(listed[0].uploadId)!.created.toISOString(),
        );
        assert.ok(listed[0].ageSeconds >= (8 * DAY + 3_600_000) / 1000, listed[0].ageSeconds);

        const prefixed = await cli(
          ["list", bucket, "--prefix", "logs/", "--older-than", "12h"],
          service.env,
        );
        assert.equal(prefixed.stdout.trimEnd().split("\n").length, 1);
        assert.match(prefixed.stdout, /logs\/old\.log$/m);

        const none = await cli(["list", bucket, "--older-than", "365d"], service.env);
        assert.equal(none.code, 0);
        assert.equal(none.stdout, "");
        assert.equal(none.stderr, "no uploads in progress\n");
        const empty = await cli(["list", bucket, "--json", "--older-than", "365d"], service.env);
        assert.deepEqual(JSON.parse(empty.stdout), []);
      } finally {
        await service.close();
      }
    },
  );

  it("counts ages on the service's clock, not a local clock days off", TIMEOUT, async () => {
    // The emulator's clock is 8 days behind ours: its uploads are new by its clock, though 8
    // days old by ours. The CLI learns the offset from the first refused request.
    const service = await serve({ clockOffset: -8 * DAY });
    try {
      await initiateMultipartUpload(
        createClient({ endpoint: service.server.url, credentials: CREDENTIALS }),
        { bucket, key: "fresh" },
      );
      const stale = await cli(["list", bucket, "--older-than", "1d"], service.env);
      assert.equal(stale.code, 0, stale.stderr);
      assert.equal(stale.stdout, "");
      const all = await cli(["list", bucket, "--json"], service.env);
      assert.ok(JSON.parse(all.stdout)[0].ageSeconds < 3600);
    } finally {
      await service.close();
    }
  });

  it(
    "aborts uploads older than --older-than, after a --dry-run that aborts nothing",
    TIMEOUT,
    async () => {
      const service = await serve();
      try {
        const ids = await uploadsOfAges(service, [
          ["a/old", 8 * DAY],
          ["a/new", 3_600_000],
          ["b/old", 9 * DAY],
          ["c/old", 10 * DAY],
        ]);
        const dry = await cli([
          "abort",
          bucket,
          "--older-than",
          "7d",
          "--dry-run",
          "--prefix",
          "a/",
        ], service.env);
        assert.equal(dry.code, 0, dry.stderr);
        assert.equal(service.emulator.state.uploads.size, 4);
        assert.match(
          dry.stdout,
          new RegExp(
            `^would abort  \\S+Z {7}8d  ${
              ids.get("a/old")
            }  a/old\\n1 upload would be aborted \\(dry run\\)\\n$`,
          ),
        );
        assert.ok(!service.seen.some(({ request }) => request.method == "DELETE"));

        const real = await cli(["abort", bucket, "--older-than", "7d"], service.env);
        assert.equal(real.code, 0, real.stderr);
        const lines = real.stdout.trimEnd().split("\n");
        assert.deepEqual(lines.map((line) => line.split("  ").at(-1)), [
          "a/old",
          "b/old",
          "c/old",
          "3 uploads aborted",
        ]);
        assert.ok(lines.slice(0, 3).every((line) => line.startsWith("aborted  ")));
        assert.deepEqual([...service.emulator.state.uploads.keys()], [ids.get("a/new")]);
      } finally {
        await service.close();
      }
    },
  );

  it("aborts one upload by bucket, key and upload id", TIMEOUT, async () => {
    const service = await serve();
    try {
      const ids = await uploadsOfAges(service, [["keep", 0], ["drop me", 0]]);
      const result = await cli(["abort", bucket, "drop me", ids.get("drop me")!], service.env);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `aborted ${ids.get("drop me")}  drop me\n`);
      assert.deepEqual([...service.emulator.state.uploads.keys()], [ids.get("keep")]);
    } finally {
      await service.close();
    }
  });
});

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
        ["upload", join(scratch, "missing"), `${bucket}/k`],
        /^qingstor-multipart: <file>: cannot read/,
        "upload",
      ],
      [["list", bucket, "--older-than", "7x"], /^qingstor-multipart: --older-than: .*"7x"/, "list"],
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
      const cases: [string[], RegExp][] = [
        [
          ["upload", path, "Bad_Bucket/k"],
          /^qingstor-multipart: <bucket>\/<key>: Bucket name must be .*"Bad_Bucket"\n$/,
        ],
        [
          ["upload", path, `${bucket}/k`, "--part-size", "1KiB"],
          /^qingstor-multipart: --part-size: Part size must be .* received 1024\n$/,
        ],
        [
          ["upload", path, `${bucket}/k`, "--storage-class", "GLACIER"],
          /^qingstor-multipart: --storage-class: /,
        ],
        [["presign", "GET", `${bucket}/k`, "--expires", "0"], /^qingstor-multipart: --expires: /],
      ];
      await Promise.all(cases.map(async ([args, message]) => {
        const { code, stderr } = await cli(args, offline);
        assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
        assert.match(stderr, message, args.join(" "));
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
      const unknown = await cli(["frobnicate"]);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /^qingstor-multipart: unknown command "frobnicate"\nusage: /);
      const none = await cli([]);
      assert.equal(none.code, 2);
      assert.match(none.stderr, /^usage: qingstor-multipart <command>/);
    },
  );

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
        assert.match(stderr, /^\w+ (GET|POST) \/mybucket\S* → 401 \(request id \w+\)$/m);
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
      } finally {
        rmSync(folder, { recursive: true, force: true });
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
});

function credentialsOf(credentials: { accessKeyId: string; secretAccessKey: string }) {
  return {
    QINGSTOR_ACCESS_KEY_ID: credentials.accessKeyId,
    QINGSTOR_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  };
}
