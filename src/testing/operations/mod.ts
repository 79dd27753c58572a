/**
 * The emulated operations, in the order requests are matched against them.
 *
 * @module
 */
import { abort } from "./abort.ts";
import { complete } from "./complete.ts";
import { getObject } from "./get_object.ts";
import { initiate } from "./initiate.ts";
import { listParts } from "./list_parts.ts";
import { listUploads } from "./list_uploads.ts";
import type { EmulatorRoute } from "./route.ts";
import { uploadPart, uploadPartCopy } from "./upload_part.ts";

export type { EmulatorRoute } from "./route.ts";

/** Every operation; Upload Part Copy before Upload Part, which differ only by a header. */
export const OPERATIONS: EmulatorRoute[] = [
  initiate,
  uploadPartCopy,
  uploadPart,
  listParts,
  complete,
  abort,
  listUploads,
  getObject,
];
