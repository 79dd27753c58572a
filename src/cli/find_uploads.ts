import { type Client, iterateMultipartUploads } from "../../mod.ts";
import { formatDuration } from "./duration.ts";
import { printable } from "./output.ts";

/** An upload in progress, with its age. */
export interface FoundUpload {
  /** The object key. */
  key: string;
  /** The upload ID. */
  uploadId: string;
  /** When it was initiated. */
  created: Date;
  /** Milliseconds since then, by the service's clock as far as the client knows it. */
  age: number;
}

/**
 * Lists a bucket's uploads in progress, every page, keeping those at least
 * `olderThan` old. All pages are read before anything is done with them, so
 * that aborting does not shift the pages under the listing.
 *
 * @param client The client.
 * @param input The bucket, an optional key prefix, and the least age in milliseconds.
 * @returns The uploads, by key, then by creation.
 * @throws {ValidationError} If the bucket name is invalid.
 * @throws {QingStorError} If a page request fails.
 */
export async function findUploads(
  client: Client,
  input: { bucket: string; prefix?: string; olderThan?: number },
): Promise<FoundUpload[]> {
  const found: FoundUpload[] = [];
  const { bucket, prefix, olderThan = 0 } = input;
  for await (const upload of iterateMultipartUploads(client, { bucket, prefix })) {
    // Ages count on the service's clock, which dated the uploads: a local clock hours off would
    // otherwise make fresh uploads look stale. The offset is the client's, once learnt; it is
    // learnt from a Date header, to the second, so a new upload may seem a little in the future.
    const age = Math.max(0, Date.now() + client.clockOffset - upload.created.getTime());
    if (age >= olderThan) found.push({ ...upload, age });
  }
  return found;
}

/**
 * One upload as a line: creation time, age, upload ID, then the key, which
 * goes last because it alone may hold spaces. The upload ID and the key are
 * the service's: quoted if they hold control characters (see `printable`).
 *
 * @param upload The upload.
 * @returns The line, without line break.
 */
export function formatUpload(upload: FoundUpload): string {
  const created = upload.created.toISOString().replace(/\.\d{3}Z$/, "Z");
  const age = formatDuration(upload.age).padStart(7);
  return `${created}  ${age}  ${printable(upload.uploadId)}  ${printable(upload.key)}`;
}
