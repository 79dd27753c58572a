/**
 * What a signing server signs, and nothing else (see
 * docs/protocol.md#what-a-signing-server-signs): each operation's method, its
 * exact query and the headers it may declare. An entry that matches no rule
 * is refused before anyone is asked to authorize it.
 *
 * @module
 */
import { ValidationError } from "../errors.ts";
import type { QueryParameter } from "../request/request_url.ts";
import {
  BASE64_MD5,
  check,
  checkHeaderValue,
  checkKey,
  isStorageClass,
  matches,
  MAX_PART_NUMBER,
} from "../validate.ts";
import type { WireSigningError } from "./wire.ts";

/** Why an entry or a batch is not signed; becomes the JSON error of the answer. */
export class SigningRefusal extends Error implements WireSigningError {
  /** Always `"SigningRefusal"`. */
  override name = "SigningRefusal";

  /**
   * Creates the refusal.
   *
   * @param status The HTTP status.
   * @param code The `sign_…` code.
   * @param message What was wrong; never a secret.
   * @param entry The index of the entry at fault.
   */
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly entry?: number,
  ) {
    super(message);
  }
}

/** An entry that passed every check, ready to be authorized and signed. */
export interface SignableEntry {
  /** The operation. */
  operation: SignableOperation;
  /** The method. */
  method: string;
  /**
   * The key; `""` for List Multipart Uploads, whose signature lists every
   * key's uploads, whatever `prefix` is sent (the service does not sign it).
   */
  key: string;
  /** Whether the key is the path's (every operation but List Multipart Uploads). */
  inPath: boolean;
  /** The query, in the order received. */
  query: QueryParameter[];
  /** The declared headers as they are signed: by lower-case name, values trimmed. */
  headers: Record<string, string>;
  /** The upload ID, for the operations on an upload. */
  uploadId?: string;
  /** The part number, for Upload Part. */
  partNumber?: number;
}

/** The operations a signing server signs. */
export type SignableOperation =
  | "initiateMultipartUpload"
  | "uploadPart"
  | "listParts"
  | "completeMultipartUpload"
  | "abortMultipartUpload"
  | "listMultipartUploads"
  | "putObject";

/**
 * A query parameter's rule: a bare name, an upload ID, a key, or a whole
 * number in a range. Data, not functions, so that bundlers see nothing to run
 * when this module is imported and not used.
 */
type QueryRule = "bare" | "uploadId" | "key" | readonly [min: number, max: number];

/**
 * An upload ID that can be signed: the service's are hex. The signature has the
 * decoded value after `upload_id=`, so an `&` in it would read as one more
 * sub-resource (`X&uploads` makes Complete's string to sign Initiate's:
 * docs/protocol.md#what-a-signing-server-signs); spaces would be trimmed away.
 */
const SIGNABLE_UPLOAD_ID = /^[A-Za-z0-9._~+/=-]{1,1024}$/;

/** Checks a query parameter against its rule; throws a ValidationError naming `parameter`. */
function checkQuery(rule: QueryRule, value: string, parameter: string): void {
  if (rule == "bare") check(value === "", parameter, "Must be a bare name, with no value", value);
  else if (rule == "uploadId") {
    check(
      matches(SIGNABLE_UPLOAD_ID, value),
      parameter,
      "Must be 1 to 1024 of A-Z a-z 0-9 . _ ~ + / = -",
      value,
    );
  } else if (rule == "key") checkKey(value, parameter);
  else {
    check(
      matches(/^(0|[1-9]\d{0,4})$/, value) && +value >= rule[0] && +value <= rule[1],
      parameter,
      `Must be a whole number from ${rule[0]} to ${rule[1]}, written plainly`,
      value,
    );
  }
}

/** Each operation's rule; `?` marks an optional query parameter. */
interface Rule {
  method: "GET" | "PUT" | "POST" | "DELETE";
  /** The query's names, `?` after the optional ones, with their rules. */
  query: Record<string, QueryRule>;
  /** The headers it may declare: `meta` for `x-qs-meta-*`, `sse` for the SSE-C three. */
  headers: readonly string[];
}

const OBJECT_HEADERS = ["content-md5", "content-type", "x-qs-storage-class", "meta", "sse"];

/**
 * The rules. List Multipart Uploads is asked with a prefix (`upload()` lists
 * the key's uploads to abort those that initiate attempts with lost answers
 * may have made), but the prefix is not signed: it is authorized as the key
 * `""`, every key of the bucket.
 */
const RULES: Readonly<Record<SignableOperation, Rule>> = {
  initiateMultipartUpload: {
    method: "POST",
    query: { uploads: "bare" },
    headers: ["content-type", "x-qs-storage-class", "meta", "sse"],
  },
  // A runtime may add the part Blob's type (Bun), which is then signed as sent.
  uploadPart: {
    method: "PUT",
    query: { part_number: [0, MAX_PART_NUMBER], upload_id: "uploadId" },
    headers: ["content-md5", "content-type", "sse"],
  },
  listParts: {
    method: "GET",
    query: {
      upload_id: "uploadId",
      "limit?": [1, 1000],
      "part_number_marker?": [0, MAX_PART_NUMBER],
    },
    headers: [],
  },
  completeMultipartUpload: {
    method: "POST",
    query: { upload_id: "uploadId" },
    headers: ["content-type", "sse"],
  },
  abortMultipartUpload: { method: "DELETE", query: { upload_id: "uploadId" }, headers: [] },
  listMultipartUploads: {
    method: "GET",
    query: {
      uploads: "bare",
      prefix: "key",
      "key_marker?": "key",
      "upload_id_marker?": "uploadId",
      "limit?": [1, 1000],
    },
    headers: [],
  },
  putObject: { method: "PUT", query: {}, headers: OBJECT_HEADERS },
};

/** The SSE-C headers' values: a checked shape, and never shown in a refusal. */
const SSE_C: Record<string, RegExp> = {
  "x-qs-encryption-customer-algorithm": /^AES256$/,
  "x-qs-encryption-customer-key": /^[A-Za-z0-9+/]{43}=$/,
  "x-qs-encryption-customer-key-md5": BASE64_MD5,
};

/** The header kinds as messages name them. */
const HEADER_NAMES: Record<string, string> = {
  meta: "x-qs-meta-*",
  sse: "x-qs-encryption-customer-*",
};

/** Whether a value is an object made by JSON (or a literal): not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value == "object" && value !== null && !Array.isArray(value);
}

/**
 * A received value as a refusal may show it: an array or an object by its
 * kind alone, since turning a deeply nested array into text (as `check()`
 * would) overflows the stack.
 */
export function shown(value: unknown): unknown {
  return typeof value == "object" && value !== null
    ? Array.isArray(value) ? "an array" : "an object"
    : value;
}

/** Refuses an object that has any name but the allowed ones. */
export function checkFields(value: Record<string, unknown>, allowed: string[], where: string) {
  for (const name of Object.keys(value)) {
    check(allowed.includes(name), where, `Only ${allowed.join(", ")} are allowed`, name);
  }
}

/** Checks a declared record of strings: a JSON object whose every value is a string. */
function strings(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  check(isRecord(value), where, "Must be an object of strings", typeof value);
  for (const [name, text] of Object.entries(value)) {
    check(typeof text == "string", `${where}.${name}`, "Must be a string", typeof text);
  }
  return value as Record<string, string>;
}

/** Whether a received operation is one that is signed. */
function isSignable(operation: unknown): operation is SignableOperation {
  return typeof operation == "string" && Object.hasOwn(RULES, operation);
}

/**
 * Checks one entry of a batch against its operation's rule.
 *
 * @param raw The entry as parsed from JSON.
 * @param index Its index, named in refusals.
 * @param checkMetadata The library's check of user metadata (loaded on demand by the caller).
 * @returns The entry, checked.
 * @throws {SigningRefusal} 403 `sign_operation_not_allowed` for an operation that is not
 * signed; 400 `sign_request_invalid` for any field that does not match its operation.
 */
export function checkEntry(
  raw: unknown,
  index: number,
  checkMetadata: (metadata: Record<string, string>) => unknown,
): SignableEntry {
  const where = `requests[${index}]`;
  const operation = isRecord(raw) ? raw.operation : undefined;
  if (!isSignable(operation)) {
    throw new SigningRefusal(
      403,
      "sign_operation_not_allowed",
      `${where}.operation: only ${Object.keys(RULES).join(", ")} are signed, received ${
        typeof operation == "string" ? JSON.stringify(operation.slice(0, 40)) : typeof operation
      }`,
      index,
    );
  }
  try {
    const entry = raw as Record<string, unknown>;
    const rule = RULES[operation];
    checkFields(entry, ["operation", "method", "key", "query", "headers"], where);
    check(
      entry.method === rule.method,
      `${where}.method`,
      `${operation} is sent with ${rule.method}`,
      shown(entry.method),
    );
    const query = strings(entry.query, `${where}.query`);
    const names = Object.keys(rule.query).map((name) => name.replace("?", ""));
    for (const name of Object.keys(query)) {
      check(
        names.includes(name),
        `${where}.query`,
        `${operation} takes only ${names.join(", ") || "no query"}`,
        name,
      );
    }
    for (const [name, queryRule] of Object.entries(rule.query)) {
      const bareName = name.replace("?", "");
      const value = Object.hasOwn(query, bareName) ? query[bareName] : undefined;
      if (value === undefined) {
        check(name.endsWith("?"), `${where}.query`, `${operation} needs ${bareName}`, "none");
      } else checkQuery(queryRule, value, `${where}.query.${bareName}`);
    }
    const inPath = operation != "listMultipartUploads";
    if (inPath) {
      check(typeof entry.key == "string", `${where}.key`, "Must be a string", shown(entry.key));
      checkKey(entry.key, `${where}.key`);
    } else {
      check(entry.key === undefined, `${where}.key`, `${operation} has no key`, shown(entry.key));
    }
    const headers = checkHeaders(
      strings(entry.headers, `${where}.headers`),
      operation,
      where,
      checkMetadata,
    );
    return {
      operation,
      method: rule.method,
      // The service does not sign `prefix`: told as the whole bucket, which the signature lists.
      key: inPath ? entry.key as string : "",
      inPath,
      query: Object.entries(query).map(([name, value]) => value === "" ? [name] : [name, value]),
      headers,
      uploadId: query.upload_id,
      partNumber: query.part_number === undefined ? undefined : Number(query.part_number),
    };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const { parameter, message } = error;
    const named = parameter.startsWith(where) ? parameter : `${where}.${parameter}`;
    throw new SigningRefusal(400, "sign_request_invalid", `${named}: ${message}`, index);
  }
}

/** Checks the declared headers against the operation's list and each header's own rule. */
function checkHeaders(
  headers: Record<string, string>,
  operation: SignableOperation,
  where: string,
  checkMetadata: (metadata: Record<string, string>) => unknown,
): Record<string, string> {
  const rule = RULES[operation];
  // Pairs, made an object by Object.fromEntries: assigning `metadata["__proto__"]` would set the
  // prototype (except in Deno, which has no `__proto__`), and its value would go unchecked.
  const metadata: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    const parameter = `${where}.headers.${name}`;
    const kind = name.startsWith("x-qs-meta-") ? "meta" : Object.hasOwn(SSE_C, name) ? "sse" : name;
    check(
      // A header named as a kind ("meta", "sse") is no header of that kind.
      rule.headers.includes(kind) && !(kind == name && Object.hasOwn(HEADER_NAMES, name)),
      `${where}.headers`,
      `${operation} declares only ${
        rule.headers.map((kind) => HEADER_NAMES[kind] ?? kind).join(", ") || "no headers"
      }`,
      name,
    );
    if (kind == "sse") {
      // The customer key is a secret: its shape is checked, its value never shown.
      check(SSE_C[name].test(value), parameter, "Must be the SSE-C value in base64", "hidden");
    } else if (kind == "meta") {
      // Its name and value are checkMetadata's, as for a client's own metadata.
      metadata.push([name.slice("x-qs-meta-".length), value]);
    } else if (name == "content-md5") {
      check(matches(BASE64_MD5, value), parameter, "Must be a base64 MD5", value);
    } else if (name == "x-qs-storage-class") {
      check(isStorageClass(value), parameter, "Must be a known storage class", value);
    } else checkHeaderValue(parameter, value, 255);
  }
  checkMetadata(Object.fromEntries(metadata));
  // As they will be signed and sent: names in lower case, values trimmed. So `authorize` is shown
  // `text/html` for a declared `text/html ` (which a rule comparing values would otherwise miss).
  return Object.fromEntries(new Headers(headers));
}
