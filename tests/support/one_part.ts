/** What the operation tests share: the bucket, small parts, and an upload with one part to finish. */
import {
  type Client,
  completeMultipartUpload,
  initiateMultipartUpload,
  uploadPart,
} from "../../mod.ts";
import { testBytes } from "./bytes.ts";

export const bucket = "mybucket";
/** Emulator options that accept parts of 1 KiB. */
export const small = { minPartSize: 1024 };

/** Starts an upload of `k` with one 10-byte part; returns its ID. */
export async function startWithOnePart(client: Client): Promise<string> {
  const { uploadId } = await initiateMultipartUpload(client, { bucket, key: "k" });
  await uploadPart(client, { bucket, key: "k", uploadId, partNumber: 0, body: testBytes(10) });
  return uploadId;
}

/** Completes that upload from its one part; returns what it threw, if anything. */
export function completeOnePart(client: Client, uploadId: string): Promise<unknown> {
  return completeMultipartUpload(client, { bucket, key: "k", uploadId, parts: [{ partNumber: 0 }] })
    .catch((error) => error);
}
