/**
 * Upload Part Copy (Copy Object Part), as the service answers it: a range of
 * an existing object becomes a part, if the source's conditions hold and its
 * key is given when it is encrypted.
 *
 * @module
 */
import { md5 } from "../../md5.ts";
import {
  checkReadKey,
  errorAnswer,
  failedCondition,
  type OperationDefinition,
  partTarget,
  preconditionFailed,
  SOURCE_KEY,
  storePart,
} from "./shared/mod.ts";

/** Stores a part copied from a range of an existing object. */
export const uploadPartCopy: OperationDefinition = {
  name: "uploadPartCopy",
  write: true,
  matches: (method, key, query, headers) =>
    method == "PUT" && !!key && query.has("upload_id") && headers.has("x-qs-copy-source"),
  handle(context) {
    const target = partTarget(context);
    if (target instanceof Response) return target;
    const { partNumber, upload } = target;
    let source: string;
    try {
      source = decodeURIComponent(context.request.headers.get("x-qs-copy-source")!).slice(1);
    } catch {
      return errorAnswer(
        context,
        400,
        "invalid_argument",
        "X-QS-Copy-Source is not valid percent-encoding.",
      );
    }
    const object = context.emulator.state.objects.get(source);
    if (!object) {
      return errorAnswer(
        context,
        404,
        "object_not_exists",
        `The source object ${source} does not exist.`,
      );
    }
    const failed = failedCondition(context.request.headers, "x-qs-copy-source-", object);
    if (failed) return preconditionFailed(context, failed, "source object");
    // An encrypted source is read with its own key, which the copy must give.
    const denied = checkReadKey(context, SOURCE_KEY, object.encryptionKeyMd5);
    if (denied) return denied;
    if (!object.data) {
      return errorAnswer(context, 400, "invalid_request", "Digest storage keeps no data to copy.");
    }
    const range = context.request.headers.get("x-qs-copy-range");
    let first = 0;
    let last = object.size - 1;
    if (range !== null) {
      const match = /^bytes=(\d+)-(\d+)$/.exec(range);
      if (!match || Number(match[1]) > Number(match[2]) || Number(match[1]) >= object.size) {
        return errorAnswer(
          context,
          416,
          "invalid_range",
          `The copy range ${range} is not satisfiable.`,
        );
      }
      first = Number(match[1]);
      last = Math.min(Number(match[2]), object.size - 1);
    }
    const data = object.data.slice(first, last + 1);
    const response = storePart(context, upload, partNumber, data.length, md5(data), data);
    if (range !== null) {
      response.headers.set("x-qs-content-copy-range", `bytes ${first}-${last}/${object.size}`);
    }
    return response;
  },
};
