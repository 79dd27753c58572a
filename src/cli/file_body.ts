import * as fs from "node:fs";
import type { UploadBody } from "../../mod.ts";
import { UsageError } from "./usage_error.ts";

/**
 * Bytes `[start, end)` of a file as a Blob, read from the file only when
 * asked, at their offset. `upload()` slices a Blob per part and reads each
 * slice as the part goes out, so at most the parts in flight are in memory,
 * in every runtime; a resume reads them again to check the parts already
 * there. (Deno's `fs.openAsBlob` reads the whole file into memory at the
 * first read: 4.5 GB for a 2 GB file.) A read checks that the file has not
 * changed since it was opened, and fails if it has, so that a part is never
 * cut from a file that was being rewritten.
 */
class FileRange extends Blob {
  readonly #path: string;
  readonly #start: number;
  readonly #end: number;
  readonly #opened: fs.Stats;

  constructor(path: string, start: number, end: number, opened: fs.Stats) {
    super([]);
    this.#path = path;
    this.#start = start;
    this.#end = end;
    this.#opened = opened;
  }

  override get size(): number {
    return this.#end - this.#start;
  }

  override get type(): string {
    return "";
  }

  override slice(start = 0, end = this.size): Blob {
    // As Blob.slice: negative positions count from the end; all are clamped to the range.
    const at = (position: number) =>
      position < 0 ? Math.max(this.size + position, 0) : Math.min(position, this.size);
    const from = at(start);
    const to = Math.max(at(end), from);
    return new FileRange(this.#path, this.#start + from, this.#start + to, this.#opened);
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    const handle = await fs.promises.open(this.#path, "r");
    try {
      const now = await handle.stat();
      if (now.size != this.#opened.size || now.mtimeMs != this.#opened.mtimeMs) {
        throw new Error(`${this.#path} changed while it was read`);
      }
      const buffer = new Uint8Array(this.size);
      let filled = 0;
      while (filled < buffer.length) {
        const { bytesRead } = await handle.read(
          buffer,
          filled,
          buffer.length - filled,
          this.#start + filled,
        );
        // The file ended early after all: what was read is returned, and upload() refuses it.
        if (bytesRead == 0) break;
        filled += bytesRead;
      }
      return buffer.buffer.slice(0, filled);
    } finally {
      await handle.close();
    }
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.arrayBuffer());
  }

  override async text(): Promise<string> {
    return new TextDecoder().decode(await this.arrayBuffer());
  }

  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return new ReadableStream({
      pull: async (controller) => {
        controller.enqueue(await this.bytes());
        controller.close();
      },
    });
  }
}

/**
 * Opens a file as an upload body of known size: a Blob that reads each
 * part from the file at its offset when the part goes out (see `FileRange`),
 * the same in Node, Deno and Bun.
 *
 * @param path The file.
 * @returns The body and its size.
 * @throws {Error} If the file does not exist or cannot be read: a failure (exit 1), not a
 * command line written wrong.
 * @throws {UsageError} If it is not a regular file (a pipe or device has no size; `-` reads
 * stdin instead).
 */
export async function openFileBody(path: string): Promise<{ body: UploadBody; size: number }> {
  let info: fs.Stats;
  try {
    info = await fs.promises.stat(path);
    if (info.isFile()) {
      // Opened now, so that a permission error is reported here rather than mid-upload.
      const handle = await fs.promises.open(path, "r");
      try {
        info = await handle.stat();
      } finally {
        await handle.close();
      }
    }
  } catch (error) {
    throw new Error(`<file>: cannot read ${path}: ${(error as Error).message}`);
  }
  // Not opened otherwise: opening a named pipe would wait for a writer.
  if (!info.isFile()) {
    throw new UsageError(`<file>: ${path} is not a regular file (use - to read stdin)`);
  }
  return { body: new FileRange(path, 0, info.size, info), size: info.size };
}
