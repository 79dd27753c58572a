/**
 * Complete Multipart Upload (see docs/protocol.md#complete-multipart-upload), as
 * the service answers it.
 *
 * @module
 */
import { encodeHex as hex } from "../../encoding.ts";
import { md5 } from "../../md5.ts";
import { MAX_PARTS, MIN_PART_SIZE } from "../../validate.ts";
import { unquoteEtag } from "../../request/etag.ts";
import type { EmulatorPart } from "../model.ts";
import {
  chainDigest,
  checkUploadKey,
  encryptionAnswer,
  errorAnswer,
  findUpload,
  noUpload,
  ok,
  type OperationDefinition,
  readBody,
  stillThere,
  storeObject,
} from "./shared/mod.ts";

/** Assembles the listed parts into the object, with the service's checks. */
export const complete: OperationDefinition = {
  name: "completeMultipartUpload",
  write: true,
  // With `uploads` too, the request is an initiate.
  matches: (method, key, query) =>
    method == "POST" && !!key && query.has("upload_id") && !query.has("uploads"),
  async handle(context) {
    const upload = findUpload(context);
    if (!upload) return noUpload(context);
    // The key is optional here; given, it must be the upload's.
    const denied = checkUploadKey(context, upload, true);
    if (denied) return denied;
    const bytes = await readBody(context);
    if (bytes instanceof Response) return bytes;
    const text = new TextDecoder().decode(bytes);
    let listed: { part_number?: unknown; etag?: unknown }[];
    try {
      listed = JSON.parse(text).object_parts;
    } catch {
      return errorAnswer(context, 400, "invalid_json", "The request body is not valid JSON.");
    }
    if (!Array.isArray(listed) || !listed.length) {
      return errorAnswer(
        context,
        400,
        "invalid_request",
        "object_parts must be a non-empty array.",
      );
    }
    if (listed.length > MAX_PARTS) {
      return errorAnswer(
        context,
        400,
        "max_parts_exceeded",
        `An object has at most ${MAX_PARTS} parts.`,
      );
    }
    const parts: EmulatorPart[] = [];
    for (const [index, entry] of listed.entries()) {
      const part = upload.parts.get(entry?.part_number as number);
      if (!part) {
        return errorAnswer(
          context,
          400,
          "invalid_request",
          `Part ${entry?.part_number} was not uploaded.`,
        );
      }
      if (index && part.partNumber <= parts[index - 1].partNumber) {
        return errorAnswer(
          context,
          400,
          "invalid_request",
          "object_parts must ascend by part_number.",
        );
      }
      if (entry.etag !== undefined && unquoteEtag(String(entry.etag)) != part.etag) {
        return errorAnswer(
          context,
          400,
          "invalid_request",
          `The etag of part ${part.partNumber} does not match.`,
        );
      }
      if (
        index < listed.length - 1 &&
        part.size < (context.emulator.options.minPartSize ?? MIN_PART_SIZE)
      ) {
        return errorAnswer(
          context,
          400,
          "entity_too_small",
          `Part ${part.partNumber} is smaller than the minimum part size.`,
        );
      }
      parts.push(part);
    }
    // The upload may have been aborted while the body arrived: then nothing is made.
    if (!stillThere(context, upload)) return noUpload(context);
    const size = parts.reduce((sum, part) => sum + part.size, 0);
    let data: Uint8Array | undefined;
    let digest: { md5: string } | { reason: string };
    if (upload.digest) {
      digest = chainDigest(upload.digest, parts.map((part) => part.partNumber));
    } else {
      data = new Uint8Array(size);
      let offset = 0;
      for (const part of parts) {
        data.set(part.data!, offset);
        offset += part.size;
      }
      digest = { md5: hex(md5(data)) };
    }
    context.emulator.state.uploads.delete(upload.uploadId);
    storeObject(context, {
      bucket: upload.bucket,
      key: upload.key,
      size,
      md5: "md5" in digest ? digest.md5 : undefined,
      md5Unknown: "reason" in digest ? digest.reason : undefined,
      etag: context.request.headers.get("etag") ?? undefined,
      created: new Date(context.emulator.now()),
      contentType: upload.contentType,
      storageClass: upload.storageClass,
      metadata: upload.metadata,
      encryptionKeyMd5: upload.encryptionKeyMd5,
      parts: parts.map(({ partNumber, size, etag }) => ({ partNumber, size, etag })),
      data,
    });
    return ok(201, undefined, encryptionAnswer(upload.encryptionKeyMd5));
  },
};
