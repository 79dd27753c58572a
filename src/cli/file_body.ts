import * as fs from "node:fs";
import type { UploadBody } from "../../mod.ts";
import { UsageError } from "./usage_error.ts";

/**
 * Opens a file as an upload body of known size. A Blob from `fs.openAsBlob`
 * (Node 19.8+, Deno, Bun) is best: `upload()` slices it per part, reads a part
 * only when it goes out, and can read it again to check parts when resuming.
 * Elsewhere a read stream with the size from `stat` does the same job forwards.
 *
 * @param path The file.
 * @returns The body and its size.
 * @throws {UsageError} If the file does not exist, cannot be read, or is not a regular file
 * (a pipe or device has no size; `-` reads stdin instead).
 */
export async function openFileBody(path: string): Promise<{ body: UploadBody; size: number }> {
  let info: fs.Stats;
  try {
    info = await fs.promises.stat(path);
  } catch (error) {
    throw new UsageError(`<file>: cannot read ${path}: ${(error as Error).message}`);
  }
  if (!info.isFile()) {
    throw new UsageError(`<file>: ${path} is not a regular file (use - to read stdin)`);
  }
  try {
    // Opened now, so that a permission error is reported here rather than mid-upload.
    await (await fs.promises.open(path)).close();
    if (typeof fs.openAsBlob == "function") {
      const blob = await fs.openAsBlob(path);
      return { body: blob, size: blob.size };
    }
  } catch (error) {
    throw new UsageError(`<file>: cannot read ${path}: ${(error as Error).message}`);
  }
  return { body: fs.createReadStream(path), size: info.size };
}
