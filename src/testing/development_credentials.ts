import type { Credentials } from "../client.ts";

/**
 * The key pair that `qingstor-multipart emulator` accepts when it is given
 * none, so a local session needs no set-up: paste the lines it prints into
 * `export`. It is public (printed, documented, in this source) and is for
 * the local emulator only: never give a real service these values, and
 * never use them to protect anything.
 *
 * @example
 * ```ts
 * import { createEmulator, DEVELOPMENT_CREDENTIALS } from "qingstor-multipart/testing";
 * import { createClient, initiateMultipartUpload } from "qingstor-multipart";
 *
 * const emulator = createEmulator({ credentials: [DEVELOPMENT_CREDENTIALS] });
 * const client = createClient({
 *   endpoint: "http://localhost",
 *   credentials: DEVELOPMENT_CREDENTIALS,
 *   fetch: emulator.fetch,
 * });
 * await initiateMultipartUpload(client, { bucket: "mybucket", key: "a.bin" });
 * ```
 */
export const DEVELOPMENT_CREDENTIALS: Readonly<Credentials> = Object.freeze({
  // The service's shapes (20 upper-case characters, 40 characters), so tools that check
  // lengths accept them; the words say what they are wherever they end up.
  accessKeyId: "QSDEVELOPMENTKEYID00",
  secretAccessKey: "developmentSecretForLocalEmulatorOnly000",
});
