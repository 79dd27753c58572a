/**
 * What Upload Part and Upload Part Copy share: the part a request names, and
 * storing it.
 *
 * @module
 */
import { encodeHex as hex } from "../../../encoding.ts";
import { MAX_PART_NUMBER } from "../../../validate.ts";
import type { EmulatorPart, EmulatorUpload, OperationContext } from "../../model.ts";
import { errorAnswer, noUpload, ok } from "./answers.ts";
import { checkUploadKey, encryptionAnswer } from "./encryption.ts";
import { findUpload } from "./uploads.ts";

function partNumberOf(context: OperationContext): number | Response {
  const text = context.query.get("part_number") ?? "";
  const partNumber = Number(text);
  if (!/^\d+$/.test(text) || partNumber > MAX_PART_NUMBER) {
    return errorAnswer(
      context,
      400,
      "invalid_argument",
      `Part number ${text} is not between 0 and ${MAX_PART_NUMBER}.`,
    );
  }
  return partNumber;
}

/**
 * Stores a part, replacing any of its number, and answers 201 with its ETag.
 *
 * @param context The request.
 * @param upload The upload.
 * @param partNumber The part number.
 * @param size The part's size.
 * @param digest The part's MD5.
 * @param data The bytes, in `"bytes"` storage.
 * @returns The answer.
 */
export function storePart(
  context: OperationContext,
  upload: EmulatorUpload,
  partNumber: number,
  size: number,
  digest: Uint8Array,
  data?: Uint8Array,
) {
  const part: EmulatorPart = {
    partNumber,
    size,
    etag: hex(digest),
    created: new Date(context.emulator.now()),
    data,
  };
  upload.parts.set(partNumber, part);
  return ok(201, undefined, {
    etag: `"${part.etag}"`,
    ...encryptionAnswer(upload.encryptionKeyMd5),
  });
}

/**
 * What every part request is checked for first: its number, its upload, the upload's key.
 *
 * @param context The request.
 * @returns The part number and the upload, or the answer refusing the request.
 */
export function partTarget(
  context: OperationContext,
): { partNumber: number; upload: EmulatorUpload } | Response {
  const partNumber = partNumberOf(context);
  if (partNumber instanceof Response) return partNumber;
  const upload = findUpload(context);
  if (!upload) return noUpload(context);
  return checkUploadKey(context, upload) ?? { partNumber, upload };
}
