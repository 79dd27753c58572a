/** What the upload() tests share: the bucket, a small part size, and bodies that arrive in pieces. */

export const bucket = "mybucket";
export const partSize = 1024;
/** Small parts, which the emulator accepts when started with `minPartSize: partSize`. */
export const sizing = { partSize, minPartSize: partSize };

/** A stream of `data` in chunks of the given sizes, cycled. */
export function chunked(data: Uint8Array, sizes = [333]): ReadableStream<Uint8Array> {
  let offset = 0;
  let turn = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= data.length) return controller.close();
      const size = sizes[turn++ % sizes.length];
      controller.enqueue(data.slice(offset, offset + size));
      offset += size;
    },
  });
}

/** A stream already locked by a reader, which upload() must refuse. */
export function lockedStream(): ReadableStream<Uint8Array> {
  const stream = new ReadableStream<Uint8Array>();
  stream.getReader();
  return stream;
}

/** An async iterable of `data` in chunks of `size`. */
export async function* iterable(data: Uint8Array, size = 700): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < data.length; offset += size) {
    yield data.slice(offset, offset + size);
  }
}
