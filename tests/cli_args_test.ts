/**
 * The command line's pure parts, in-process: argument values, the config file, connection
 * precedence, and the progress line with an injected clock.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { expectPositionals, parseCommand, parseWholeNumber } from "../src/cli/args.ts";
import { formatBytes, parseByteSize } from "../src/cli/byte_size.ts";
import { endpointFromConfig, resolveConnection } from "../src/cli/connection.ts";
import { contentTypeFor } from "../src/cli/content_type.ts";
import { openFileBody } from "../src/cli/file_body.ts";
import { formatDuration, parseDuration } from "../src/cli/duration.ts";
import { jsonText, oneLine, plural, printable } from "../src/cli/output.ts";
import { parsePairs } from "../src/cli/pairs.ts";
import { parseConfig } from "../src/cli/parse_config.ts";
import { createProgressLine, formatProgress } from "../src/cli/progress_line.ts";
import { shellQuote } from "../src/cli/shell_quote.ts";
import { parseTarget } from "../src/cli/target.ts";
import { UsageError } from "../src/cli/usage_error.ts";
import { validationMessage } from "../src/cli/validation_message.ts";
import { VERSION } from "../src/cli/version.ts";
import { hasRawControl } from "./support/cli.ts";

/** Asserts a UsageError whose message starts with the argument it names. */
function refused(run: () => unknown, message: RegExp): void {
  assert.throws(run, (error) => {
    assert.ok(error instanceof UsageError, String(error));
    assert.match(error.message, message);
    return true;
  });
}

describe("cli values", () => {
  it("reads sizes in bytes, decimal and binary units", () => {
    assert.equal(parseByteSize("1048576", "--part-size"), 1048576);
    assert.equal(parseByteSize("8MiB", "--part-size"), 8 * 2 ** 20);
    assert.equal(parseByteSize("5MB", "--part-size"), 5_000_000);
    assert.equal(parseByteSize("5mb", "--part-size"), 5_000_000);
    assert.equal(parseByteSize("1.5KiB", "--part-size"), 1536);
    assert.equal(parseByteSize("16 KiB", "--part-size"), 16384);
    assert.equal(parseByteSize("2GB", "--part-size"), 2e9);
    assert.equal(parseByteSize(undefined, "--part-size"), undefined);
    for (const bad of ["", "8XB", "-1", "1.5", "0x10", "MiB", "8 MiB extra", "1e3"]) {
      refused(() => parseByteSize(bad, "--part-size"), /^--part-size: expected a size/);
    }
  });

  it("formats byte counts in binary units", () => {
    assert.equal(formatBytes(0), "0 B");
    assert.equal(formatBytes(1023), "1023 B");
    assert.equal(formatBytes(1536), "1.5 KiB");
    assert.equal(formatBytes(8 * 2 ** 20), "8.0 MiB");
    assert.equal(formatBytes(3 * 2 ** 40), "3.0 TiB");
    // By the figure shown: never 1024.0 of a unit.
    assert.equal(formatBytes(1048575), "1.0 MiB");
    assert.equal(formatBytes(1048473), "1023.9 KiB");
    assert.equal(formatBytes(2 ** 30 - 1), "1.0 GiB");
    assert.equal(formatBytes(2 ** 50), "1024.0 TiB");
  });

  it("reads durations with a unit, and formats ages in two units", () => {
    assert.equal(parseDuration("30s", "--older-than"), 30_000);
    assert.equal(parseDuration("15m", "--older-than"), 900_000);
    assert.equal(parseDuration("12h", "--older-than"), 43_200_000);
    assert.equal(parseDuration("7d", "--older-than"), 604_800_000);
    assert.equal(parseDuration("0s", "--older-than"), 0);
    assert.equal(parseDuration("1.5h", "--older-than"), 5_400_000);
    // Units in either case; a bare 0 is zero in any unit.
    assert.equal(parseDuration("7D", "--older-than"), 604_800_000);
    assert.equal(parseDuration("15M", "--older-than"), 900_000);
    assert.equal(parseDuration("0", "--older-than"), 0);
    for (const bad of ["7", "7x", "d", "-1d", "7 days", "", "00x"]) {
      refused(() => parseDuration(bad, "--older-than"), /^--older-than: expected a duration/);
    }
    assert.equal(formatDuration(0), "0s");
    assert.equal(formatDuration(-5000), "0s");
    assert.equal(formatDuration(42_000), "42s");
    assert.equal(formatDuration(90_000), "1m 30s");
    assert.equal(formatDuration(3 * 86_400_000 + 4 * 3_600_000 + 59_000), "3d 4h");
    assert.equal(formatDuration(8 * 86_400_000 + 5 * 60_000), "8d");
    assert.equal(formatDuration(2 * 3_600_000), "2h");
  });

  it("reads name=value pairs, whole numbers, and bucket/key targets", () => {
    assert.deepEqual({ ...parsePairs(["a=1", "b=x=y", "a=2"], "--meta") }, { a: "2", b: "x=y" });
    assert.deepEqual({ ...parsePairs(["uploads", "limit=5"], "--query", true) }, {
      uploads: "",
      limit: "5",
    });
    refused(
      () => parsePairs(["novalue"], "--meta"),
      /^--meta: expected name=value, received "novalue"/,
    );
    refused(() => parsePairs(["=x"], "--query", true), /^--query: /);
    // Every name is an own property, __proto__ included, and nothing is inherited.
    const odd = parsePairs(["__proto__=x", "constructor=y", "toString"], "--query", true);
    assert.deepEqual(Object.entries(odd), [["__proto__", "x"], ["constructor", "y"], [
      "toString",
      "",
    ]]);
    assert.equal(parsePairs([], "--meta").constructor, undefined);
    assert.equal(parseWholeNumber("8", "--concurrency"), 8);
    refused(
      () => parseWholeNumber("8.5", "--concurrency"),
      /^--concurrency: expected a whole number/,
    );
    refused(() => parseWholeNumber(" 8", "--concurrency"), /^--concurrency: /);
    assert.deepEqual(parseTarget("mybucket/a/b c.txt"), { bucket: "mybucket", key: "a/b c.txt" });
    assert.deepEqual(parseTarget("mybucket", false), { bucket: "mybucket" });
    assert.deepEqual(parseTarget("mybucket/", false), { bucket: "mybucket" });
    refused(() => parseTarget("mybucket"), /^<bucket>\/<key>: no key in "mybucket"/);
    refused(() => parseTarget("mybucket/"), /^<bucket>\/<key>: no key/);
    refused(() => parseTarget("/key"), /^<bucket>\/<key>: no bucket/);
  });

  it("names the flag when parseArgs refuses, and counts positionals by name", () => {
    const options = {
      prefix: { type: "string" },
      json: { type: "boolean" },
      verbose: { type: "boolean", short: "v" },
    } as const;
    const parse = (args: string[]) =>
      parseCommand(() => parseArgs({ args, options, allowPositionals: true }));
    assert.deepEqual({ ...parse(["b", "--prefix", "p/", "--json"]).values }, {
      prefix: "p/",
      json: true,
    });
    refused(() => parse(["--bogus"]), /^unknown option --bogus$/);
    refused(() => parse(["--prefix"]), /^--prefix needs a value/);
    refused(() => parse(["--json=yes"]), /^--json takes no value$/);
    // A short option in a group: Bun names it without its dash.
    refused(() => parse(["-vx"]), /^unknown option -x$/);
    refused(() => parse(["--verbose=1"]), /^--verbose takes no value$/);
    refused(
      () => expectPositionals(["a"], ["<file>", "<bucket>/<key>"]),
      /^missing <bucket>\/<key>$/,
    );
    refused(() => expectPositionals(["a", "b", "c"], ["<x>", "<y>"]), /^unexpected argument "c"$/);
    expectPositionals(["a"], ["<x>", "<y>"], 1);
  });

  it("tells the library's validation errors with the flags' names", () => {
    const names = {
      metadata: "--meta",
      contentType: "--content-type",
      partSize: "--part-size",
      minPartSize: "--min-part-size",
      key: "<bucket>/<key>",
    };
    assert.equal(
      validationMessage(
        "metadata.a",
        'metadata.a must be 1 to 2048 printable ASCII characters, received ""',
        names,
      ),
      '--meta a must be 1 to 2048 printable ASCII characters, received ""',
    );
    assert.equal(
      validationMessage(
        "contentType",
        'contentType must be 1 to 1024 printable ASCII characters, received ""',
        names,
      ),
      '--content-type must be 1 to 1024 printable ASCII characters, received ""',
    );
    assert.equal(
      validationMessage(
        "partSize",
        "Part size must be a whole number from 1024 (minPartSize) to 5000000000, received 0",
        names,
      ),
      "--part-size: Part size must be a whole number from 1024 (--min-part-size) to 5000000000, received 0",
    );
    // Plain words are prose, and the value received is the user's: neither is rewritten.
    assert.equal(
      validationMessage(
        "key",
        'Key must not start with "/" nor have a "." or ".." segment, received "partSize.x"',
        names,
      ),
      '<bucket>/<key>: Key must not start with "/" nor have a "." or ".." segment, received "partSize.x"',
    );
    assert.equal(
      validationMessage("body", "The body needs more", names),
      "body: The body needs more",
    );
  });

  it("prints the version deno.json gives the packages", () => {
    assert.equal(VERSION, JSON.parse(readFileSync("deno.json", "utf8")).version);
  });

  it("gives common extensions their content type, and octet-stream to the rest", () => {
    assert.equal(contentTypeFor("a/b/photo.JPG"), "image/jpeg");
    assert.equal(contentTypeFor("page.htm"), "text/html");
    assert.equal(contentTypeFor("x.tar.gz"), "application/gzip");
    assert.equal(contentTypeFor("song.mp3"), "audio/mpeg");
    assert.equal(contentTypeFor("image.svg"), "image/svg+xml");
    assert.equal(contentTypeFor(".bashrc"), "application/octet-stream");
    assert.equal(contentTypeFor("dir.d/README"), "application/octet-stream");
    assert.equal(contentTypeFor("data.parquet"), "application/octet-stream");
    // Names of Object.prototype's properties are extensions like any other.
    for (const name of ["x.constructor", "x.__proto__", "x.toString", "x.hasOwnProperty"]) {
      assert.equal(contentTypeFor(name), "application/octet-stream", name);
    }
  });

  it("quotes words for a shell only when they need it", () => {
    assert.equal(shellQuote("mybucket/a-b_c.bin"), "mybucket/a-b_c.bin");
    assert.equal(shellQuote("my file.bin"), "'my file.bin'");
    assert.equal(shellQuote("it's $HOME"), `'it'\\''s $HOME'`);
    assert.equal(shellQuote(""), "''");
    // Control characters as UTF-8 bytes in $'…', so the command stays one pasteable line.
    assert.equal(shellQuote("a\nb"), "$'a\\x0ab'");
    assert.equal(shellQuote("it's\x1b[31m\\"), "$'it\\'s\\x1b[31m\\\\'");
    assert.equal(shellQuote("c1\u009b"), "$'c1\\xc2\\x9b'");
  });

  it("shows values with control characters JSON-quoted, and messages on one line", () => {
    assert.equal(printable("photos/a b.png"), "photos/a b.png");
    assert.equal(printable("évian/日本"), "évian/日本");
    assert.equal(printable("a\x1b[2Jb\rc\nd"), '"a\\u001b[2Jb\\rc\\nd"');
    assert.equal(printable("del\x7f c1\u0085\u009b"), '"del\\u007f c1\\u0085\\u009b"');
    // A plain value never looks like a quoted one.
    assert.equal(printable('"quoted"'), '"\\"quoted\\""');
    for (const value of ["a\x1b[2Jb\rc\nd", "del\x7f c1\u0085\u009b", '"quoted"']) {
      assert.equal(JSON.parse(printable(value)), value);
    }
    assert.equal(oneLine("Uploading a\nb\x1b[31m failed"), "Uploading a\\nb\\u001b[31m failed");
    // JSON output: DEL and C1 escaped as well, and the value reads back the same.
    const json = jsonText([{ key: "k\x7f\u009b\n" }]);
    assert.ok(!hasRawControl(json), json);
    assert.deepEqual(JSON.parse(json), [{ key: "k\x7f\u009b\n" }]);
    assert.equal(plural(1, "part"), "1 part");
    assert.equal(plural(0, "part"), "0 parts");
  });
});

describe("cli config file and connection", () => {
  it("reads flat key: value lines with quotes and comments, and skips the rest", () => {
    const settings = parseConfig(
      [
        "# QingStor",
        "access_key_id: 'AKID'",
        'secret_access_key: "se#cret"   # trailing',
        "host: qingstor.com # comment",
        "port: 443",
        "protocol:https",
        "  nested: ignored",
        "- list item",
        "empty:",
        "url: http://x/#frag",
      ].join("\r\n"),
    );
    assert.deepEqual({ ...settings }, {
      access_key_id: "AKID",
      secret_access_key: "se#cret",
      host: "qingstor.com",
      port: "443",
      protocol: "https",
      empty: "",
      url: "http://x/#frag",
    });
    const odd = parseConfig("__proto__: x\nconstructor: y\n");
    assert.deepEqual(Object.entries(odd), [["__proto__", "x"], ["constructor", "y"]]);
    assert.equal(parseConfig("").host, undefined);
    assert.equal(parseConfig("").toString, undefined);
  });

  const file = {
    path: "/home/u/.qingstor/config.yaml",
    settings: {
      access_key_id: "FILEKEY",
      secret_access_key: "filesecret",
      host: "qingstor.com",
      port: "443",
      protocol: "https",
      zone: "sh1a",
    },
  };
  const env = {
    QINGSTOR_ACCESS_KEY_ID: "ENVKEY",
    QINGSTOR_SECRET_ACCESS_KEY: "envsecret",
    QINGSTOR_ZONE: "pek3a",
  };

  it("takes flags over the environment over the file, a whole location or key pair each", () => {
    assert.deepEqual(resolveConnection({ endpoint: "http://127.0.0.1:9000" }, env, file), {
      endpoint: "http://127.0.0.1:9000",
      locationFrom: "--endpoint",
      credentials: { accessKeyId: "ENVKEY", secretAccessKey: "envsecret" },
      credentialsFrom: "environment",
    });
    assert.equal(resolveConnection({ zone: "gd2" }, env, file).zone, "gd2");
    assert.deepEqual(resolveConnection({}, env, file).zone, "pek3a");
    assert.equal(
      resolveConnection({}, { ...env, QINGSTOR_ENDPOINT: "http://e" }, file).endpoint,
      "http://e",
    );
    const fromFile = resolveConnection({}, {}, file);
    assert.equal(fromFile.endpoint, "https://sh1a.qingstor.com:443");
    assert.equal(fromFile.locationFrom, `host in ${file.path}`);
    assert.deepEqual(fromFile.credentials, {
      accessKeyId: "FILEKEY",
      secretAccessKey: "filesecret",
    });
    assert.equal(fromFile.credentialsFrom, file.path);
    // An IP or localhost host takes no zone in front.
    const local = {
      path: "c",
      settings: { host: "127.0.0.1", port: "9000", protocol: "http", zone: "z" },
    };
    assert.equal(resolveConnection({}, {}, local).endpoint, "http://127.0.0.1:9000");
    assert.deepEqual(resolveConnection({}, {}, { path: "c", settings: { zone: "sh1a" } }), {
      zone: "sh1a",
      locationFrom: "zone in c",
    });
    assert.equal(resolveConnection({ zone: "z" }, {}).credentials, undefined);
  });

  it("refuses --endpoint with --zone, half a key pair, and no location at all", () => {
    refused(
      () => resolveConnection({ endpoint: "http://e", zone: "z" }, {}),
      /^--endpoint and --zone cannot be used together$/,
    );
    refused(
      () => resolveConnection({ zone: "z" }, { QINGSTOR_SECRET_ACCESS_KEY: "s" }),
      /^QINGSTOR_ACCESS_KEY_ID is missing, QINGSTOR_SECRET_ACCESS_KEY is set$/,
    );
    refused(
      () => resolveConnection({ zone: "z" }, {}, { path: "f", settings: { access_key_id: "k" } }),
      /^secret_access_key in f is missing/,
    );
    refused(
      () => resolveConnection({}, {}),
      /^no endpoint: .* put host or zone in ~\/\.qingstor\/config\.yaml$/,
    );
    // The file it names is the one consulted, and why it could not be read.
    refused(
      () =>
        resolveConnection({}, {}, { path: "/etc/q.yaml", unreadable: "EISDIR: illegal operation" }),
      /^no endpoint: .* in \/etc\/q\.yaml \(which cannot be read: EISDIR: illegal operation\)$/,
    );
    refused(
      () => resolveConnection({ endpoint: "" }, {}),
      /^--endpoint: expected a URL .* received ""$/,
    );
    refused(() => resolveConnection({ zone: "" }, {}), /^--zone: expected a zone .* received ""$/);
  });

  it("builds an endpoint from the file's host as the official tools do, with the zone in front of names only", () => {
    const endpoint = (settings: Record<string, string>) => endpointFromConfig(settings, "c");
    assert.equal(
      endpoint({ host: "qingstor.com", port: "443", zone: "pek3a" }),
      "https://pek3a.qingstor.com:443",
    );
    // A port in host; an address or localhost takes no zone in front.
    assert.equal(
      endpoint({ host: "127.0.0.1:9000", protocol: "http", zone: "pek3a" }),
      "http://127.0.0.1:9000",
    );
    assert.equal(
      endpoint({ host: "127.0.0.1:9000", port: "9000", zone: "z" }),
      "https://127.0.0.1:9000",
    );
    assert.equal(
      endpoint({ host: "[::1]:9000", protocol: "http", zone: "z" }),
      "http://[::1]:9000",
    );
    assert.equal(
      endpoint({ host: "LOCALHOST", port: "9000", zone: "z" }),
      "https://LOCALHOST:9000",
    );
    // A private deployment's own name, with no zone, is used as given.
    assert.equal(endpoint({ host: "s3.example.internal" }), "https://s3.example.internal");
    // The public service's host alone serves no bucket.
    refused(
      () => endpoint({ host: "qingstor.com", port: "443" }),
      /^host qingstor\.com in c needs the bucket's zone: give --zone/,
    );
    refused(() => endpoint({ host: "QingStor.com." }), /needs the bucket's zone/);
    refused(
      () => endpoint({ host: "127.0.0.1:9000", port: "9001" }),
      /^host in c has port 9000, but port in c is 9001$/,
    );
    for (const host of ["http://qingstor.com", "a b", "127.0.0.1:x", "[::1"]) {
      refused(() => endpoint({ host }), /^host in c: expected a host name or address/);
    }
  });
});

describe("cli progress line", () => {
  it("formats bytes, percentage, rate, ETA and parts; without a total, no percentage", () => {
    const MiB = 2 ** 20;
    assert.equal(
      formatProgress({ loaded: 3 * MiB, total: 12 * MiB, partsDone: 3, partsTotal: 12 }, 2000),
      "3.0 MiB / 12.0 MiB  25%  1.5 MiB/s  ETA 0:06  parts 3/12",
    );
    assert.equal(
      formatProgress({ loaded: 0, total: 100, partsDone: 0, partsTotal: 1 }, 0),
      "0 B / 100 B  0%  0 B/s  ETA --:--  parts 0/1",
    );
    assert.equal(
      formatProgress({ loaded: MiB, total: 7200 * MiB, partsDone: 1, partsTotal: 900 }, 1000),
      "1.0 MiB / 7.0 GiB  0%  1.0 MiB/s  ETA 1:59:59  parts 1/900",
    );
    assert.equal(
      formatProgress({ loaded: 0, total: 0, partsDone: 0, partsTotal: 1 }, 5),
      "0 B / 0 B  100%  0 B/s  ETA 0:00  parts 0/1",
    );
    assert.equal(
      formatProgress({ loaded: 5 * MiB, partsDone: 5 }, 1000),
      "5.0 MiB  5.0 MiB/s  parts 5",
    );
  });

  /** A clock and a timer queue the test moves by hand. */
  function fakeTime() {
    let now = 0;
    const timers: { at: number; callback: () => void }[] = [];
    return {
      now: () => now,
      schedule: (callback: () => void, ms: number) => {
        const timer = { at: now + ms, callback };
        timers.push(timer);
        return () => timers.splice(timers.indexOf(timer), 1);
      },
      pending: () => timers.length,
      advance(ms: number) {
        now += ms;
        for (const timer of timers.filter((timer) => timer.at <= now)) {
          timers.splice(timers.indexOf(timer), 1);
          timer.callback();
        }
      },
    };
  }

  it("prints at most one plain line a second when not on a terminal, the latest figures late rather than never, and a last one", () => {
    const time = fakeTime();
    const written: string[] = [];
    const line = createProgressLine({ tty: false, write: (text) => written.push(text), ...time });
    const at = (loaded: number) => ({
      loaded,
      total: 4000,
      partsDone: loaded / 1000,
      partsTotal: 4,
    });
    line.update(at(0));
    time.advance(100);
    line.update(at(1000));
    time.advance(100);
    line.update(at(2000));
    assert.deepEqual(written, ["0 B / 3.9 KiB  0%  0 B/s  ETA --:--  parts 0/4\n"]);
    assert.equal(time.pending(), 1);
    // Nothing more arrives (a pipe waiting for data): the latest still shows, a second on.
    time.advance(800);
    assert.equal(written.length, 2);
    assert.match(
      written[1],
      /^2\.0 KiB \/ 3\.9 KiB {2}50% {2}2\.0 KiB\/s {2}ETA 0:01 {2}parts 2\/4\n$/,
    );
    line.note("a note");
    assert.equal(written[2], "a note\n");
    line.update(at(4000));
    line.finish();
    assert.equal(time.pending(), 0);
    assert.match(written.at(-1)!, /^3\.9 KiB \/ 3\.9 KiB {2}100% .* ETA 0:00 {2}parts 4\/4\n$/);
    assert.ok(written.every((text) => !text.includes("\r")));
  });

  it("redraws one terminal line in place at most ten times a second, and ends it", () => {
    const time = fakeTime();
    const written: string[] = [];
    const line = createProgressLine({ tty: true, write: (text) => written.push(text), ...time });
    for (let loaded = 0; loaded <= 100; loaded += 10) {
      line.update({ loaded, total: 100, partsDone: loaded / 10, partsTotal: 10 });
      time.advance(25);
    }
    // 11 updates over 275 ms: drawn at 0, 100, 200 and by the timer at 300 at most.
    assert.ok(written.length <= 4 && written.length >= 3, String(written.length));
    assert.ok(written.every((text) => text.startsWith("\r\x1b[K") && !text.includes("\n")));
    line.note("upload id X");
    const REDRAW = "\r\x1b[K";
    assert.ok(written.at(-1)!.startsWith(REDRAW));
    assert.match(written.at(-1)!.slice(REDRAW.length), /^upload id X\n.*parts \d+\/10$/);
    line.finish();
    assert.ok(written.at(-1)!.startsWith(REDRAW));
    assert.match(written.at(-1)!.slice(REDRAW.length), /^100 B \/ 100 B {2}100% .*parts 10\/10\n$/);
    assert.equal(time.pending(), 0);
  });
});

describe("cli file body", () => {
  it("reads any slice of the file from its offset, and refuses a file changed since it was opened", async () => {
    const folder = mkdtempSync(join(tmpdir(), "qingstor-file-body-"));
    try {
      const path = join(folder, "data.bin");
      const data = new Uint8Array(10_000).map((_, i) => i % 251);
      writeFileSync(path, data);
      const { body, size } = await openFileBody(path);
      assert.equal(size, 10_000);
      assert.ok(body instanceof Blob);
      assert.equal(body.size, 10_000);
      const read = async (blob: Blob) => new Uint8Array(await blob.arrayBuffer());
      assert.deepEqual(await read(body.slice(4096, 8192)), data.subarray(4096, 8192));
      assert.deepEqual(await read(body.slice(9000)), data.subarray(9000));
      assert.deepEqual(await read(body.slice(-100, -50)), data.subarray(9900, 9950));
      assert.deepEqual(await read(body.slice(100, 200).slice(10, 20)), data.subarray(110, 120));
      assert.equal(body.slice(500, 100).size, 0);
      appendFileSync(path, "more");
      await assert.rejects(read(body.slice(0, 10)), /data\.bin changed while it was read/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
