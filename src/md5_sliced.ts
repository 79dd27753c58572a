// Copyright 2025 the qingstor-multipart authors. MIT license.
/**
 * MD5 of a part without freezing the thread: the bytes are hashed in slices
 * of a few milliseconds, with a turn of the event loop before each, so a page
 * keeps painting and answering input, and a server keeps serving, while an
 * 8 MiB part is hashed.
 *
 * @module
 */
import { Md5 } from "./md5.ts";

/**
 * How long one slice of hashing may run before the event loop gets a turn,
 * in milliseconds: half a 60 Hz frame, so a page still paints on time.
 */
export const MD5_SLICE_MS = 8;

/**
 * Bytes hashed between two looks at the clock. A slice ends at the first look
 * past {@linkcode MD5_SLICE_MS}, so it overruns by at most one step: 0.05 ms
 * at the 550-650 MiB/s our MD5 runs at with a JIT (V8, JavaScriptCore), 0.4 ms
 * at the 84 MiB/s issue 12 measured in a page, 3.5 ms in Chromium without a
 * JIT (9 MiB/s, as in a slow device or Safari's Lockdown Mode). Looking at the
 * clock that often costs nothing measurable.
 */
export const MD5_STEP = 32 * 1024;

/** How {@linkcode SlicedMd5} hashes. */
export interface SlicedMd5Options {
  /** Stops the hashing before its next step, which then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** How long a slice may run, in milliseconds; default {@linkcode MD5_SLICE_MS}. */
  sliceMs?: number;
  /** Bytes hashed between looks at the clock; default {@linkcode MD5_STEP}. */
  step?: number;
  /** The clock, in milliseconds; default `performance.now()`. */
  now?: () => number;
  /** Lets other tasks run; default {@linkcode nextTask}. Tests pass their own to count turns. */
  pause?: () => Promise<unknown>;
}

/**
 * Incremental MD5 that runs in slices of at most `sliceMs` milliseconds (and
 * one step), with a turn of the event loop before each: before the first one
 * too, so that hashing never runs in its caller's task, where it would add to
 * whatever else that task does (the part pool starts several parts from one
 * task). Slices are cut by time, not by bytes, so a slow device yields more
 * often and a fast one hardly pays for the turns: every 8 ms is about one
 * turn per 5 MiB with a JIT. Slices span `update()` calls, so the chunks of a
 * stream do not pay for a turn each. Where the clock stands still while code
 * runs (Cloudflare Workers), a slice lasts to the end of the `update()` call.
 *
 * @example Hash a stream's chunks as they arrive
 * ```ts
 * import { SlicedMd5 } from "./md5_sliced.ts";
 * import { encodeHex } from "./encoding.ts";
 * import assert from "node:assert/strict";
 *
 * const hash = new SlicedMd5();
 * for await (const chunk of new Blob(["hello ", "world"]).stream()) await hash.update(chunk);
 * assert.equal(encodeHex(hash.digest()), "5eb63bbbe01eeed093cb22bb8f5acdc3");
 * ```
 */
export class SlicedMd5 {
  readonly #hash = new Md5();
  readonly #signal: AbortSignal | undefined;
  readonly #sliceMs: number;
  readonly #step: number;
  readonly #now: () => number;
  readonly #pause: () => Promise<unknown>;
  // When the current slice began; none yet, so the first byte waits for a turn.
  #sliceStart: number | undefined;

  /**
   * @param options The signal, the slice length and step, the clock and how to pause.
   */
  constructor(options: SlicedMd5Options = {}) {
    this.#signal = options.signal;
    this.#sliceMs = options.sliceMs ?? MD5_SLICE_MS;
    this.#step = options.step ?? MD5_STEP;
    this.#now = options.now ?? (() => performance.now());
    this.#pause = options.pause ?? nextTask;
  }

  /**
   * Adds `data` to the hash, slice by slice. Calls must not overlap: await each.
   *
   * @param data The bytes to hash next.
   * @returns This hasher, once `data` is hashed.
   * @throws The signal's reason, when it aborts: hashing stops at the next step.
   */
  async update(data: Uint8Array): Promise<this> {
    for (let pos = 0; pos < data.length;) {
      if (this.#sliceStart === undefined || this.#now() - this.#sliceStart >= this.#sliceMs) {
        await this.#pause();
        this.#sliceStart = this.#now();
      }
      this.#signal?.throwIfAborted();
      const end = Math.min(data.length, pos + this.#step);
      this.#hash.update(data.subarray(pos, end));
      pos = end;
    }
    return this;
  }

  /**
   * Returns the digest of everything hashed so far (quick: at most two blocks).
   *
   * @returns The 16-byte digest.
   */
  digest(): Uint8Array {
    return this.#hash.digest();
  }
}

/**
 * The MD5 of `data`, hashed in slices with a turn of the event loop before
 * each (see {@linkcode SlicedMd5}), and one after the last: what the caller
 * does next then runs in a task of its own, not on top of a slice (sending
 * a part copies it into a `Request`, itself some milliseconds in a browser).
 *
 * @example Hash a part; an abort stops it
 * ```ts
 * import { md5Sliced } from "./md5_sliced.ts";
 * import { encodeHex } from "./encoding.ts";
 * import assert from "node:assert/strict";
 *
 * const part = new Uint8Array(8 * 1024 * 1024);
 * assert.equal(encodeHex(await md5Sliced(part)), "96995b58d4cbf6aaa9041b4f00c7f6ae");
 * const reason = new Error("cancelled");
 * await assert.rejects(md5Sliced(part, { signal: AbortSignal.abort(reason) }), reason);
 * ```
 *
 * @param data The bytes to hash.
 * @param options The signal, the slice length and step, the clock and how to pause.
 * @returns The 16-byte digest.
 * @throws The signal's reason, when it aborts.
 */
export async function md5Sliced(
  data: Uint8Array,
  options: SlicedMd5Options = {},
): Promise<Uint8Array> {
  const hash = await new SlicedMd5(options).update(data);
  if (data.length) await (options.pause ?? nextTask)();
  return hash.digest();
}

type Immediate = (callback: () => void) => unknown;

/**
 * Resolves in a later task (a macrotask), after the event loop has run
 * what was waiting: I/O, timers, rendering, input. A microtask would not
 * do: the event loop runs those before anything else.
 *
 * - `setImmediate` where it exists (Node, Deno, Bun): no clamping, and it
 *   does not keep the process alive as a `MessagePort` listening would.
 * - Else a `MessageChannel` message (browsers): not clamped to 4 ms once
 *   nested as `setTimeout` is (HTML's timer nesting rule), nor throttled to
 *   once a second in a background tab. It measured as fast as
 *   `scheduler.yield()` in Chromium, which other browsers lack.
 * - Else `setTimeout` (Cloudflare Workers, which have neither; their clock
 *   does not advance while code runs, so nothing is lost waiting).
 *
 * @returns A promise that resolves in a later task.
 */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => queueTask(resolve));
}

let queueTask: (callback: () => void) => void = (callback) => {
  const { setImmediate } = globalThis as { setImmediate?: Immediate };
  if (typeof setImmediate == "function") {
    queueTask = (task) => setImmediate(task);
  } else if (typeof MessageChannel == "function") {
    // One channel for every turn; messages arrive in order, so the callbacks run in order.
    const channel = new MessageChannel();
    const waiting: (() => void)[] = [];
    channel.port1.onmessage = () => waiting.shift()?.();
    queueTask = (task) => {
      waiting.push(task);
      channel.port2.postMessage(undefined);
    };
  } else {
    queueTask = (task) => setTimeout(task, 0);
  }
  queueTask(callback);
};
