/**
 * The main job, end to end: starts the embedded QingStor emulator on
 * loopback, signs and sends an Initiate Multipart Upload, and shows what
 * went over the wire.
 *
 *     npm run demo
 *
 * With QINGSTOR_ACCESS_KEY_ID, QINGSTOR_SECRET_ACCESS_KEY, QINGSTOR_ZONE and
 * QINGSTOR_BUCKET set, it talks to the real service instead.
 *
 * @module
 */
import { createClient, type Credentials, initiateMultipartUpload } from "../mod.ts";
import { createEmulator, type EmulatorServer, serveEmulator } from "../src/testing/mod.ts";

const env = (name: string) => Deno.env.get(name) || undefined;
const real = env("QINGSTOR_ACCESS_KEY_ID") && env("QINGSTOR_SECRET_ACCESS_KEY") &&
  env("QINGSTOR_ZONE") && env("QINGSTOR_BUCKET");

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
  server = await serveEmulator(createEmulator({ credentials: [credentials] }));
  where = { endpoint: server.url };
  console.log(`Emulator listening on ${server.url} (set QINGSTOR_* to use the real service).`);
}

// Show each signed request as it leaves; the signature itself is hidden for the real service.
const client = createClient({
  ...where,
  credentials,
  fetch: (request) => {
    console.log(`\n> ${request.method} ${request.url}`);
    for (const [name, value] of request.headers) {
      const shown = real && name == "authorization" ? value.replace(/:.*/, ":<signature>") : value;
      console.log(`> ${name}: ${shown}`);
    }
    return fetch(request);
  },
});

try {
  const key = `demo/${new Date().toISOString().slice(0, 10)}/大 file (1).bin`;
  const initiated = await initiateMultipartUpload(client, {
    bucket,
    key,
    contentType: "application/octet-stream",
    metadata: { owner: "demo" },
  });
  console.log(`\nInitiated a multipart upload of "${initiated.key}" in ${initiated.bucket}`);
  console.log(`  upload id:  ${initiated.uploadId}`);
  console.log(`  request id: ${initiated.requestId}`);
} finally {
  await server?.close();
}
