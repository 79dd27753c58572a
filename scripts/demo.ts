/**
 * The main job, end to end: starts the embedded QingStor emulator on
 * loopback, streams a generated 64 MiB object to it with one `upload()` call
 * (showing its first signed request, the initiate), with a live progress
 * bar, and checks the stored object's MD5 against the source.
 *
 *     npm run demo
 *
 * With QINGSTOR_ACCESS_KEY_ID, QINGSTOR_SECRET_ACCESS_KEY, QINGSTOR_ZONE and
 * QINGSTOR_BUCKET set, it talks to the real service instead.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { createClient, type Credentials, upload, type UploadProgress } from "../mod.ts";
import {
  createEmulator,
  type Emulator,
  type EmulatorServer,
  serveEmulator,
} from "../src/testing/mod.ts";

const SIZE = 64 * 1024 * 1024;
const env = (name: string) => Deno.env.get(name) || undefined;
const real = env("QINGSTOR_ACCESS_KEY_ID") && env("QINGSTOR_SECRET_ACCESS_KEY") &&
  env("QINGSTOR_ZONE") && env("QINGSTOR_BUCKET");

let emulator: Emulator | undefined;
let server: EmulatorServer | undefined;
let credentials: Credentials;
let bucket: string;
let where: { zone?: string; endpoint?: string };
if (real) {
  credentials = {
    accessKeyId: env("QINGSTOR_ACCESS_KEY_ID")!,
    secretAccessKey: env("QINGSTOR_SECRET_ACCESS_KEY")!,
  };
  bucket = env("QINGSTOR_BUCKET")!;
  where = { zone: env("QINGSTOR_ZONE") };
  console.log(`Using the real service in zone ${where.zone}, bucket ${bucket}.`);
} else {
  credentials = { accessKeyId: "DEMOACCESSKEYID00000", secretAccessKey: "demo-secret-access-key" };
  bucket = "demo-bucket";
  // Bytes storage: parts go up 4 at a time, and digest storage only knows a whole object's MD5
  // when its parts arrive in order.
  emulator = createEmulator({ credentials: [credentials] });
  server = await serveEmulator(emulator);
  where = { endpoint: server.url };
  console.log(`Emulator listening on ${server.url} (set QINGSTOR_* to use the real service).`);
}

let requestsShown = 0;
const client = createClient({
  ...where,
  credentials,
  fetch: (request) => {
    // The first request is the initiate; the parts and the complete look alike.
    if (requestsShown++ == 0) {
      // The signature is hidden for the real service; the emulator's credentials are throwaway.
      console.log(`\n> ${request.method} ${request.url}`);
      for (const [name, value] of request.headers) {
        const shown = real && name == "authorization"
          ? value.replace(/:.*/, ":<signature>")
          : value;
        console.log(`> ${name}: ${shown}`);
      }
    }
    return fetch(request);
  },
});

/** A generated body: pseudo-random 1 MiB blocks, hashed as they are handed out. */
function generated(
  size: number,
  source: ReturnType<typeof createHash>,
): ReadableStream<Uint8Array> {
  let sent = 0;
  let state = 0x2545f491;
  return new ReadableStream({
    pull(controller) {
      if (sent >= size) return controller.close();
      const block = new Uint8Array(Math.min(1024 * 1024, size - sent));
      const words = new Uint32Array(block.buffer, 0, block.length >> 2);
      for (let i = 0; i < words.length; i++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        words[i] = state;
      }
      source.update(block);
      controller.enqueue(block);
      sent += block.length;
    },
  });
}

const terminal = Deno.stdout.isTerminal();
let lastLine = -1;
let uploadId: string | undefined;
function showProgress(
  { uploadId: id, loaded, total = SIZE, partsDone, partsTotal }: UploadProgress,
) {
  if (id != uploadId) {
    // Told as soon as the upload exists: what a caller keeps to resume it after a failure.
    uploadId = id;
    console.log(`\nStarted multipart upload ${id}: 8 MiB parts, 4 at a time`);
  }
  const share = loaded / total;
  if (terminal) {
    const bar = "█".repeat(Math.round(share * 30)).padEnd(30, "░");
    const text = `\r  ${bar} ${(share * 100).toFixed(0).padStart(3)}%  ` +
      `${(loaded / 2 ** 20).toFixed(0)}/${total / 2 ** 20} MiB, part ${partsDone}/${partsTotal}`;
    Deno.stdout.writeSync(new TextEncoder().encode(text));
  } else if (Math.floor(share * 4) > lastLine) {
    lastLine = Math.floor(share * 4);
    console.log(`  ${(share * 100).toFixed(0)}%: ${loaded} of ${total} bytes, ${partsDone} parts`);
  }
}

try {
  const key = `demo/${new Date().toISOString().slice(0, 10)}/大 file (1).bin`;
  console.log(`Uploading ${SIZE / 2 ** 20} MiB to ${bucket}/${key} with upload()`);
  const source = createHash("md5");
  const started = performance.now();
  const result = await upload(client, {
    bucket,
    key,
    body: generated(SIZE, source),
    size: SIZE,
    contentType: "application/octet-stream",
    metadata: { owner: "demo" },
    onProgress: showProgress,
  });
  const seconds = (performance.now() - started) / 1000;
  if (terminal) console.log();
  console.log(
    `\nCompleted: ${result.size} bytes in ${
      result.uploadId === undefined ? "one PUT" : `${result.parts.length} parts`
    }, ` +
      `${(result.size / 2 ** 20 / seconds).toFixed(0)} MiB/s (request id ${result.requestId})`,
  );
  const expected = source.digest("hex");
  const stored = emulator?.state.objects.get(`${bucket}/${key}`)?.md5;
  if (emulator) {
    console.log(`  MD5 of the source:          ${expected}`);
    console.log(`  MD5 the emulator computed:  ${stored}`);
    if (stored != expected) throw new Error("The stored object differs from the source");
    console.log("  They match: the object arrived byte for byte.");
  } else {
    console.log(`  MD5 of the source: ${expected}`);
  }
} finally {
  await server?.close();
}
