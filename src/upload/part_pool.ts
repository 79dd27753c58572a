import type { UploadedPart } from "../errors.ts";
import type { UploadPlan } from "./plan_upload.ts";
import { readParts, type SourcePart } from "./read_parts.ts";
import { runIgnoringOutcome } from "./upload_body.ts";

/** How {@linkcode runPartPool} sends each part and reports it. */
export interface PartPoolOptions {
  /** Sends one part; `signal` cancels it. */
  send(part: SourcePart, signal: AbortSignal): Promise<UploadedPart>;
  /** Called when a part is on the service. */
  onPart(part: UploadedPart): void;
  /** Let parts in flight finish after a failure, since the upload's parts are to be kept. */
  keepParts: boolean;
  /** The caller's signal: stops reading and cancels parts in flight. */
  signal?: AbortSignal;
  /** Fails the pool with its reason, as a part's failure does (`onProgress` threw). */
  stop?: AbortSignal;
  /** The body's parts, when reading them has begun already (see `openBody`); else read here. */
  opened?: OpenedParts;
}

/** A body whose reading has begun: its first part, the rest, and what stops the reading. */
export interface OpenedParts {
  /** The first part, read already. */
  first: SourcePart;
  /** The parts after it; `return()` releases the body. */
  rest: AsyncGenerator<SourcePart, void, undefined>;
  /** The signal `rest` reads under: aborting it stops the reading. */
  reading: AbortController;
}

/** What became of the parts: those on the service, and the first failure, if any. */
export type PartPoolOutcome =
  & { parts: UploadedPart[] }
  & ({ failed: false } | { failed: true; error: unknown });

/**
 * The pool of parts in flight: reads the body part by part and keeps up to
 * `concurrency` parts going out at once, through the `send` it is given.
 * A part is read only when a slot is about to free, so at most
 * `concurrency + 1` parts of body are held. The first failure stops reading
 * (even a source that is waiting for data) and, unless parts are kept,
 * cancels the parts in flight; then every part in flight is waited for, so
 * the outcome is final when this returns.
 *
 * @param plan The body and its part sizes.
 * @param options How to send and report parts.
 * @returns The parts on the service, by part number, and the first failure.
 */
export async function runPartPool(
  plan: UploadPlan,
  options: PartPoolOptions,
): Promise<PartPoolOutcome> {
  const { signal } = options;
  // Two levers: one stops the reading, the other the requests; a failure with parts to keep
  // pulls only the first.
  const reading = options.opened?.reading ?? new AbortController();
  const requests = new AbortController();
  const abort = () => {
    reading.abort(signal!.reason);
    requests.abort(signal!.reason);
  };
  signal?.addEventListener("abort", abort, { once: true });
  if (signal?.aborted) abort();
  let outcome: { error: unknown } | undefined;
  const recordFailure = (error: unknown) => {
    outcome ??= { error };
    reading.abort(error);
    if (!options.keepParts) requests.abort(error);
  };
  const { stop } = options;
  const onStop = () => recordFailure(stop!.reason);
  stop?.addEventListener("abort", onStop, { once: true });
  if (stop?.aborted) onStop();
  const parts: UploadedPart[] = [];
  const inFlight = new Set<Promise<void>>();
  try {
    const { opened } = options;
    const source = opened ? prepend(opened.first, opened.rest) : readParts(plan.body, {
      partSize: plan.partSize,
      size: plan.size,
      signal: reading.signal,
    });
    for await (const part of source) {
      while (inFlight.size >= plan.concurrency && !outcome) await Promise.race(inFlight);
      if (outcome) break;
      const task: Promise<void> = options.send(part, requests.signal)
        .then((uploaded) => {
          parts.push(uploaded);
          options.onPart(uploaded);
        })
        .catch(recordFailure)
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
  } catch (error) {
    recordFailure(error);
  }
  await Promise.allSettled(inFlight);
  signal?.removeEventListener("abort", abort);
  stop?.removeEventListener("abort", onStop);
  parts.sort((a, b) => a.partNumber - b.partNumber);
  return outcome ? { parts, failed: true, error: outcome.error } : { parts, failed: false };
}

/** The first part, then the rest; stopping early stops the rest too, and so the source. */
async function* prepend(
  first: SourcePart,
  rest: AsyncGenerator<SourcePart, void, undefined>,
): AsyncGenerator<SourcePart, void, undefined> {
  try {
    yield first;
    yield* rest;
  } finally {
    // Not awaited: see readParts, whose own return() this runs.
    runIgnoringOutcome(() => rest.return());
  }
}
