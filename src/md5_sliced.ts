// Copyright 2025 the qingstor-multipart authors. MIT license.
/**
 * MD5 of a part without freezing the thread: the bytes are hashed in slices,
 * with a turn of the event loop before each, so a page keeps painting and
 * answering input, and a server keeps serving, while an 8 MiB part is hashed.
 *
 * @module
 */
import { Md5 } from "./md5.ts";

/**
 * Bytes hashed between two turns of the event loop. Our MD5 runs at about
 * 550-650 MiB/s in V8 and JavaScriptCore on a desktop core, so a slice takes
 * about 1 ms there, and under 8 ms on a device ten times slower (issue 12's
 * figure, 95 ms of frozen page per 8 MiB part, is 84 MiB/s: 6 ms a slice).
 * Yielding every 512 KiB cost about 1 % of hashing speed in Deno, Node, Bun
 * and Chromium, every 64 KiB 3-10 % (scripts/bench/md5.ts measures it).
 */
export const MD5_SLICE = 512 * 1024;

/** How {@linkcode SlicedMd5} hashes. */
export interface SlicedMd5Options {
  /** Stops the hashing before its next slice, which then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Bytes hashed between turns of the event loop; default {@linkcode MD5_SLICE}. */
  sliceSize?: number;
  /** Lets other tasks run; default {@linkcode nextTask}. Tests pass their own to count turns. */
  pause?: () => Promise<unknown>;
}

/**
 * Incremental MD5 that gives the event loop a turn before each slice of
 * `sliceSize` bytes: before the first one too, so that hashing never runs in
 * its caller's task, where it would add to whatever else that task does
 * (the part pool starts several parts from one task). Bytes from many small
 * `update()` calls (chunks of a stream) share a slice, so they do not pay
 * for a turn each.
 */
export class SlicedMd5 {
  readonly #hash = new Md5();
  readonly #signal: AbortSignal | undefined;
  readonly #sliceSize: number;
  readonly #pause: () => Promise<unknown>;
  // Bytes hashed since the last turn; full at first, so the first byte waits for a turn.
  #sinceTurn: number;

  /**
   * @param options The signal, the slice size and how to pause.
   */
  constructor(options: SlicedMd5Options = {}) {
    this.#signal = options.signal;
    this.#sliceSize = options.sliceSize ?? MD5_SLICE;
    this.#pause = options.pause ?? nextTask;
    this.#sinceTurn = this.#sliceSize;
  }

  /**
   * Adds `data` to the hash, slice by slice. Calls must not overlap: await each.
   *
   * @param data The bytes to hash next.
   * @returns This hasher, once `data` is hashed.
   * @throws The signal's reason, when it aborts: hashing stops at the next slice.
   */
  async update(data: Uint8Array): Promise<this> {
    for (let pos = 0; pos < data.length;) {
      if (this.#sinceTurn >= this.#sliceSize) {
        await this.#pause();
        this.#sinceTurn = 0;
      }
      this.#signal?.throwIfAborted();
      const end = Math.min(data.length, pos + this.#sliceSize - this.#sinceTurn);
      this.#hash.update(data.subarray(pos, end));
      this.#sinceTurn += end - pos;
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
 * each (see {@linkcode SlicedMd5}).
 *
 * @param data The bytes to hash.
 * @param options The signal, the slice size and how to pause.
 * @returns The 16-byte digest.
 * @throws The signal's reason, when it aborts.
 */
export async function md5Sliced(
  data: Uint8Array,
  options?: SlicedMd5Options,
): Promise<Uint8Array> {
  return (await new SlicedMd5(options).update(data)).digest();
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
