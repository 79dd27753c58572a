/**
 * The emulator's model: its options, its state, and the shapes its parts
 * (routing, authentication, faults, operations) share.
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
  | "getObject";

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
  /** `"bytes"` (default) keeps object data; `"digest"` keeps only sizes and MD5s, for huge tests. */
  storage?: "bytes" | "digest";
  /** Faults to inject; the list stays live on `emulator.faults`. */
  faults?: FaultRule[];
  /** Seed of the random source that decides probabilistic faults, so failures replay. */
  seed?: number;
  /** Host names under which `<bucket>.<host>` is virtual-host style; `localhost` and `<zone>.qingstor.com` always are. */
  hosts?: string[];
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
}

/** An object made by a completed upload. */
export interface EmulatorObject {
  /** The bucket. */
  bucket: string;
  /** The key. */
  key: string;
  /** Size in bytes. */
  size: number;
  /** MD5 of the whole object, hex; absent when `"digest"` storage could not follow the parts. */
  md5?: string;
  /** The ETag given at complete. */
  etag?: string;
  /** The Content-Type given at initiate. */
  contentType?: string;
  /** The storage class. */
  storageClass: string;
  /** User metadata. */
  metadata: Record<string, string>;
  /** The bytes, in `"bytes"` storage. */
  data?: Uint8Array;
}

/** One request the emulator answered, for tests to inspect. */
export interface EmulatorRequestRecord {
  /** The operation, when the request was routed. */
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
  /** The request ID answered. */
  requestId: string;
}

/** The emulator's state, open for tests to read. */
export interface EmulatorState {
  /** Uploads in progress, by upload ID. */
  uploads: Map<string, EmulatorUpload>;
  /** Objects, by `bucket/key`. */
  objects: Map<string, EmulatorObject>;
  /** Every request answered, oldest first. */
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

/** The context an operation handler works in. */
export interface RouteContext {
  emulator: Emulator;
  request: Request;
  bucket: string;
  key?: string;
  query: Map<string, string>;
  requestId: string;
  /** Reads the body, honouring a mid-body drop fault. */
  body(): Promise<Uint8Array>;
}

/** Answers with QingStor's error body. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  requestId: string,
): Response {
  return Response.json({ code, message, request_id: requestId }, { status });
}
