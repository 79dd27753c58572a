/**
 * A {@linkcode ResumeStore} in the browser's `localStorage`, in a file of its
 * own so that programs which do not use it do not carry it.
 *
 * @module
 */
import type { ResumeStore } from "./resume_store.ts";

/** The part of the Web Storage API the store uses: `localStorage`, `sessionStorage`, or alike. */
export interface StorageLike {
  /** The value of a key, or `null`. */
  getItem(key: string): string | null;
  /** Sets a key's value. */
  setItem(key: string, value: string): void;
  /** Removes a key. */
  removeItem(key: string): void;
}

/**
 * A resume store in `localStorage` (or any Web Storage), for browsers: the
 * upload ID of a file stays after the tab is closed, so uploading the same
 * file again resumes it. Entries are kept under `prefix` + fingerprint.
 *
 * @param prefix What every key of the store starts with; default `"qingstor-multipart:"`.
 * @param storage The storage; default `globalThis.localStorage`, looked up at each call.
 * @returns The store.
 *
 * @example
 * ```ts
 * import { localStorageResumeStore } from "qingstor-multipart";
 * import assert from "node:assert/strict";
 *
 * // In a browser, leave out the second argument: localStorage is used.
 * const items = new Map<string, string>();
 * const storage = {
 *   getItem: (key: string) => items.get(key) ?? null,
 *   setItem: (key: string, value: string) => void items.set(key, value),
 *   removeItem: (key: string) => void items.delete(key),
 * };
 * const store = localStorageResumeStore("uploads:", storage);
 * store.set("fingerprint", "0123abcd");
 * assert.equal(store.get("fingerprint"), "0123abcd");
 * assert.equal(items.get("uploads:fingerprint"), "0123abcd");
 * store.delete("fingerprint");
 * assert.equal(store.get("fingerprint"), undefined);
 * ```
 */
export function localStorageResumeStore(
  prefix = "qingstor-multipart:",
  storage?: StorageLike,
): ResumeStore & { get(fingerprint: string): string | undefined } {
  // Looked up at each call: a page may reach the store before storage is allowed, and a
  // runtime without it fails the call, which upload() reports as a ResumeStoreError.
  const web = () => storage ?? (globalThis as { localStorage?: StorageLike }).localStorage!;
  return {
    get: (fingerprint) => web().getItem(prefix + fingerprint) ?? undefined,
    set: (fingerprint, uploadId) => web().setItem(prefix + fingerprint, uploadId),
    delete: (fingerprint) => web().removeItem(prefix + fingerprint),
  };
}
