/**
 * upload() with a resumeStore: the upload ID stored at initiate, resumed from the store (only the
 * missing parts sent), replaced when gone, forgotten on success or a clean abort and kept with the
 * parts; a store that fails; the fingerprint; localStorageResumeStore.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type Client,
  createClient,
  localStorageResumeStore,
  type ResumeStore,
  ResumeStoreError,
  type StorageLike,
  upload,
  UploadError,
  ValidationError,
} from "../mod.ts";
import { CREDENTIALS, localClient, requestCountingFetch, withEmulator } from "./support/harness.ts";
import { nativeMd5, testBytes } from "./support/bytes.ts";
import { bucket, chunked, multipart, partSize, sizing } from "./support/upload.ts";
import { defaultFingerprint } from "../src/upload/resume_store.ts";

/** A store in a Map that records every call, answering synchronously or with promises. */
function recordingStore(asynchronous = false) {
  const entries = new Map<string, string>();
  const calls: string[] = [];
  const answer = <T>(value: T) => asynchronous ? Promise.resolve(value) : value;
  return {
    entries,
    calls,
    get(fingerprint: string) {
      calls.push("get");
      return answer(entries.get(fingerprint));
    },
    set(fingerprint: string, uploadId: string) {
      calls.push("set");
      entries.set(fingerprint, uploadId);
      return answer(undefined);
    },
    delete(fingerprint: string) {
      calls.push("delete");
      entries.delete(fingerprint);
      return answer(undefined);
    },
  };
}

const body = testBytes(6 * partSize, 21);
const fingerprint = defaultFingerprint({ bucket, key: "remembered", body }, body.length);

/**
 * Uploads `body` as "remembered" one part at a time, aborted by the caller once at least two
 * parts are done (progress is throttled: the events of parts close in time merge). Resolves with
 * what it threw and how many parts it had been told of.
 */
async function stoppedAfterTwoParts(
  client: Client,
  options: { resumeStore: ResumeStore; leavePartsOnError: boolean },
): Promise<{ error: unknown; told: number }> {
  const controller = new AbortController();
  let told = 0;
  const error = await upload(client, {
    bucket,
    key: "remembered",
    body,
    ...sizing,
    ...options,
    concurrency: 1,
    signal: controller.signal,
    onProgress: ({ partsDone }) => {
      if (partsDone >= 2 && !controller.signal.aborted) {
        told = partsDone;
        controller.abort(new Error("stop"));
      }
    },
  }).then(() => assert.fail("the upload was not stopped"), (e) => e);
  assert.match(String(error), /stop/);
  return { error, told };
}

describe("upload() with a resumeStore", () => {
  for (const asynchronous of [false, true]) {
    it(`stores the ID at initiate and forgets it on success (${asynchronous ? "async" : "sync"} store)`, () =>
      withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
        const store = recordingStore(asynchronous);
        let storedBeforeParts: string | undefined;
        const result = multipart(
          await upload(client(), {
            bucket,
            key: "remembered",
            body,
            ...sizing,
            resumeStore: store,
            onProgress: () => storedBeforeParts ??= store.entries.get(fingerprint),
          }),
        );
        assert.equal(storedBeforeParts, result.uploadId, "stored before any part");
        assert.deepEqual(store.calls, ["get", "set", "delete"]);
        assert.equal(store.entries.size, 0);
        assert.equal(emulator.state.objects.get(`${bucket}/remembered`)!.md5, nativeMd5(body));
      }));
  }

  it("resumes the stored upload, sending only the missing parts, and keeps it while it fails", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const store = recordingStore();
      // The first run stops after two parts or more and keeps them: the entry stays.
      const { told } = await stoppedAfterTwoParts(client(), {
        resumeStore: store,
        leavePartsOnError: true,
      });
      const uploadId = store.entries.get(fingerprint)!;
      const kept = emulator.state.uploads.get(uploadId)!.parts.size;
      // Told before complete, so the upload stays open even when every part is there.
      assert.ok(kept >= told && told >= 2, `${kept} parts kept, ${told} told`);
      const before = emulator.state.requests.length;
      const result = multipart(
        await upload(client(), { bucket, key: "remembered", body, ...sizing, resumeStore: store }),
      );
      assert.equal(result.uploadId, uploadId);
      const sent = emulator.state.requests.slice(before).filter((r) => r.operation == "uploadPart");
      assert.equal(sent.length, 6 - kept);
      assert.equal(store.entries.size, 0);
      assert.equal(emulator.state.objects.get(`${bucket}/remembered`)!.md5, nativeMd5(body));
    }));

  it("replaces a stored upload that is gone with a new one", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const store = recordingStore();
      store.entries.set(fingerprint, "0000000000gone");
      const result = multipart(
        await upload(client(), { bucket, key: "remembered", body, ...sizing, resumeStore: store }),
      );
      assert.notEqual(result.uploadId, "0000000000gone");
      assert.deepEqual(store.calls, ["get", "set", "delete"]);
      assert.equal(emulator.state.requests[0].operation, "listParts");
      assert.equal(emulator.state.requests[0].status, 404);
      assert.equal(emulator.state.objects.get(`${bucket}/remembered`)!.md5, nativeMd5(body));
    }));

  it("forgets an upload aborted on the service, and keeps one whose parts are kept", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      for (const keep of [false, true]) {
        const store = recordingStore();
        await stoppedAfterTwoParts(client(), { resumeStore: store, leavePartsOnError: keep });
        assert.equal(store.entries.size, keep ? 1 : 0, keep ? "kept" : "aborted");
        assert.equal(emulator.state.uploads.size, keep ? 1 : 0);
      }
    }));

  it("does not use the store for a body that goes in one PUT", () =>
    withEmulator({ minPartSize: partSize }, async ({ client }) => {
      const store = recordingStore();
      const result = await upload(client(), {
        bucket,
        key: "small",
        body: testBytes(partSize),
        ...sizing,
        resumeStore: store,
      });
      assert.equal(result.uploadId, undefined);
      assert.deepEqual(store.calls, []);
    }));

  it("needs a fingerprint for a stream of unknown size, and uses the one given", () =>
    withEmulator({ minPartSize: partSize }, async ({ client }) => {
      const store = recordingStore();
      await assert.rejects(
        upload(client(), { bucket, key: "s", body: chunked(body), ...sizing, resumeStore: store }),
        (error) => error instanceof ValidationError && error.parameter == "fingerprint",
      );
      await upload(client(), {
        bucket,
        key: "s",
        body: chunked(body),
        ...sizing,
        resumeStore: store,
        fingerprint: "my file",
      });
      assert.deepEqual(store.calls, ["get", "set", "delete"]);
    }));

  it("fails before sending anything when get fails, or answers no upload ID", async () => {
    const counter = requestCountingFetch();
    const client = localClient(counter.fetch);
    const broken = {
      ...recordingStore(),
      get: () => Promise.reject(new Error("disk full")),
    };
    const garbage = { ...recordingStore(), get: () => "bad\nid" };
    for (const store of [broken, garbage]) {
      let cancelled = false;
      const error = await upload(client, {
        bucket,
        key: "k",
        body: new ReadableStream({
          pull: (controller) => controller.enqueue(testBytes(10)),
          cancel: () => void (cancelled = true),
        }),
        size: 5000,
        ...sizing,
        resumeStore: store,
      }).catch((e) => e);
      assert.ok(error instanceof ResumeStoreError, String(error));
      assert.equal(error.operation, "get");
      assert.ok(cancelled, "the body was released");
    }
    assert.equal(counter.count, 0);
  });

  it("aborts a new upload that the store could not remember", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const store = {
        ...recordingStore(),
        set: () => {
          throw new Error("read-only");
        },
      };
      const error = await upload(client(), {
        bucket,
        key: "remembered",
        body,
        ...sizing,
        resumeStore: store,
      }).catch((e) => e);
      assert.ok(error instanceof UploadError, String(error));
      assert.ok(error.cause instanceof ResumeStoreError);
      assert.equal(error.aborted, true);
      assert.equal(emulator.state.uploads.size, 0);
      assert.ok(!emulator.state.requests.some((r) => r.operation == "uploadPart"));
    }));

  it("tells a failed delete on the result, which still succeeds", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const store = {
        ...recordingStore(),
        delete: () => Promise.reject(new Error("offline")),
      };
      const result = multipart(
        await upload(client(), { bucket, key: "remembered", body, ...sizing, resumeStore: store }),
      );
      assert.ok(result.resumeStoreError instanceof ResumeStoreError);
      assert.equal(result.resumeStoreError.operation, "delete");
      assert.ok(emulator.state.objects.has(`${bucket}/remembered`));
    }));

  it("refuses a store without its methods, uploadId with a store, a fingerprint alone", async () => {
    const client = createClient({ endpoint: "http://localhost", credentials: CREDENTIALS });
    const cases: [Record<string, unknown>, string][] = [
      [{ resumeStore: { get() {} } }, "resumeStore"],
      [{ resumeStore: recordingStore(), uploadId: "abc" }, "uploadId"],
      [{ fingerprint: "f" }, "fingerprint"],
      [{ resumeStore: recordingStore(), fingerprint: "" }, "fingerprint"],
    ];
    for (const [change, parameter] of cases) {
      await assert.rejects(
        // deno-lint-ignore no-explicit-any
        upload(client, { bucket, key: "k", body, ...sizing, ...change } as any),
        (error) => error instanceof ValidationError && error.parameter == parameter,
        parameter,
      );
    }
  });

  it("fingerprints bucket, key and size, and a File's name and last-modified time", () => {
    const one = defaultFingerprint({ bucket, key: "k", body }, 10);
    assert.notEqual(one, defaultFingerprint({ bucket, key: "k2", body }, 10));
    assert.notEqual(one, defaultFingerprint({ bucket, key: "k", body }, 11));
    // Keys that would run together in a plain concatenation stay apart.
    assert.notEqual(
      defaultFingerprint({ bucket, key: "a,1", body }, 2),
      defaultFingerprint({ bucket, key: "a", body }, 12),
    );
    if (typeof File == "function") {
      const file = (name: string, lastModified: number) =>
        new File([body.slice()], name, { lastModified });
      const a = defaultFingerprint({ bucket, key: "k", body: file("a.bin", 1) }, body.length);
      assert.notEqual(
        a,
        defaultFingerprint({ bucket, key: "k", body: file("b.bin", 1) }, body.length),
      );
      assert.notEqual(
        a,
        defaultFingerprint({ bucket, key: "k", body: file("a.bin", 2) }, body.length),
      );
    }
  });

  it("keeps the ID in a Web Storage with localStorageResumeStore", () =>
    withEmulator({ minPartSize: partSize }, async ({ client, emulator }) => {
      const items = new Map<string, string>();
      const storage: StorageLike = {
        getItem: (key) => items.get(key) ?? null,
        setItem: (key, value) => void items.set(key, value),
        removeItem: (key) => void items.delete(key),
      };
      const store = localStorageResumeStore("uploads:", storage);
      await stoppedAfterTwoParts(client(), { resumeStore: store, leavePartsOnError: true });
      const uploadId = items.get("uploads:" + fingerprint)!;
      assert.ok(emulator.state.uploads.has(uploadId));
      const result = multipart(
        await upload(client(), { bucket, key: "remembered", body, ...sizing, resumeStore: store }),
      );
      assert.equal(result.uploadId, uploadId);
      assert.equal(items.size, 0);
    }));
});
