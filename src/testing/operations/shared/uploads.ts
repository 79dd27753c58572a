/**
 * Finding the upload a request names, and checking it is still there.
 *
 * @module
 */
import type { EmulatorUpload, OperationContext } from "../../model.ts";

/** The upload that the request's `upload_id` names, if it is of this bucket and key. */
export function findUpload(context: OperationContext): EmulatorUpload | undefined {
  const upload = context.emulator.state.uploads.get(context.query.get("upload_id") ?? "");
  return upload?.bucket == context.bucket && upload.key == context.key ? upload : undefined;
}

/**
 * The upload, if it still exists: a request that read a body may find it
 * aborted meanwhile, and must then store nothing.
 */
export function stillThere(context: OperationContext, upload: EmulatorUpload): boolean {
  return context.emulator.state.uploads.get(upload.uploadId) === upload;
}
