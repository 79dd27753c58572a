/**
 * The clean-up after initiate attempts whose answers were lost. Loaded on
 * demand, only by an upload that lost such an answer: it reaches the library
 * through the package's entry, so that the npm package ships it as a file of
 * its own that shares the entry's classes (see scripts/build_npm.ts).
 *
 * @module
 */
import {
  abortMultipartUpload,
  type Client,
  LeftoverUploadsError,
  listMultipartUploads,
  QingStorError,
} from "../../mod.ts";
import { describeError } from "../inspect_error.ts";
import { pause } from "../pause.ts";
import { CREATION_SLACK as MARGIN } from "./cleanup_clock.ts";

/** Which uploads {@linkcode abortOrphans} looks for. */
export interface OrphanSearch {
  /** The bucket. */
  bucket: string;
  /** The object key; only uploads of exactly this key are considered. */
  key: string;
  /** The local time the first initiate attempt that may have created an upload unseen was sent. */
  since: number;
  /** The upload in use, which is kept. */
  keep?: string;
  /** Stops the clean-up; what it did not get to is reported. */
  signal?: AbortSignal;
}

/**
 * Aborts the uploads that initiate attempts whose answers were lost may
 * have created: every upload of exactly this key created since the first
 * such attempt went out, except the one in use. Creation times are compared
 * on the service's clock, whose offset the listing's `Date` header gives,
 * with 2 s of slack. All pages are listed before anything is aborted, so
 * that no page shifts under the listing. A round that fails for a passing
 * reason (no answer, a 5xx, a 429) is tried again, up to 3 rounds, until
 * the signal aborts.
 *
 * The trade-off: another client's upload of the same key, started in that
 * same window, cannot be told apart, and is aborted too. And an attempt the
 * service handles only after the listing (a request still queued) escapes it.
 *
 * @param client The client.
 * @param search The key, since when, the upload to keep, and a signal.
 * @returns `undefined` when nothing may remain; otherwise a {@linkcode LeftoverUploadsError}
 * naming the uploads listed but not aborted, and, if listing failed, since when uploads of the
 * key may remain. It never rejects.
 */
export async function abortOrphans(
  client: Client,
  search: OrphanSearch,
): Promise<LeftoverUploadsError | undefined> {
  const { retry } = client;
  for (let round = 1;; round++) {
    const left = await sweep(client, search);
    // Listing and aborting are idempotent: a round that failed for a passing reason is worth
    // another, within the clean-up time; a refusal (no permission to list, say) is final.
    if (!left || round == ROUNDS || !transient(left.cause) || search.signal?.aborted) return left;
    const wait = Math.min(retry.maxDelay, retry.baseDelay * 2 ** (retry.maxAttempts + round));
    await pause(wait, search.signal);
  }
}

/** Rounds of listing and aborting, each under the client's retry policy. */
const ROUNDS = 3;

/** Whether a failure may pass: no answer, a 5xx or a 429. */
function transient(error: unknown): boolean {
  return error instanceof QingStorError &&
    (error.status == 0 || error.status >= 500 || error.status == 429);
}

/** One round: lists every page, then aborts what it found. */
async function sweep(
  client: Client,
  search: OrphanSearch,
): Promise<LeftoverUploadsError | undefined> {
  const { bucket, key, keep, signal } = search;
  // The service's clock, once the listing tells it; until then the client's best guess.
  let since = search.since + client.clockOffset;
  const found: string[] = [];
  let listingFailure: unknown;
  try {
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (let page = 0;; page++) {
      const listing = await listMultipartUploads(client, {
        bucket,
        prefix: key,
        keyMarker,
        uploadIdMarker,
        limit: 1000,
        signal,
      });
      if (page == 0 && listing.date) since = search.since + listing.date.getTime() - Date.now();
      for (const upload of listing.uploads) {
        if (
          upload.key === key && upload.uploadId !== keep &&
          upload.created.getTime() >= since - MARGIN
        ) {
          found.push(upload.uploadId);
        }
      }
      if (!listing.hasMore || !listing.nextKeyMarker) break;
      keyMarker = listing.nextKeyMarker;
      uploadIdMarker = listing.nextUploadIdMarker;
    }
  } catch (error) {
    listingFailure = error;
  }
  const outcomes = await Promise.allSettled(
    found.map((uploadId) => abortMultipartUpload(client, { bucket, key, uploadId, signal })),
  );
  const left = found.filter((_, index) => outcomes[index].status == "rejected");
  const abortFailure = outcomes.find((outcome) => outcome.status == "rejected") as
    | PromiseRejectedResult
    | undefined;
  if (listingFailure === undefined && !left.length) return undefined;
  const notAborted = left.length ? `; listed and not aborted: ${left.join(", ")}` : "";
  const from = new Date(since - MARGIN);
  return new LeftoverUploadsError(
    listingFailure === undefined
      ? `Uploads of ${key} that lost initiate answers created may remain: ${
        left.join(", ")
      } could not be aborted (${describeError(abortFailure!.reason)})`
      : `Uploads of ${key} created since ${from.toISOString()} may remain: listing them to ` +
        `abort them failed (${describeError(listingFailure)})${notAborted}`,
    {
      bucket,
      key,
      uploadIds: left,
      since: listingFailure === undefined ? undefined : from,
      cause: listingFailure ?? abortFailure!.reason,
    },
  );
}
