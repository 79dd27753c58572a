/**
 * The command line when its reader goes away (`… | head -1`): a closed stdout ends the command
 * quietly with 141, after aborting an upload in progress; a closed stderr only loses messages.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { initiateMultipartUpload } from "../mod.ts";
import { testBytes } from "./support/bytes.ts";
import { bucket, CLI, cliSandbox, PART, serve, SMALL, stored, TIMEOUT } from "./support/cli.ts";

const { file, start } = cliSandbox();

/** The CLI with stderr on the same pipe as stdout, as `2>&1 |` makes it. */
const MERGED = ["sh", "-c", 'exec "$@" 2>&1', "sh", ...CLI];

describe("qingstor-multipart with a closed stdout or stderr", TIMEOUT, () => {
  it(
    "aborts an upload as on Ctrl-C when its output pipe closes (2>&1 | head -1), then exits 141",
    TIMEOUT,
    async () => {
      const service = await serve();
      const running = start(
        ["upload", "-", `${bucket}/headed.bin`, ...SMALL, "--verbose"],
        service.env,
        { command: MERGED, stdin: "pipe" },
      );
      try {
        // More than one part: the body does not fit in one PUT, so an upload starts.
        running.child.stdin!.write(testBytes(PART + 1, 19));
        await running.untilStdout(/^started upload id \w+$/m);
        // The reader is gone; the next line written (a request logged) meets a closed pipe.
        running.child.stdout!.destroy();
        running.child.stdin!.write(testBytes(PART + PART / 2, 20));
        assert.equal(await running.exit, 141);
        assert.equal(service.emulator.state.uploads.size, 0);
        assert.ok(
          service.seen.some(({ request, status }) => request.method == "DELETE" && status == 204),
        );
      } finally {
        running.child.stdin!.destroy();
        await service.close();
      }
    },
  );

  it("ends list and abort quietly with 141 when stdout is closed", TIMEOUT, async () => {
    const service = await serve();
    try {
      for (const key of ["a", "b", "c"]) {
        await initiateMultipartUpload(service.client, { bucket, key });
      }
      for (const args of [["list", bucket], ["abort", bucket, "--older-than", "0"]]) {
        const running = start(args, service.env);
        running.child.stdout!.destroy();
        assert.equal(await running.exit, 141, args.join(" "));
        // No stack trace, no message: the reader left on purpose.
        assert.equal(running.stderr(), "", args.join(" "));
      }
      // The clean-up stopped when nobody read its lines any more.
      assert.ok(service.emulator.state.uploads.size < 3);
    } finally {
      await service.close();
    }
  });

  it("goes on uploading when stderr is closed, dropping its messages", TIMEOUT, async () => {
    const service = await serve();
    const running = start(
      ["upload", file("quiet.bin", testBytes(3 * PART, 21)), `${bucket}/quiet.bin`, ...SMALL, "-v"],
      service.env,
    );
    try {
      running.child.stderr!.destroy();
      assert.equal(await running.exit, 0);
      assert.match(running.stdout(), /^uploaded mybucket\/quiet\.bin: 49152 bytes, 3 parts/);
      assert.equal(stored(service.emulator, "quiet.bin").size, 3 * PART);
    } finally {
      await service.close();
    }
  });
});
