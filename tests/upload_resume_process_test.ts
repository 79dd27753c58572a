/**
 * upload() with a resume store across two processes: the first is killed midway (once its third
 * part has landed and its fourth is held), the second resumes from the store file and sends only
 * the missing parts. The processes run under whichever runtime runs the tests.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { nativeMd5, testBytes } from "./support/bytes.ts";
import { bucket, cliSandbox, runtimeCommand, serve, TIMEOUT } from "./support/cli.ts";

const { file, start } = cliSandbox();

/** The child program under the runtime running the tests, as the CLI is run. */
const CHILD = runtimeCommand("tests/support/resume_child.ts");

const PART = 1024;
const PARTS = 8;

describe("upload() with a resume store, across processes", TIMEOUT, () => {
  it(
    "resumes after the first process is killed, sending only the missing parts",
    TIMEOUT,
    async () => {
      const service = await serve();
      try {
        const data = testBytes(PARTS * PART, 77);
        const path = file("resumed.bin", data);
        // Made by the first process, when it stores the upload's ID.
        const storeFile = join(dirname(path), "store.json");
        const args = [service.server.url, path, storeFile, "resumed.bin"];
        const isPart = (url: URL) => url.searchParams.has("part_number");
        let parts = 0;
        // Parts go one at a time: the fourth is held, so exactly three are on the service.
        service.hold((url, request) => request.method == "PUT" && isPart(url) && ++parts > 3);
        const first = start(args, service.env, { command: CHILD });
        await service.until(({ url, status }) => isPart(url) && status == 0);
        first.child.kill("SIGKILL");
        await first.exit;
        service.release();
        const stored = JSON.parse(readFileSync(storeFile, "utf8"));
        const [uploadId] = Object.values(stored) as string[];
        assert.equal(service.emulator.state.uploads.get(uploadId)!.parts.size, 3);

        const before = service.emulator.state.requests.length;
        const second = start(args, service.env, { command: CHILD });
        assert.equal(await second.exit, 0, second.stderr());
        assert.match(second.stdout(), new RegExp(`^done: upload ${uploadId}$`, "m"));
        const sent = service.emulator.state.requests.slice(before).map((r) => r.operation);
        assert.equal(sent.filter((operation) => operation == "uploadPart").length, PARTS - 3);
        assert.equal(sent.filter((operation) => operation == "initiateMultipartUpload").length, 0);
        assert.equal(
          service.emulator.state.objects.get(`${bucket}/resumed.bin`)!.md5,
          nativeMd5(data),
        );
        assert.deepEqual(JSON.parse(readFileSync(storeFile, "utf8")), {});
      } finally {
        await service.close();
      }
    },
  );
});
