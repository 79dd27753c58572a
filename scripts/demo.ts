/**
 * The main job, end to end: starts the embedded QingStor emulator on
 * loopback, initiates a multipart upload (showing the signed request), then
 * streams a generated 64 MiB object into it with `upload()`, with a live
 * progress bar, and checks the stored object's MD5 against the source.
 *
 *     npm run demo
 *
 * With QINGSTOR_ACCESS_KEY_ID, QINGSTOR_SECRET_ACCESS_KEY, QINGSTOR_ZONE and
 * QINGSTOR_BUCKET set, it talks to the real service instead.
 *
 * @module
 */
import { createHash } from "node:crypto";
import {
  createClient,
  type Credentials,
  initiateMultipartUpload,
  upload,
  type UploadProgress,
} from "../mod.ts";
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
  emulator = createEmulator({ credentials: [credentials], storage: "digest" });
  server = await serveEmulator(emulator);
  where = { endpoint: server.url };
  console.log(`Emulator listening on ${server.url} (set QINGSTOR_* to use the real service).`);
}

let showRequests = true;
const client = createClient({
  ...where,
  credentials,
  fetch: (request) => {
    if (showRequests) {
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
function showProgress({ loaded, total = SIZE, partsDone, partsTotal }: UploadProgress) {
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
  const initiated = await initiateMultipartUpload(client, {
    bucket,
    key,
    contentType: "application/octet-stream",
    metadata: { owner: "demo" },
  });
  showRequests = false;
  console.log(`\nInitiated a multipart upload of "${initiated.key}" in ${initiated.bucket}`);
  console.log(`  upload id:  ${initiated.uploadId}`);
  console.log(`  request id: ${initiated.requestId}`);

  console.log(`\nUploading ${SIZE / 2 ** 20} MiB into it with upload(): 8 MiB parts, 4 at a time`);
  const source = createHash("md5");
  const started = performance.now();
  const result = await upload(client, {
    bucket,
    key,
    uploadId: initiated.uploadId,
    body: generated(SIZE, source),
    size: SIZE,
    onProgress: showProgress,
  });
  const seconds = (performance.now() - started) / 1000;
  if (terminal) console.log();
  console.log(
    `\nCompleted: ${result.size} bytes in ${result.parts.length} parts, ` +
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
