/** `qingstor-multipart upload` interrupted: Ctrl-C aborts, or keeps the parts to resume. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { testBytes } from "./support/bytes.ts";
import {
  bucket,
  cliSandbox,
  isPart,
  PART,
  serve,
  signal,
  SMALL,
  stored,
  TIMEOUT,
} from "./support/cli.ts";

const { cli, file, scratch, start } = cliSandbox();

describe("qingstor-multipart upload, interrupted", TIMEOUT, () => {
  for (
    const [name, code, what] of [
      ["SIGINT", 130, "interrupted"],
      ["SIGTERM", 143, "terminated \\(SIGTERM\\)"],
      ["SIGHUP", 129, "hung up \\(SIGHUP\\)"],
    ] as const
  ) {
    it(`aborts the upload on the service at ${name}, then exits ${code}`, TIMEOUT, async () => {
      const service = await serve();
      const running = start(["upload", "-", `${bucket}/interrupted.bin`, ...SMALL], service.env, {
        stdin: "pipe",
      });
      try {
        // A part and a half: the first goes out, then the upload waits on stdin, held open.
        running.child.stdin!.write(testBytes(PART + PART / 2, 10));
        await service.until(isPart(0));
        signal(running, name);
        assert.equal(await running.exit, code, running.stderr());
        assert.equal(service.emulator.state.uploads.size, 0);
        assert.ok(
          service.seen.some(({ request, status }) => request.method == "DELETE" && status == 204),
        );
        assert.match(running.stderr(), new RegExp(`^${what}: aborting the upload`, "m"));
        assert.match(running.stderr(), /^qingstor-multipart: upload \w+ aborted on the service$/m);
        assert.equal(service.emulator.state.objects.size, 0);
      } finally {
        running.child.stdin!.destroy();
        await service.close();
      }
    });
  }

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
      const [upload] = service.emulator.state.uploads.values();
      assert.match(
        running.stderr(),
        new RegExp(
          `^qingstor-multipart: interrupted again, exiting at once: the abort got no answer, so upload ${upload.uploadId} may be left in progress; abort it with: qingstor-multipart abort -- mybucket impatient\\.bin ${upload.uploadId}$`,
          "m",
        ),
      );
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
      // A name that starts with -: the printed command puts it after --, so it is not an option.
      file("-resumable.bin", data);
      // Part 0 goes through; the others hang on a slow service until the user gives up.
      service.hold((url) => Number(url.searchParams.get("part_number")) > 0);
      const running = start(
        [
          "upload",
          ...SMALL,
          "--keep-parts-on-error",
          "--",
          "-resumable.bin",
          `${bucket}/resumable.bin`,
        ],
        service.env,
        { cwd: scratch },
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
          `qingstor-multipart upload --resume ${upload.uploadId} ` +
            `--part-size 16KiB --min-part-size 1KiB -- -resumable.bin ${bucket}/resumable.bin`,
        );
        service.release();

        const [, ...args] = command.split(" ");
        const resumed = await cli(args, service.env, { cwd: scratch });
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
});
