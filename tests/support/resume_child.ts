/**
 * A program that uploads a file with a resume store kept in a JSON file, one
 * part at a time, printing each part as it lands: run twice by
 * tests/upload_resume_process_test.ts, the first time killed midway.
 *
 *     resume_child <endpoint> <file> <store file> <key>
 *
 * The credentials come from QINGSTOR_ACCESS_KEY_ID and QINGSTOR_SECRET_ACCESS_KEY.
 */
import process from "node:process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createClient, type ResumeStore, upload } from "../../mod.ts";

/** The file store README shows, typed. */
function fileStore(path: string): ResumeStore {
  const read = () => (existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : {});
  const write = (entries: object) => writeFileSync(path, JSON.stringify(entries));
  return {
    get: (fingerprint) => read()[fingerprint],
    set: (fingerprint, uploadId) => write({ ...read(), [fingerprint]: uploadId }),
    delete: (fingerprint) => write({ ...read(), [fingerprint]: undefined }),
  };
}

const [endpoint, file, storeFile, key] = process.argv.slice(2);
const client = createClient({
  endpoint,
  credentials: {
    accessKeyId: process.env.QINGSTOR_ACCESS_KEY_ID!,
    secretAccessKey: process.env.QINGSTOR_SECRET_ACCESS_KEY!,
  },
  retry: { maxAttempts: 1 },
});
const result = await upload(client, {
  bucket: "mybucket",
  key,
  body: new Uint8Array(readFileSync(file)),
  partSize: 1024,
  minPartSize: 1024,
  concurrency: 1,
  resumeStore: fileStore(storeFile),
  onProgress: ({ uploadId, partsDone }) => console.log(`${uploadId} has ${partsDone} parts`),
});
console.log(`done: upload ${result.uploadId}`);
