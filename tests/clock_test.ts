/**
 * Presigning with a skewed clock: a fresh client dates URLs by the local
 * clock; after syncClock() (or with a seeded clockOffset) they live their
 * stated life on the service's clock.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type Client,
  createClient,
  presign,
  QingStorError,
  syncClock,
  ValidationError,
} from "../mod.ts";
import { createEmulator, type Emulator } from "../src/testing/mod.ts";
import { CREDENTIALS, inProcess, withEmulator } from "./support/harness.ts";

const bucket = "mybucket";
const HOUR = 3_600_000;

/** A URL that starts an upload: it needs no state, so any emulator can judge it. */
function presignInitiate(client: Client, expiresIn = 600): Promise<string> {
  return presign(client, {
    method: "POST",
    bucket,
    key: "k",
    query: { uploads: "" },
    expiresIn,
  });
}

/** The status an emulator whose clock is `offset` ahead of the local one answers the URL with. */
async function statusAt(url: string, offset: number): Promise<number> {
  const judge = createEmulator({ credentials: [CREDENTIALS], clockOffset: offset });
  return (await judge.fetch(new Request(url, { method: "POST" }))).status;
}

/** Seconds the URL has left on the emulator's clock. */
function lifeLeft(url: string, emulator: Emulator): number {
  return Number(new URL(url).searchParams.get("expires")) - emulator.now() / 1000;
}

describe("presigning with a skewed clock", () => {
  it("dates URLs by the local clock until the client knows the service's (the problem)", async () => {
    const ahead = inProcess({ clockOffset: HOUR });
    const early = await presignInitiate(ahead.client);
    assert.equal(await statusAt(early, HOUR), 403, "expired on arrival");
    const behind = inProcess({ clockOffset: -HOUR });
    const late = await presignInitiate(behind.client);
    assert.ok(lifeLeft(late, behind.emulator) > 4100, "a 600 s URL lives 70 minutes");
  });

  for (const hours of [1, -1]) {
    it(`makes URLs that live their stated life after syncClock, service ${hours} h off`, async () => {
      const offset = hours * HOUR;
      const { emulator, client } = inProcess({ clockOffset: offset });
      const learnt = await syncClock(client);
      assert.equal(client.clockOffset, learnt);
      assert.ok(Math.abs(learnt - offset) < 1500, `learnt ${learnt}`);
      assert.equal(emulator.state.requests.length, 1, "one request");
      assert.equal(emulator.state.requests[0].method, "HEAD");

      const url = await presignInitiate(client, 600);
      assert.ok(Math.abs(lifeLeft(url, emulator) - 600) < 2, String(lifeLeft(url, emulator)));
      assert.equal(await statusAt(url, offset), 200, "works now");
      assert.equal(await statusAt(url, offset + 590_000), 200, "still works near its end");
      assert.equal(await statusAt(url, offset + 610_000), 403, "expired after its life");
    });
  }

  it("syncs over real HTTP, asking a bucket when told to", () =>
    withEmulator({ clockOffset: -HOUR }, async ({ client, emulator }) => {
      const c = client();
      const learnt = await syncClock(c, { bucket });
      assert.ok(Math.abs(learnt + HOUR) < 1500, `learnt ${learnt}`);
      assert.equal(emulator.state.requests[0].target, `/${bucket}`);
      assert.equal(await statusAt(await presignInitiate(c), -HOUR), 200);
    }));

  it("takes a clock offset seeded at createClient", async () => {
    const { emulator } = inProcess({ clockOffset: HOUR });
    const seeded = createClient({
      endpoint: "http://localhost",
      credentials: CREDENTIALS,
      fetch: emulator.fetch,
      clockOffset: HOUR,
    });
    assert.equal(seeded.clockOffset, HOUR);
    assert.equal(await statusAt(await presignInitiate(seeded), HOUR), 200);
    for (const clockOffset of [NaN, Infinity, "3600000" as never]) {
      assert.throws(
        () => createClient({ zone: "pek3a", clockOffset }),
        (error) => error instanceof ValidationError && error.parameter == "clockOffset",
      );
    }
  });

  it("fails as QingStorError without an answer or without a Date, and stops on the signal", async () => {
    const never = createClient({
      endpoint: "http://127.0.0.1:9",
      timeout: 20,
      fetch: (request) =>
        new Promise((_, reject) =>
          request.signal.addEventListener("abort", () => reject(request.signal.reason))
        ),
    });
    const silent = await syncClock(never).catch((e) => e);
    assert.ok(silent instanceof QingStorError, String(silent));
    assert.equal(silent.status, 0);
    assert.match(silent.message, /no answer within 20 ms/);
    assert.equal(never.clockOffset, 0);

    const undated = createClient({
      endpoint: "http://127.0.0.1:9",
      fetch: () => Promise.resolve(new Response(null, { status: 403 })),
    });
    const error = await syncClock(undated).catch((e) => e);
    assert.ok(error instanceof QingStorError, String(error));
    assert.match(error.message, /no Date header/);

    const reason = new Error("stop");
    await assert.rejects(
      syncClock(never, { signal: AbortSignal.abort(reason) }),
      (e) => e === reason,
    );
  });
});
