/**
 * Reading a request body as a server does: a chunk at a time, with an idle
 * timeout, so that a body shorter than its Content-Length fails instead of
 * holding the request forever.
 *
 * @module
 */
import { DroppedConnection } from "./model.ts";

/** No body bytes arrived within the body timeout. */
export class BodyTimeout extends Error {
  /** Always `"BodyTimeout"`. */
  override name = "BodyTimeout";
}

/** How {@linkcode readChunks} reads. */
export interface ReadChunksOptions {
  /** Milliseconds to wait for each chunk before giving up. */
  timeout: number;
  /** Hang up once this many bytes arrived (an injected mid-body drop). */
  dropAfter?: number;
  /** Stops reading when the request is cancelled (in-process requests). */
  signal?: AbortSignal | null;
}

/**
 * Reads a request body chunk by chunk and hands each chunk on, keeping none.
 *
 * @param request The request.
 * @param onChunk Called with each chunk, in order.
 * @param options The idle timeout, an injected drop, the request's signal.
 * @returns The number of bytes read.
 * @throws {BodyTimeout} When no chunk arrives for `options.timeout` ms.
 * @throws {DroppedConnection} With a drop fault, after about `options.dropAfter` bytes.
 * @throws What the body throws (the connection broke), or the signal's reason.
 */
export async function readChunks(
  request: Request,
  onChunk: (chunk: Uint8Array) => void,
  options: ReadChunksOptions,
): Promise<number> {
  const reader = request.body?.getReader();
  let length = 0;
  for (;;) {
    const { done, value } = reader ? await nextChunk(reader, options) : { done: true };
    if (value) {
      length += value.length;
      onChunk(value);
    }
    if (options.dropAfter !== undefined && (done || length >= options.dropAfter)) {
      throw new DroppedConnection("Injected fault: connection dropped mid-body");
    }
    if (done) return length;
  }
}

/**
 * The next chunk, or a timeout. A read that times out is left pending, not
 * cancelled: cancelling a served request's body would reset the connection
 * before the answer goes out (the server closes it once it has answered).
 */
function nextChunk(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  { timeout, signal }: ReadChunksOptions,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new BodyTimeout(`No body bytes arrived for ${timeout} ms.`)),
      timeout,
    );
    onAbort = () => reject(signal!.reason);
    if (signal?.aborted) onAbort();
    signal?.addEventListener("abort", onAbort);
  });
  return Promise.race([reader.read(), stopped]).finally(() => {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort!);
  });
}

/**
 * The two ways an operation reads its request's body: whole, or a chunk at a
 * time keeping none (see `OperationContext`).
 *
 * @param request The request.
 * @param options The idle timeout, an injected drop, the request's signal.
 * @returns `body()`, resolving to the bytes, and `stream(onChunk)`, resolving to the length.
 */
export function bodyReaders(request: Request, options: ReadChunksOptions): {
  body(): Promise<Uint8Array>;
  stream(onChunk: (chunk: Uint8Array) => void): Promise<number>;
} {
  const stream = (onChunk: (chunk: Uint8Array) => void) => readChunks(request, onChunk, options);
  const body = async () => {
    const chunks: Uint8Array[] = [];
    const length = await stream((chunk) => chunks.push(chunk));
    if (chunks.length == 1) return chunks[0];
    const whole = new Uint8Array(length);
    chunks.reduce((offset, chunk) => (whole.set(chunk, offset), offset + chunk.length), 0);
    return whole;
  };
  return { body, stream };
}
