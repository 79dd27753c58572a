import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { canonicalizedResource } from "../src/sign/canonicalized_resource.ts";
import { signature } from "../src/sign/signature.ts";
import { stringToSign } from "../src/sign/string_to_sign.ts";
import { type Vector, vectors } from "./support/vectors.ts";

function signable(vector: Vector) {
  return {
    method: vector.method,
    url: new URL(vector.url),
    headers: new Headers(vector.headers),
    virtualHostBucket: vector.style == "virtual-host" ? vector.bucket! : undefined,
  };
}

async function checkVector(vector: Vector) {
  const request = signable(vector);
  assert.equal(
    canonicalizedResource(request.url, request.virtualHostBucket),
    vector.canonical_resource,
  );
  const text = stringToSign(request, vector.kind == "query" ? vector.expires : undefined);
  assert.equal(text, vector.string_to_sign);
  const signed = await signature(vector.secret_access_key, text);
  if (vector.kind == "header") {
    assert.equal(`QS ${vector.access_key_id}:${signed}`, vector.expected.authorization);
  } else {
    assert.equal(signed, vector.expected.signature);
  }
}

describe("official SDK vectors (conformance: true)", () => {
  const conformance = vectors.vectors.filter((vector) => vector.conformance);
  it("the file holds the 14 conformance vectors of the official SDKs", () => {
    assert.equal(conformance.length, 14);
  });
  for (const vector of conformance) {
    it(vector.name, () => checkVector(vector));
  }
});

describe("derived multipart examples", () => {
  it("the file holds the 10 derived multipart examples", () => {
    assert.equal(vectors.derived_examples.length, 10);
  });
  for (const vector of vectors.derived_examples) {
    it(vector.name, () => checkVector(vector));
  }
});

describe("canonical-resource snapshots", () => {
  for (const vector of vectors.canonical_resource_only) {
    it(vector.name, () => {
      const base = vector.endpoint ?? "https://pek3a.qingstor.com";
      const url = new URL(vector.path_as_sent, base);
      for (const [name, value] of Object.entries(vector.params)) {
        url.search += `&${name}=${encodeURIComponent(value)}`;
      }
      const bucket = vector.style == "virtual-host" ? vector.bucket! : undefined;
      assert.equal(canonicalizedResource(url, bucket), vector.expected_canonical_resource);
    });
  }
});

describe("the deprecated Go v1 signer (conformance: false)", () => {
  it("differs from ours only in the empty path, which we sign as /", () => {
    const vector = vectors.vectors.find((vector) => vector.conformance === false)!;
    const text = stringToSign(signable(vector), vector.expires);
    assert.notEqual(text, vector.string_to_sign);
    assert.equal(text, vector.string_to_sign.replace("\n?", "\n/?"));
  });
});

describe("stringToSign", () => {
  it("leaves no blank line when there are no x-qs- headers", () => {
    const text = stringToSign({
      method: "GET",
      url: new URL("https://pek3a.qingstor.com/b/k"),
      headers: new Headers({ Date: "Fri, 01 Nov 2019 07:40:08 GMT" }),
    });
    assert.equal(text, "GET\n\n\nFri, 01 Nov 2019 07:40:08 GMT\n/b/k");
  });

  it("reads the headers in one pass exactly as by name: the date line, MD5, type, x-qs- block", () => {
    // The reference: each line looked up by name, the x-qs- block built from its own pass.
    const reference = (headers: Headers, expires?: number) => {
      let block = "";
      for (const [name, value] of headers) {
        if (name.startsWith("x-qs-")) block += `${name}:${value}\n`;
      }
      const date = expires ?? (headers.get("x-qs-date") ? "" : headers.get("date") ?? "");
      return ["PUT", headers.get("content-md5") ?? "", headers.get("content-type") ?? "", date]
        .join("\n") + "\n" + block + "/b/k";
    };
    const date = "Fri, 01 Nov 2019 07:40:08 GMT";
    const cases: [string, [string, string][]][] = [
      ["nothing", []],
      ["Date alone", [["Date", date]]],
      ["X-QS-Date over Date", [["Date", date], ["X-QS-Date", date]]],
      ["an empty X-QS-Date leaves Date to date it", [["Date", date], ["X-QS-Date", ""]]],
      ["an empty X-QS-Date and no Date", [["X-QS-Date", ""]]],
      ["MD5, type, and x-qs- headers around them in name order", [
        ["X-QS-Meta-Z", " z "],
        ["Content-Type", "a/b"],
        ["x-qs-a", "1"],
        ["Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA=="],
        ["X-QS-Date", date],
        ["x-qs-", "bare"],
      ]],
      ["a repeated name joined as get() joins it", [["x-qs-meta-r", "1"], ["X-QS-Meta-R", "2"]]],
      ["look-alikes that are not signed", [["content-md5x", "m"], ["xqs-a", "b"], ["dates", "d"]]],
    ];
    for (const [name, entries] of cases) {
      const headers = new Headers();
      for (const [header, value] of entries) headers.append(header, value);
      const request = { method: "PUT", url: new URL("https://h/b/k"), headers };
      assert.equal(stringToSign(request), reference(headers), name);
      assert.equal(stringToSign(request, 1700000000), reference(headers, 1700000000), name);
    }
  });

  it("signs a decoded, trimmed sub-resource value and ignores unsigned parameters", () => {
    const url = new URL("https://h/b/k?limit=5&upload_id=%20ab%2Bc+d%20&prefix=x");
    assert.equal(canonicalizedResource(url), "/b/k?upload_id=ab+c d");
  });

  it("splits a query with no % or + exactly as URLSearchParams would decode and sort it", () => {
    // The reference: the whole query through URLSearchParams, sorted, then the signed names kept.
    const reference = (url: URL) => {
      const query = new URLSearchParams(url.search);
      query.sort();
      const signed = [...query]
        .filter(([name]) => ["part_number", "upload_id", "uploads", "acl"].includes(name))
        .map(([name, value]) => value.trim() ? name + "=" + value.trim() : name);
      return url.pathname + (signed.length ? "?" + signed.join("&") : "");
    };
    const queries = [
      "",
      "?",
      "?uploads",
      "?uploads=",
      "?upload_id=b&part_number=3",
      "?upload_id=2&upload_id=1&part_number=0",
      "?&&upload_id=a=b&&limit=5&",
      "?upload_id=%20x&part_number=1",
      "?upload_id=a+b&acl",
      "?acl=&uploads&upload_id==&part_number= 7 ",
      "?=x&upload_id",
      "?UPLOADS&Upload_Id=1",
    ];
    for (const query of queries) {
      const url = new URL("https://h/b/k" + query);
      assert.equal(canonicalizedResource(url), reference(url), query);
    }
  });

  it("keeps a stray % in a sub-resource value as it is", () => {
    assert.equal(
      canonicalizedResource(new URL("https://h/b/k?upload_id=50%")),
      "/b/k?upload_id=50%",
    );
  });
});

describe("signature", () => {
  it("imports a secret's key once and reuses it, for several secrets in turn", async () => {
    const subtle = crypto.subtle as SubtleCrypto & { importKey: SubtleCrypto["importKey"] };
    const original = subtle.importKey;
    let imports = 0;
    subtle.importKey = function (
      this: SubtleCrypto,
      ...args: Parameters<SubtleCrypto["importKey"]>
    ) {
      imports++;
      return original.apply(this, args);
    } as SubtleCrypto["importKey"];
    try {
      const first = await signature("reuse-one", "text");
      const second = await signature("reuse-two", "text");
      assert.equal(await signature("reuse-one", "text"), first);
      assert.equal(await signature("reuse-two", "text"), second);
      assert.notEqual(first, second);
      assert.match(first, /^[A-Za-z0-9+/]{43}=$/);
      assert.equal(imports, 2);
    } finally {
      delete (subtle as { importKey?: unknown }).importKey;
      if (subtle.importKey !== original) subtle.importKey = original;
    }
  });
});
