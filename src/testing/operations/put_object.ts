/**
 * PUT Object (a plain upload, not a copy, move or fetch), as the service
 * answers it: the body becomes the object, replacing any of that key.
 *
 * @module
 */
import { encodeHex } from "../../encoding.ts";
import { isStorageClass } from "../../validate.ts";
import { type EmulatorRoute, fail, ok } from "./route.ts";
import { encryptionAnswer, OWN_KEY, readEncryption } from "./encryption.ts";
import { readMetadata } from "./read_metadata.ts";
import { receiveBody } from "./receive_body.ts";

/** The PUT Object forms the emulator does not implement. */
const OTHER_PUTS = ["x-qs-copy-source", "x-qs-move-source", "x-qs-fetch-source"];

/** Stores an object sent in one request, with its type, metadata, storage class and key. */
export const putObject: EmulatorRoute = {
  name: "putObject",
  write: true,
  matches: (method, key, query, headers) =>
    method == "PUT" && !!key && !query.has("upload_id") &&
    !OTHER_PUTS.some((name) => headers.has(name)),
  async handle(context) {
    const headers = context.request.headers;
    const storageClass = headers.get("x-qs-storage-class") ?? "STANDARD";
    if (!isStorageClass(storageClass)) {
      return fail(context, 400, "invalid_request", `Storage class ${storageClass} is not valid.`);
    }
    const metadata = readMetadata(context);
    if (metadata instanceof Response) return metadata;
    const encryptionKeyMd5 = readEncryption(context, OWN_KEY);
    if (encryptionKeyMd5 instanceof Response) return encryptionKeyMd5;
    const keep = context.emulator.options.storage != "digest";
    const body = await receiveBody(context, "PUT Object", keep);
    if (body instanceof Response) return body;
    const md5 = encodeHex(body.md5);
    const etag = `"${md5}"`;
    context.emulator.state.objects.set(`${context.bucket}/${context.key}`, {
      bucket: context.bucket,
      key: context.key!,
      size: body.size,
      md5,
      etag,
      created: new Date(context.emulator.now()),
      contentType: headers.get("content-type") ?? undefined,
      storageClass,
      metadata,
      encryptionKeyMd5,
      data: body.data,
    });
    return ok(201, undefined, { etag, ...encryptionAnswer(encryptionKeyMd5) });
  },
};
