/** The command line's config file and connection settings, in-process: precedence and endpoints. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { endpointFromConfig, resolveConnection } from "../src/cli/connection.ts";
import { parseConfig } from "../src/cli/parse_config.ts";
import { refused } from "./support/cli.ts";

describe("cli config file and connection", () => {
  it("reads flat key: value lines with quotes and comments, and skips the rest", () => {
    const settings = parseConfig(
      [
        "# QingStor",
        "access_key_id: 'AKID'",
        'secret_access_key: "se#cret"   # trailing',
        "host: qingstor.com # comment",
        "port: 443",
        "protocol:https",
        "  nested: ignored",
        "- list item",
        "empty:",
        "url: http://x/#frag",
      ].join("\r\n"),
    );
    assert.deepEqual({ ...settings }, {
      access_key_id: "AKID",
      secret_access_key: "se#cret",
      host: "qingstor.com",
      port: "443",
      protocol: "https",
      empty: "",
      url: "http://x/#frag",
    });
    const odd = parseConfig("__proto__: x\nconstructor: y\n");
    assert.deepEqual(Object.entries(odd), [["__proto__", "x"], ["constructor", "y"]]);
    assert.equal(parseConfig("").host, undefined);
    assert.equal(parseConfig("").toString, undefined);
  });

  const file = {
    path: "/home/u/.qingstor/config.yaml",
    settings: {
      access_key_id: "FILEKEY",
      secret_access_key: "filesecret",
      host: "qingstor.com",
      port: "443",
      protocol: "https",
      zone: "sh1a",
    },
  };
  const env = {
    QINGSTOR_ACCESS_KEY_ID: "ENVKEY",
    QINGSTOR_SECRET_ACCESS_KEY: "envsecret",
    QINGSTOR_ZONE: "pek3a",
  };

  it("takes flags over the environment over the file, a whole location or key pair each", () => {
    assert.deepEqual(resolveConnection({ endpoint: "http://127.0.0.1:9000" }, env, file), {
      endpoint: "http://127.0.0.1:9000",
      locationFrom: "--endpoint",
      credentials: { accessKeyId: "ENVKEY", secretAccessKey: "envsecret" },
      credentialsFrom: "environment",
    });
    assert.equal(resolveConnection({ zone: "gd2" }, env, file).zone, "gd2");
    assert.deepEqual(resolveConnection({}, env, file).zone, "pek3a");
    assert.equal(
      resolveConnection({}, { ...env, QINGSTOR_ENDPOINT: "http://e" }, file).endpoint,
      "http://e",
    );
    const fromFile = resolveConnection({}, {}, file);
    assert.equal(fromFile.endpoint, "https://sh1a.qingstor.com:443");
    assert.equal(fromFile.locationFrom, `host in ${file.path}`);
    assert.deepEqual(fromFile.credentials, {
      accessKeyId: "FILEKEY",
      secretAccessKey: "filesecret",
    });
    assert.equal(fromFile.credentialsFrom, file.path);
    // An IP or localhost host takes no zone in front.
    const local = {
      path: "c",
      settings: { host: "127.0.0.1", port: "9000", protocol: "http", zone: "z" },
    };
    assert.equal(resolveConnection({}, {}, local).endpoint, "http://127.0.0.1:9000");
    assert.deepEqual(resolveConnection({}, {}, { path: "c", settings: { zone: "sh1a" } }), {
      zone: "sh1a",
      locationFrom: "zone in c",
    });
    assert.equal(resolveConnection({ zone: "z" }, {}).credentials, undefined);
  });

  it("refuses --endpoint with --zone, half a key pair, and no location at all", () => {
    refused(
      () => resolveConnection({ endpoint: "http://e", zone: "z" }, {}),
      /^--endpoint and --zone cannot be used together$/,
    );
    refused(
      () => resolveConnection({ zone: "z" }, { QINGSTOR_SECRET_ACCESS_KEY: "s" }),
      /^QINGSTOR_ACCESS_KEY_ID is missing, QINGSTOR_SECRET_ACCESS_KEY is set$/,
    );
    refused(
      () => resolveConnection({ zone: "z" }, {}, { path: "f", settings: { access_key_id: "k" } }),
      /^secret_access_key in f is missing/,
    );
    refused(
      () => resolveConnection({}, {}),
      /^no endpoint: .* put host or zone in ~\/\.qingstor\/config\.yaml$/,
    );
    // The file it names is the one consulted, and why it could not be read.
    refused(
      () =>
        resolveConnection({}, {}, { path: "/etc/q.yaml", unreadable: "EISDIR: illegal operation" }),
      /^no endpoint: .* in \/etc\/q\.yaml \(which cannot be read: EISDIR: illegal operation\)$/,
    );
    refused(
      () => resolveConnection({ endpoint: "" }, {}),
      /^--endpoint: expected a URL .* received ""$/,
    );
    refused(() => resolveConnection({ zone: "" }, {}), /^--zone: expected a zone .* received ""$/);
  });

  it("builds an endpoint from the file's host as the official tools do, with the zone in front of names only", () => {
    const endpoint = (settings: Record<string, string>) => endpointFromConfig(settings, "c");
    assert.equal(
      endpoint({ host: "qingstor.com", port: "443", zone: "pek3a" }),
      "https://pek3a.qingstor.com:443",
    );
    // A port in host; an address or localhost takes no zone in front.
    assert.equal(
      endpoint({ host: "127.0.0.1:9000", protocol: "http", zone: "pek3a" }),
      "http://127.0.0.1:9000",
    );
    assert.equal(
      endpoint({ host: "127.0.0.1:9000", port: "9000", zone: "z" }),
      "https://127.0.0.1:9000",
    );
    assert.equal(
      endpoint({ host: "[::1]:9000", protocol: "http", zone: "z" }),
      "http://[::1]:9000",
    );
    assert.equal(
      endpoint({ host: "LOCALHOST", port: "9000", zone: "z" }),
      "https://LOCALHOST:9000",
    );
    // A private deployment's own name, with no zone, is used as given.
    assert.equal(endpoint({ host: "s3.example.internal" }), "https://s3.example.internal");
    // The public service's host alone serves no bucket.
    refused(
      () => endpoint({ host: "qingstor.com", port: "443" }),
      /^host qingstor\.com in c needs the bucket's zone: give --zone/,
    );
    refused(() => endpoint({ host: "QingStor.com." }), /needs the bucket's zone/);
    refused(
      () => endpoint({ host: "127.0.0.1:9000", port: "9001" }),
      /^host in c has port 9000, but port in c is 9001$/,
    );
    for (const host of ["http://qingstor.com", "a b", "127.0.0.1:x", "[::1"]) {
      refused(() => endpoint({ host }), /^host in c: expected a host name or address/);
    }
  });
});
