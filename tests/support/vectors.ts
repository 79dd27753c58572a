/**
 * Reads the signing vectors kept with the tests
 * (`tests/fixtures/signature-vectors.json`, relative to the project root,
 * where every test runner is started). The `vectors` are the official SDKs'
 * own unit-test cases (published facts, copied as they are); the
 * `derived_examples` were computed with the algorithm in docs/protocol.md.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

export interface Vector {
  name: string;
  conformance?: boolean;
  kind: "header" | "query";
  access_key_id: string;
  secret_access_key: string;
  method: string;
  url: string;
  style: "path" | "virtual-host";
  bucket: string | null;
  object_key?: string | null;
  body_utf8?: string;
  expires?: number;
  headers: Record<string, string>;
  canonical_resource: string;
  string_to_sign: string;
  expected: { authorization?: string; signature?: string; signed_url?: string };
}

export interface ResourceOnlyVector {
  name: string;
  style: "path" | "virtual-host";
  bucket: string | null;
  endpoint?: string;
  path_as_sent: string;
  params: Record<string, string>;
  expected_canonical_resource: string;
}

export interface VectorFile {
  vectors: Vector[];
  derived_examples: Vector[];
  canonical_resource_only: ResourceOnlyVector[];
  auxiliary: Record<string, string>[];
}

export const VECTOR_FILE = resolve("tests/fixtures/signature-vectors.json");

export const vectors: VectorFile = JSON.parse(readFileSync(VECTOR_FILE, "utf8"));
