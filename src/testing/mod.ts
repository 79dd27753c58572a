/**
 * An offline QingStor emulator for tests: the multipart API with the
 * service's signatures, dates, limits, error codes and injectable faults,
 * usable in-process as a client's `fetch` or served over HTTP.
 *
 * @example
 * ```ts
 * import { createEmulator, serveEmulator } from "qingstor-multipart/testing";
 * import { createClient, initiateMultipartUpload } from "qingstor-multipart";
 *
 * const credentials = { accessKeyId: "AKID", secretAccessKey: "secret" };
 * const server = await serveEmulator(createEmulator({ credentials: [credentials] }));
 * const client = createClient({ endpoint: server.url, credentials });
 * await initiateMultipartUpload(client, { bucket: "mybucket", key: "a.bin" });
 * await server.close();
 * ```
 *
 * @module
 */
export { createEmulator } from "./emulator.ts";
export { DEVELOPMENT_CREDENTIALS } from "./development_credentials.ts";
export {
  type DigestChain,
  DroppedConnection,
  type Emulator,
  type EmulatorObject,
  type EmulatorOperation,
  type EmulatorOptions,
  type EmulatorPart,
  type EmulatorRequestRecord,
  type EmulatorState,
  type EmulatorUpload,
  type FaultRule,
} from "./model.ts";
export { type EmulatorServer, serveEmulator, type ServeOptions } from "./serve.ts";
