/**
 * The command line's argument values, in-process: sizes, durations, pairs, targets, parseArgs
 * errors, validation messages, content types, shell quoting and printable output.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { expectPositionals, parseCommand, parseWholeNumber } from "../src/cli/args.ts";
import { formatBytes, parseByteSize } from "../src/cli/byte_size.ts";
import { contentTypeFor } from "../src/cli/content_type.ts";
import { formatDuration, parseDuration } from "../src/cli/duration.ts";
import { jsonText, oneLine, plural, printable } from "../src/cli/output.ts";
import { parsePairs } from "../src/cli/pairs.ts";
import { shellQuote } from "../src/cli/shell_quote.ts";
import { parseTarget } from "../src/cli/target.ts";
import { validationMessage } from "../src/cli/validation_message.ts";
import { VERSION } from "../src/cli/version.ts";
import { hasRawControl, refused } from "./support/cli.ts";

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
