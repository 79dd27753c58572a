/**
 * The benchmark's ceiling: the parts `upload()` would send, PUT with plain
 * `fetch`, unsigned and without MD5, to the emulator's public bucket, at the
 * same concurrency. Whatever `upload()` adds on top (signing, retries,
 * bookkeeping) shows as the gap between the two. Not runnable on its own;
 * `client_process.ts` runs it.
 *
 * @module
 */
import { completeMultipartUpload, createClient, initiateMultipartUpload } from "../../mod.ts";
import { BUCKET } from "./options.ts";

/**
 * Cuts the stream into parts the way `upload()` does (one fresh buffer per part, filled by
 * copying), so the raw client does the same copying and holds the same bytes.
 *
 * @param stream The body.
 * @param total Its length.
 * @param partSize Bytes per part.
 * @returns The parts, in order.
 */
async function* rawParts(
  stream: ReadableStream<Uint8Array>,
  total: number,
  partSize: number,
): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  let buffer = new Uint8Array(Math.min(partSize, total));
  let filled = 0;
  let taken = 0;
  for await (let chunk of stream) {
    while (chunk.length) {
      const take = Math.min(chunk.length, buffer.length - filled);
      buffer.set(chunk.subarray(0, take), filled);
      filled += take;
      chunk = chunk.subarray(take);
      if (filled == buffer.length) {
        yield buffer;
        taken += filled;
        buffer = new Uint8Array(Math.min(partSize, total - taken));
        filled = 0;
      }
    }
  }
  if (filled) yield buffer.subarray(0, filled);
}

/** What {@linkcode rawClient} sends. */
export interface RawUpload {
  /** The emulator's URL. */
  endpoint: string;
  /** The object's key. */
  key: string;
  /** Send each part as a `Blob` rather than a `Uint8Array`, to compare what `fetch` holds on to. */
  blobs: boolean;
  /** The body. */
  stream: ReadableStream<Uint8Array>;
  /** Its length. */
  total: number;
  /** Bytes per part. */
  partSize: number;
  /** Parts in flight at most. */
  concurrency: number;
  /** Called with the bytes on the service so far, after each part. */
  onLoaded: (loaded: number) => void;
}

/**
 * Initiates once (anonymously, in the public bucket), PUTs the parts with plain `fetch` and no
 * signature or MD5, at most `concurrency` at a time, and completes.
 *
 * @param options What to send.
 * @returns The parts' ETags, by part number from 0.
 */
export async function rawClient(options: RawUpload): Promise<(string | undefined)[]> {
  const { endpoint, key, blobs, concurrency, onLoaded } = options;
  const client = createClient({ endpoint });
  const { uploadId } = await initiateMultipartUpload(client, { bucket: BUCKET, key });
  const base = `${endpoint}/${BUCKET}/${encodeURIComponent(key)}?upload_id=${uploadId}`;
  const etags: (string | undefined)[] = [];
  const inFlight = new Set<Promise<void>>();
  let loaded = 0;
  let failure: unknown;
  const put = async (partNumber: number, bytes: Uint8Array<ArrayBuffer>) => {
    const response = await fetch(`${base}&part_number=${partNumber}`, {
      method: "PUT",
      body: blobs ? new Blob([bytes]) : bytes,
    });
    if (response.status != 201) {
      throw new Error(`part ${partNumber}: HTTP ${response.status} ${await response.text()}`);
    }
    await response.body?.cancel();
    etags[partNumber] = response.headers.get("etag")?.replaceAll('"', "");
    loaded += bytes.length;
    onLoaded(loaded);
  };
  let partNumber = 0;
  for await (const bytes of rawParts(options.stream, options.total, options.partSize)) {
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure !== undefined) break;
    const task: Promise<void> = put(partNumber++, bytes)
      .catch((error) => void (failure ??= error))
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  await completeMultipartUpload(client, {
    bucket: BUCKET,
    key,
    uploadId,
    parts: etags.map((etag, partNumber) => ({ partNumber, etag })),
  });
  return etags;
}
