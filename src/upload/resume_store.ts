/**
 * Resume: where `upload()` keeps the ID of an upload in progress, under a
 * fingerprint of the body, so that a later run (after a crash, a closed tab,
 * a lost connection) resumes it by itself; and the parts a resumed upload
 * has on the service already.
 *
 * Loaded on demand, only by an upload given `uploadId`, `resumeStore` or
 * `fingerprint`: it reaches the library through the package's entry, so that
 * the npm package ships it as a file of its own that shares the entry's
 * classes (see scripts/build_npm.ts).
 *
 * @module
 */
import { type Client, iterateParts, type ListedPart, ResumeStoreError } from "../../mod.ts";
import { untilAborted } from "../until_aborted.ts";
import { check, checkUploadId } from "../validate.ts";
import type { UploadBody } from "./upload_body.ts";

/**
 * Remembers upload IDs by fingerprint, for `upload({ resumeStore })`. Each
 * method may answer at once or with a promise. `get` answers `undefined` (or
 * `null`) for a fingerprint it does not hold.
 *
 * `upload()` calls `get` before it sends anything, `set` as soon as a new
 * upload's ID is known (before any part), and `delete` when the upload no
 * longer exists: completed, or aborted on the service. An upload whose parts
 * are kept (`leavePartsOnError`, the default when resuming) stays stored.
 */
export interface ResumeStore {
  /** The upload ID stored under a fingerprint, if any. */
  get(fingerprint: string): string | undefined | null | Promise<string | undefined | null>;
  /** Stores an upload ID under a fingerprint, replacing any. */
  set(fingerprint: string, uploadId: string): void | Promise<void>;
  /** Forgets a fingerprint. */
  delete(fingerprint: string): void | Promise<void>;
}

/** A store and the fingerprint one upload uses in it. */
export interface ResumeEntry {
  /** The store. */
  store: ResumeStore;
  /** The body's fingerprint. */
  fingerprint: string;
}

/** What `upload()` is asked, as far as its resume store goes. */
export interface ResumeInput {
  bucket: string;
  key: string;
  body: UploadBody;
  uploadId?: string;
  resumeStore?: ResumeStore;
  fingerprint?: string;
}

/**
 * Checks the store options and settles the fingerprint.
 *
 * @param input The upload's input.
 * @param size The body's size, when known.
 * @returns The store and fingerprint, or `undefined` without a store.
 * @throws {ValidationError} If the store lacks a method, a fingerprint is given without a store
 * or is empty, the body's size is unknown and no fingerprint is given, or `uploadId` is given too.
 */
export function resumeEntry(input: ResumeInput, size: number | undefined): ResumeEntry | undefined {
  const { resumeStore: store, fingerprint } = input;
  check(
    fingerprint === undefined || store !== undefined,
    "fingerprint",
    "fingerprint is used only with resumeStore",
    fingerprint,
  );
  if (store === undefined) return undefined;
  check(
    (["get", "set", "delete"] as const).every((method) =>
      typeof Object(store)[method] == "function"
    ),
    "resumeStore",
    "resumeStore must have get, set and delete methods",
    typeof store,
  );
  check(
    input.uploadId === undefined,
    "uploadId",
    "Give uploadId or resumeStore, not both (a stored upload ID is resumed by itself)",
    input.uploadId,
  );
  check(
    fingerprint === undefined || (typeof fingerprint == "string" && fingerprint != ""),
    "fingerprint",
    "fingerprint must be a non-empty string",
    fingerprint,
  );
  check(
    fingerprint !== undefined || size !== undefined,
    "fingerprint",
    "A body of unknown size has no default fingerprint: give fingerprint, or size",
    fingerprint,
  );
  return { store, fingerprint: fingerprint ?? defaultFingerprint(input, size!) };
}

/**
 * The fingerprint of a body when none is given: bucket, key and size, and
 * for a `File` its name and last-modified time too. As JSON, so that no key
 * or name can make two bodies look alike.
 *
 * @param input The bucket, key and body.
 * @param size The body's size.
 * @returns The fingerprint.
 */
export function defaultFingerprint(
  input: { bucket: string; key: string; body: UploadBody },
  size: number,
): string {
  const { body } = input;
  const file = typeof File == "function" && body instanceof File
    ? [body.name, body.lastModified]
    : [];
  return JSON.stringify(["qingstor-multipart", input.bucket, input.key, size, ...file]);
}

/**
 * Reads the upload ID stored for an upload.
 *
 * @param entry The store and fingerprint.
 * @param signal The caller's signal: stops a `get` that does not answer.
 * @returns The stored ID, or `undefined`.
 * @throws {ResumeStoreError} If `get` fails, or answers something that is no upload ID.
 * @throws The signal's reason, when it aborts.
 */
export async function storedUploadId(
  entry: ResumeEntry,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const id = await callStore(entry, "get", (store) => store.get(entry.fingerprint), signal);
  if (id === undefined || id === null) return undefined;
  try {
    checkUploadId(id);
  } catch (error) {
    throw new ResumeStoreError("get", entry.fingerprint, error);
  }
  return id;
}

/**
 * Calls a method of the store.
 *
 * @param entry The store and fingerprint.
 * @param operation The method, for the error.
 * @param call Calls it.
 * @param signal Stops waiting for it.
 * @returns What it answers.
 * @throws {ResumeStoreError} If it throws or rejects.
 * @throws The signal's reason, when it aborts first.
 */
export async function callStore<T>(
  entry: ResumeEntry,
  operation: "get" | "set" | "delete",
  call: (store: ResumeStore) => T | Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  try {
    return await untilAborted(Promise.resolve().then(() => call(entry.store)), signal);
  } catch (error) {
    if (signal?.aborted && error === signal.reason) throw error;
    throw new ResumeStoreError(operation, entry.fingerprint, error);
  }
}

/**
 * Deletes an upload's entry from the store, once the upload no longer exists.
 *
 * @param entry The store and fingerprint.
 * @param signal Stops waiting for the store.
 * @returns What failed, if the store did.
 */
export async function forgetUpload(
  entry: ResumeEntry,
  signal: AbortSignal,
): Promise<ResumeStoreError | undefined> {
  try {
    await callStore(entry, "delete", (store) => store.delete(entry.fingerprint), signal);
    return undefined;
  } catch (error) {
    return error as ResumeStoreError;
  }
}

/**
 * The parts an upload being resumed has on the service already, by part number.
 *
 * @param client The client.
 * @param address The upload, and a signal.
 * @returns Its parts.
 * @throws {QingStorError} If listing them fails (`upload_not_exists` when the upload is gone).
 */
export async function existingParts(
  client: Client,
  address: { bucket: string; key: string; uploadId: string; signal?: AbortSignal },
): Promise<Map<number, ListedPart>> {
  const existing = new Map<number, ListedPart>();
  for await (const part of iterateParts(client, address)) existing.set(part.partNumber, part);
  return existing;
}
