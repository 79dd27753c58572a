/** What the upload() tests share: the bucket, a small part size, and bodies that arrive in pieces. */
import assert from "node:assert/strict";
import type { MultipartUploadResult, UploadError, UploadResult } from "../../mod.ts";

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

/** The result of an upload that went multipart (a body larger than one part), asserted so. */
export function multipart(result: UploadResult): MultipartUploadResult {
  assert.ok(result.uploadId !== undefined, "the upload went as one PUT, not multipart");
  return result;
}

/** The upload ID an UploadError names, asserted present. */
export function uploadIdOf(error: UploadError): string {
  assert.ok(error.uploadId !== undefined, "the error names no upload");
  return error.uploadId;
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
