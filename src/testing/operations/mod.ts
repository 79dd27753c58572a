/**
 * The emulated operations. No request matches two of them, so their order
 * here does not matter (a test checks that).
 *
 * To add an operation: write `operations/<name>.ts` exporting an `OperationDefinition`
 * (name, write, matches, handle; helpers from `shared/mod.ts`), then register it: list it in
 * `OPERATIONS` below, and add its name to `EmulatorOperation` in `../model.ts`, the public type
 * that users name operations by in faults and in the request log (PUT Object was added so).
 *
 * @module
 */
import { abort } from "./abort.ts";
import { complete } from "./complete.ts";
import { deleteObject } from "./delete_object.ts";
import { getObject } from "./get_object.ts";
import { headObject } from "./head_object.ts";
import { initiate } from "./initiate.ts";
import { listParts } from "./list_parts.ts";
import { listUploads } from "./list_uploads.ts";
import { putObject } from "./put_object.ts";
import type { OperationDefinition } from "./shared/mod.ts";
import { uploadPart } from "./upload_part.ts";
import { uploadPartCopy } from "./upload_part_copy.ts";

export type { OperationDefinition } from "./shared/mod.ts";

/** Every operation; each request matches one at most. */
export const OPERATIONS: OperationDefinition[] = [
  initiate,
  uploadPartCopy,
  uploadPart,
  listParts,
  complete,
  abort,
  listUploads,
  putObject,
  getObject,
  headObject,
  deleteObject,
];
