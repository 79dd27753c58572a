/** `qingstor-multipart list` and `abort`: the uploads in progress, their ages, and clean-up. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createClient, initiateMultipartUpload } from "../mod.ts";
import { bucket, cliSandbox, hasRawControl, serve, type Service, TIMEOUT } from "./support/cli.ts";
import { CREDENTIALS } from "./support/harness.ts";

const { cli } = cliSandbox();

describe("qingstor-multipart list and abort", TIMEOUT, () => {
  const DAY = 86_400_000;

  /** Uploads of known ages: created now, then dated back in the emulator's open state. */
  async function uploadsOfAges(
    service: Service,
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
        // Uploads there are, but the filters left none.
        assert.equal(none.stderr, "no uploads in progress match --older-than 365d\n");
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
      assert.equal(
        result.stdout,
        `abort sent for upload ${
          ids.get("drop me")
        } of drop me; the service answered 204 (it does not say whether the upload existed)\n`,
      );
      // An upload that does not exist is answered alike, and the line claims nothing more.
      const unknown = await cli(["abort", bucket, "drop me", "wrong-id"], service.env);
      assert.equal(unknown.code, 0, unknown.stderr);
      assert.match(
        unknown.stdout,
        /^abort sent for upload wrong-id of drop me; the service answered 204 \(it does not say whether the upload existed\)\n$/,
      );
      assert.doesNotMatch(unknown.stdout, /^aborted/);
      assert.deepEqual([...service.emulator.state.uploads.keys()], [ids.get("keep")]);
    } finally {
      await service.close();
    }
  });

  it(
    "shows keys with control characters JSON-quoted, one line per upload, in list and abort",
    TIMEOUT,
    async () => {
      const service = await serve();
      try {
        // A key that would clear the screen, return to the line's start and start another line.
        const evil = "evil\x1b[2J\rkey\nsecond line\x7f\u009b";
        const ids = await uploadsOfAges(service, [[evil, DAY], ["plain", DAY]]);
        const quoted = JSON.stringify(evil).replace("\x7f", "\\u007f").replace("\u009b", "\\u009b");
        const listed = await cli(["list", bucket], service.env);
        assert.equal(listed.code, 0, listed.stderr);
        assert.deepEqual(
          listed.stdout.trimEnd().split("\n").map((line) => line.split("  ").at(-1)),
          [quoted, "plain"],
        );
        assert.ok(!hasRawControl(listed.stdout), listed.stdout);
        // JSON output holds the exact key, in escapes.
        const json = await cli(["list", bucket, "--json"], service.env);
        assert.ok(!hasRawControl(json.stdout), json.stdout);
        assert.equal(JSON.parse(json.stdout)[0].key, evil);

        const one = await cli(["abort", bucket, evil, ids.get(evil)!], service.env);
        assert.equal(one.code, 0, one.stderr);
        assert.equal(one.stdout.split("\n").length, 2, one.stdout);
        assert.ok(one.stdout.includes(quoted), one.stdout);
        await uploadsOfAges(service, [[evil, DAY]]);
        const swept = await cli(["abort", bucket, "--older-than", "0s"], service.env);
        assert.equal(swept.code, 0, swept.stderr);
        assert.deepEqual(
          swept.stdout.trimEnd().split("\n").map((line) => line.split("  ").at(-1)),
          [quoted, "plain", "2 uploads aborted"],
        );
        assert.equal(service.emulator.state.uploads.size, 0);
      } finally {
        await service.close();
      }
    },
  );
});
