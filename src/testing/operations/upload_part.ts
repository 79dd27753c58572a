/**
 * Upload Part (see docs/protocol.md#upload-part), as the service answers it, and
 * what Upload Part Copy shares with it.
 *
 * @module
 */
import { encodeHex as hex } from "../../encoding.ts";
import { MAX_PART_NUMBER } from "../../validate.ts";
import type { EmulatorPart, EmulatorUpload, RouteContext } from "../model.ts";
import { type EmulatorRoute, fail, findUpload, noUpload, ok, stillThere } from "./route.ts";
import { encryptionAnswer, OWN_KEY, readEncryption } from "./encryption.ts";
import { receiveBody } from "./receive_body.ts";
import { takeTurn } from "./digest_chain.ts";

function partNumberOf(context: RouteContext): number | Response {
  const text = context.query.get("part_number") ?? "";
  const partNumber = Number(text);
  if (!/^\d+$/.test(text) || partNumber > MAX_PART_NUMBER) {
    return fail(
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
  context: RouteContext,
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

function checkPartEncryption(context: RouteContext, upload: EmulatorUpload): Response | undefined {
  const keyMd5 = readEncryption(context, OWN_KEY);
  if (keyMd5 instanceof Response) return keyMd5;
  if (keyMd5 != upload.encryptionKeyMd5) {
    return fail(
      context,
      400,
      "invalid_argument",
      "The encryption key differs from the one given at initiate.",
    );
  }
  return undefined;
}

/**
 * What every part request is checked for first: its number, its upload, the upload's key.
 *
 * @param context The request.
 * @returns The part number and the upload, or the answer refusing the request.
 */
export function partTarget(
  context: RouteContext,
): { partNumber: number; upload: EmulatorUpload } | Response {
  const partNumber = partNumberOf(context);
  if (partNumber instanceof Response) return partNumber;
  const upload = findUpload(context);
  if (!upload) return noUpload(context);
  return checkPartEncryption(context, upload) ?? { partNumber, upload };
}

/** Stores a part sent in the body, checking its length and Content-MD5. */
export const uploadPart: EmulatorRoute = {
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
