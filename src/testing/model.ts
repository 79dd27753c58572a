/**
 * The emulator's model: its options, its state, and the shapes its parts
 * (addressing, authentication, faults, operations) share.
 *
 * @module
 */
import type { Credentials } from "../client.ts";

/** The operations the emulator understands, by the client's names. */
export type EmulatorOperation =
  | "initiateMultipartUpload"
  | "uploadPart"
  | "uploadPartCopy"
  | "listParts"
  | "completeMultipartUpload"
  | "abortMultipartUpload"
  | "listMultipartUploads"
  | "putObject"
  | "getObject"
  | "headObject"
  | "deleteObject";

/** A fault to inject into matching requests. */
export interface FaultRule {
  /** The operations it applies to; all when absent. */
  operations?: EmulatorOperation[];
  /** The chance, from 0 to 1, that a matching request is hit (from the seeded source). Default 1. */
  probability?: number;
  /** How many requests it may hit at most; unlimited when absent. */
  times?: number;
  /** Wait this many milliseconds before answering (or before dropping). */
  delay?: number;
  /**
   * Handle the request at once, then hold its answer this many milliseconds:
   * a service slower than the client's timeout, whose work is done although
   * the client gave up. (A `delay` ends with its request, before handling it.)
   */
  delayAnswer?: number;
  /** Answer with this status and a fitting error code instead of handling the request. */
  status?: number;
  /**
   * Drop the connection without an answer: before reading the body, part way
   * through it, or after the request took effect (so the client cannot know it did).
   */
  drop?: "before-body" | "mid-body" | "after-handling";
}

/** Options of {@linkcode createEmulator}. */
export interface EmulatorOptions {
  /** Key pairs the emulator accepts; none means every request must be anonymous. */
  credentials?: Credentials[];
  /** Buckets that anonymous users may read and write. */
  publicBuckets?: string[];
  /** Buckets that exist; when absent, every valid bucket name exists. */
  buckets?: string[];
  /** Milliseconds the emulator's clock runs ahead of the local clock (negative: behind). */
  clockOffset?: number;
  /** The smallest part, except the last, that complete accepts. Default 4 MiB, as the service. */
  minPartSize?: number;
  /**
   * `"bytes"` (default) keeps object data. `"digest"` keeps no bytes at all,
   * for huge tests: bodies are hashed as they stream in, so memory stays at a
   * few chunks whatever the sizes, numbering and order of the parts. What it
   * still reports:
   *
   * - every part's size and MD5 (its ETag), always, on the upload and on the
   *   object it becomes (`object.parts`);
   * - the object's size, always, and the MD5 of a PUT object, always;
   * - the MD5 of a multipart object only when it could be hashed as the parts
   *   arrived: each part started arriving after the one before it in part-number
   *   order (a part arriving while an earlier one streams waits its turn, unread),
   *   none was sent twice or failed part way, and complete lists exactly the parts
   *   hashed, in that order. Otherwise `object.md5` is undefined and
   *   `object.md5Unknown` says why (e.g. `"part 2 arrived after part 3"`). Send
   *   parts in order, or use `"bytes"`, when a test needs the object's MD5.
   *
   * GET of an object's bytes, and copying from it, are refused in digest storage.
   */
  storage?: "bytes" | "digest";
  /** Faults to inject; the list stays live on `emulator.faults`. */
  faults?: FaultRule[];
  /** Seed of the random source that decides probabilistic faults, so failures replay. */
  seed?: number;
  /** Host names under which `<bucket>.<host>` is virtual-host style; `localhost` and `<zone>.qingstor.com` always are. */
  hosts?: string[];
  /**
   * Milliseconds a request body may go without a byte arriving (a body
   * shorter than its Content-Length, say) before the request fails with 400
   * `incomplete_body`; nothing is stored. Default 20000.
   */
  bodyTimeout?: number;
  /** How many of the most recent requests `state.requests` keeps. Default 1000. */
  requestLogLimit?: number;
}

/** A part held by the emulator. */
export interface EmulatorPart {
  /** The part number. */
  partNumber: number;
  /** Size in bytes. */
  size: number;
  /** MD5 of the part, hex. */
  etag: string;
  /** When it arrived. */
  created: Date;
  /** The bytes, in `"bytes"` storage. */
  data?: Uint8Array;
}

/** An upload in progress. */
export interface EmulatorUpload {
  /** The bucket. */
  bucket: string;
  /** The key. */
  key: string;
  /** The upload ID. */
  uploadId: string;
  /** When it was initiated. */
  created: Date;
  /** Headers given at initiate that describe the object. */
  contentType?: string;
  /** The storage class. */
  storageClass: string;
  /** User metadata, names lower-cased. */
  metadata: Record<string, string>;
  /** The SSE-C key MD5 every part must repeat. */
  encryptionKeyMd5?: string;
  /** Parts received, by number. */
  parts: Map<number, EmulatorPart>;
  /** In `"digest"` storage: the object's MD5 so far, hashed as the parts arrive. */
  digest?: DigestChain;
}

/**
 * In `"digest"` storage, the MD5 of an upload's parts, hashed as they stream
 * in, in the order they arrive; it holds no bytes.
 */
export interface DigestChain {
  /** The MD5 hasher (it holds at most one 64-byte block). */
  md5: { update(data: Uint8Array): unknown; digest(): Uint8Array };
  /** The part numbers hashed into `md5`, in order. */
  hashed: number[];
  /** The highest part number that took a turn, or -1. */
  last: number;
  /** Settles when the part whose turn it is has been read; the next part waits for it. */
  turn: Promise<void>;
  /** Why `md5` no longer tells the object's MD5, once it does not. */
  broken?: string;
}

/** An object, made by PUT Object or by a completed upload. */
export interface EmulatorObject {
  /** The bucket. */
  bucket: string;
  /** The key. */
  key: string;
  /** Size in bytes. */
  size: number;
  /** MD5 of the whole object, hex; absent when `"digest"` storage could not follow the parts. */
  md5?: string;
  /** Why `md5` is absent (`"digest"` storage only). */
  md5Unknown?: string;
  /**
   * The ETag HEAD and GET answer with, as sent: the quoted MD5 of a PUT
   * object, or the one given at complete (the service computes none for a
   * multipart object).
   */
  etag?: string;
  /** When it was created: its Last-Modified. */
  created: Date;
  /** The Content-Type given at PUT or initiate. */
  contentType?: string;
  /** The storage class. */
  storageClass: string;
  /** User metadata. */
  metadata: Record<string, string>;
  /** The SSE-C key MD5 that reading or copying it must repeat, when it is encrypted. */
  encryptionKeyMd5?: string;
  /** The parts it was assembled from (number, size, MD5), for a multipart object. */
  parts?: { partNumber: number; size: number; etag: string }[];
  /** The bytes, in `"bytes"` storage. */
  data?: Uint8Array;
}

/** One request the emulator answered, for tests to inspect. */
export interface EmulatorRequestRecord {
  /** The operation, when the request matched one. */
  operation?: EmulatorOperation;
  /** The method. */
  method: string;
  /** The path and query exactly as received. */
  target: string;
  /** The request headers (the Authorization value included: these are test credentials). */
  headers: Record<string, string>;
  /** How the request was authenticated. */
  auth: "header" | "query" | "anonymous";
  /** The status answered, or 0 for a dropped connection. */
  status: number;
  /** The answer's headers, names in lower case; empty until it is answered. */
  responseHeaders: Record<string, string>;
  /** The request ID answered. */
  requestId: string;
}

/** The emulator's state, open for tests to read. */
export interface EmulatorState {
  /** Uploads in progress, by upload ID. */
  uploads: Map<string, EmulatorUpload>;
  /** Objects, by `bucket/key`. */
  objects: Map<string, EmulatorObject>;
  /** The most recent requests (at most `requestLogLimit`), oldest first. */
  requests: EmulatorRequestRecord[];
  /** Errors thrown while handling requests (answered as 500): emulator bugs, to be none. */
  errors: unknown[];
}

/** An in-process QingStor emulator. */
export interface Emulator {
  /** Answers one request; pass it as a client's `fetch`, or serve it over HTTP with `serveEmulator`. */
  fetch: (request: Request) => Promise<Response>;
  /** The state. */
  state: EmulatorState;
  /** The live list of fault rules. */
  faults: FaultRule[];
  /** The options in force. */
  options: Readonly<EmulatorOptions>;
  /** The emulator's current time in milliseconds (the local clock plus `clockOffset`). */
  now(): number;
}

/** A request thrown instead of answered: the HTTP server drops the connection. */
export class DroppedConnection extends Error {
  /** Always `"DroppedConnection"`. */
  override name = "DroppedConnection";
}

/**
 * What one emulator keeps for itself beside its open `state`: every counter
 * lives here, per instance, so two emulators in one process never share one.
 */
export interface EmulatorInternals {
  /** How many uploads were initiated: the ordered first part of an upload ID. */
  uploadsInitiated: number;
}

/** The context an operation handler works in. */
export interface OperationContext {
  emulator: Emulator;
  /** The emulator's own counters. */
  internals: EmulatorInternals;
  request: Request;
  bucket: string;
  key?: string;
  query: Map<string, string>;
  requestId: string;
  /** Reads the whole body, honouring a mid-body drop fault and the body timeout. */
  body(): Promise<Uint8Array>;
  /** Reads the body a chunk at a time, keeping none; resolves to its length. */
  stream(onChunk: (chunk: Uint8Array) => void): Promise<number>;
}

/** Why a request is refused: the status, error code and message to answer with. */
export type Refusal = [status: number, code: string, message: string];

/** Answers with QingStor's error body. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  requestId: string,
): Response {
  return Response.json({ code, message, request_id: requestId }, { status });
}
