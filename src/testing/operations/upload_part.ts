/**
 * Upload Part (see docs/protocol.md#upload-part), as the service answers it.
 *
 * @module
 */
import {
  noUpload,
  type OperationDefinition,
  partTarget,
  receiveBody,
  stillThere,
  storePart,
  takeTurn,
} from "./shared/mod.ts";

/** Stores a part sent in the body, checking its length and Content-MD5. */
export const uploadPart: OperationDefinition = {
  name: "uploadPart",
  write: true,
  matches: (method, key, query, headers) =>
    method == "PUT" && !!key && query.has("upload_id") && !headers.has("x-qs-copy-source"),
  async handle(context) {
    const target = partTarget(context);
    if (target instanceof Response) return target;
    const { partNumber, upload } = target;
    // In digest storage the part streams into the object's MD5, when its turn comes.
    const turn = upload.digest && await takeTurn(upload.digest, partNumber);
    let stored = false;
    try {
      const body = await receiveBody(context, "Upload Part", !upload.digest, turn?.feed);
      if (body instanceof Response) return body;
      // The upload may have been aborted while the body arrived: then nothing is stored.
      if (!stillThere(context, upload)) return noUpload(context);
      stored = true;
      return storePart(context, upload, partNumber, body.size, body.md5, body.data);
    } finally {
      turn?.end(stored);
    }
  },
};
