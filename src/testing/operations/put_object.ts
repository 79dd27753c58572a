/**
 * PUT Object (a plain upload, not a copy, move or fetch), as the service
 * answers it: the body becomes the object, replacing any of that key.
 *
 * @module
 */
import { encodeHex } from "../../encoding.ts";
import {
  encryptionAnswer,
  ok,
  type OperationDefinition,
  readObjectAttributes,
  receiveBody,
  storeObject,
} from "./shared/mod.ts";

/** The PUT Object forms the emulator does not implement. */
const OTHER_PUTS = ["x-qs-copy-source", "x-qs-move-source", "x-qs-fetch-source"];

/** Stores an object sent in one request, with its type, metadata, storage class and key. */
export const putObject: OperationDefinition = {
  name: "putObject",
  write: true,
  matches: (method, key, query, headers) =>
    method == "PUT" && !!key && !query.has("upload_id") &&
    !OTHER_PUTS.some((name) => headers.has(name)),
  async handle(context) {
    const attributes = readObjectAttributes(context);
    if (attributes instanceof Response) return attributes;
    const keep = context.emulator.options.storage != "digest";
    const body = await receiveBody(context, "PUT Object", keep);
    if (body instanceof Response) return body;
    const md5 = encodeHex(body.md5);
    const etag = `"${md5}"`;
    storeObject(context, {
      bucket: context.bucket,
      key: context.key!,
      size: body.size,
      md5,
      etag,
      created: new Date(context.emulator.now()),
      ...attributes,
      data: body.data,
    });
    return ok(201, undefined, { etag, ...encryptionAnswer(attributes.encryptionKeyMd5) });
  },
};
