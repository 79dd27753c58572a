/**
 * What `qingstor-multipart upload` says when stopped, by what it was doing: waiting for initiate
 * or complete, listing a resumed upload's parts, or sending parts with none on the service yet.
 * Each says what it waits for, and a second Ctrl-C says what may be left.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { initiateMultipartUpload, uploadPart } from "../mod.ts";
import { testBytes } from "./support/bytes.ts";
import {
  bucket,
  cliSandbox,
  PART,
  serve,
  type Service,
  signal,
  SMALL,
  stored,
  TIMEOUT,
} from "./support/cli.ts";

const { file, start } = cliSandbox();

const isComplete = (url: URL, request: Request) =>
  request.method == "POST" && url.searchParams.has("upload_id");
const isInitiate = (url: URL, request: Request) =>
  request.method == "POST" && url.searchParams.has("uploads");
const isListParts = (url: URL, request: Request) =>
  request.method == "GET" && url.searchParams.has("upload_id");
const held = (service: Service, test: (url: URL, request: Request) => boolean) =>
  service.until(({ url, request, status }) => status == 0 && test(url, request));

describe("qingstor-multipart upload, stopped, says what it waits for", TIMEOUT, () => {
  it(
    "waits for complete's answer at Ctrl-C, and exits 0 if the object was made",
    TIMEOUT,
    async () => {
      const service = await serve();
      // Slow, but handled: complete succeeds after the Ctrl-C.
      service.hold(isComplete, { handle: true });
      const running = start(
        ["upload", file("done.bin", testBytes(2 * PART, 40)), `${bucket}/done.bin`, ...SMALL],
        service.env,
      );
      try {
        await held(service, isComplete);
        signal(running, "SIGINT");
        await running.untilStderr(
          /^interrupted: waiting for complete's answer, which says whether mybucket\/done\.bin was created \(Ctrl-C again to exit at once\)$/m,
        );
        service.release();
        assert.equal(await running.exit, 0, running.stderr());
        assert.match(running.stdout(), /^uploaded mybucket\/done\.bin: 32768 bytes, 2 parts/);
        assert.doesNotMatch(running.stderr(), /aborting/);
        assert.equal(stored(service.emulator, "done.bin").size, 2 * PART);
      } finally {
        await service.close();
      }
    },
  );

  it(
    "says the object may exist at a second Ctrl-C during a complete with no answer",
    TIMEOUT,
    async () => {
      const service = await serve();
      service.hold(isComplete);
      const running = start(
        ["upload", file("maybe.bin", testBytes(2 * PART, 41)), `${bucket}/maybe.bin`, ...SMALL],
        service.env,
      );
      try {
        await held(service, isComplete);
        signal(running, "SIGINT");
        await running.untilStderr(/waiting for complete's answer/);
        signal(running, "SIGINT");
        assert.equal(await running.exit, 130);
        const [upload] = service.emulator.state.uploads.values();
        assert.match(
          running.stderr(),
          new RegExp(
            `^qingstor-multipart: interrupted again, exiting at once: complete got no answer, so mybucket/maybe\\.bin may exist now, or upload ${upload.uploadId} may be left in progress; check with: qingstor-multipart list --prefix maybe\\.bin -- mybucket$`,
            "m",
          ),
        );
      } finally {
        await service.close();
      }
    },
  );

  it(
    "waits for initiate's answer, and at a second Ctrl-C says an upload may exist",
    TIMEOUT,
    async () => {
      const service = await serve();
      service.hold(isInitiate);
      const running = start(
        ["upload", file("slow.bin", testBytes(2 * PART, 42)), `${bucket}/slow.bin`, ...SMALL],
        service.env,
      );
      try {
        await held(service, isInitiate);
        signal(running, "SIGINT");
        await running.untilStderr(
          /^interrupted: waiting for initiate's answer, to abort the upload it creates \(/m,
        );
        signal(running, "SIGINT");
        assert.equal(await running.exit, 130);
        assert.match(
          running.stderr(),
          /^qingstor-multipart: interrupted again, exiting at once: initiate got no answer, so an upload of mybucket\/slow\.bin may have been created; find it with: qingstor-multipart list --prefix slow\.bin -- mybucket$/m,
        );
      } finally {
        await service.close();
      }
    },
  );

  it("says why --keep-parts-on-error aborts an upload with no part yet", TIMEOUT, async () => {
    const service = await serve();
    const running = start(
      ["upload", "-", `${bucket}/empty-handed.bin`, ...SMALL, "--keep-parts-on-error"],
      service.env,
      { stdin: "pipe" },
    );
    try {
      // More than a part, so an upload starts; its parts are held, so none is on the service.
      service.hold((url) => url.searchParams.has("part_number"));
      running.child.stdin!.write(testBytes(PART + 1, 45));
      await running.untilStderr(/^started upload id \w+$/m);
      signal(running, "SIGINT");
      assert.equal(await running.exit, 130, running.stderr());
      assert.match(
        running.stderr(),
        /^interrupted: aborting the upload, which has no part on the service yet to keep \(/m,
      );
      assert.match(
        running.stderr(),
        /^qingstor-multipart: upload \w+ aborted on the service: it had no part yet, so nothing to keep$/m,
      );
      assert.equal(service.emulator.state.uploads.size, 0);
    } finally {
      running.child.stdin!.destroy();
      await service.close();
    }
  });

  it(
    "keeps a resumed upload stopped while its parts are listed, claiming no count",
    TIMEOUT,
    async () => {
      const service = await serve();
      const data = testBytes(5 * PART, 43);
      const path = file("listed.bin", data);
      const target = { bucket, key: "listed.bin" };
      const { uploadId } = await initiateMultipartUpload(service.client, target);
      await uploadPart(service.client, {
        ...target,
        uploadId,
        partNumber: 0,
        body: data.subarray(0, PART),
      });
      service.hold(isListParts);
      const running = start(
        ["upload", path, `${bucket}/listed.bin`, ...SMALL, "--resume", uploadId],
        service.env,
      );
      try {
        await held(service, isListParts);
        signal(running, "SIGINT");
        assert.equal(await running.exit, 130, running.stderr());
        assert.match(
          running.stderr(),
          /^interrupted: stopping the listing of the upload's parts; they are kept \(/m,
        );
        assert.match(
          running.stderr(),
          new RegExp(
            `^qingstor-multipart: upload ${uploadId} kept with its parts \\(stopped while they were listed\\) on the service; resume it with:$`,
            "m",
          ),
        );
        assert.equal(service.emulator.state.uploads.get(uploadId)!.parts.size, 1);
      } finally {
        await service.close();
      }
    },
  );

  it(
    "counts a resumed upload's parts on the service, those not reached yet included",
    TIMEOUT,
    async () => {
      const service = await serve();
      const data = testBytes(5 * PART, 44);
      const path = file("counted.bin", data);
      const target = { bucket, key: "counted.bin" };
      const { uploadId } = await initiateMultipartUpload(service.client, target);
      // Parts 0 and 4 are there; 1 hangs, so 4 is never reached in this run.
      for (const partNumber of [0, 4]) {
        const body = data.subarray(partNumber * PART, (partNumber + 1) * PART);
        await uploadPart(service.client, { ...target, uploadId, partNumber, body });
      }
      service.hold((url, request) =>
        request.method == "PUT" && url.searchParams.get("part_number") == "1"
      );
      const running = start(
        [
          "upload",
          path,
          `${bucket}/counted.bin`,
          ...SMALL,
          "--resume",
          uploadId,
          "--concurrency",
          "1",
        ],
        service.env,
      );
      try {
        await held(
          service,
          (url, request) => request.method == "PUT" && url.searchParams.has("part_number"),
        );
        signal(running, "SIGINT");
        assert.equal(await running.exit, 130, running.stderr());
        assert.match(
          running.stderr(),
          /^interrupted: stopping; the parts on the service are kept \(/m,
        );
        assert.match(
          running.stderr(),
          new RegExp(
            `^qingstor-multipart: upload ${uploadId} kept with 2 parts on the service; resume it with:$`,
            "m",
          ),
        );
      } finally {
        await service.close();
      }
    },
  );
});
