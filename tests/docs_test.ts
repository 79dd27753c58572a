/**
 * The repository stands on its own: every reference to a heading of docs/protocol.md, in the code,
 * the tests, the scripts and the README, names a heading that exists, and nothing points at a
 * document outside the repository. Files are read relative to the working directory, which is the
 * repository root under deno test, node --test and bun test alike.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const PROTOCOL = "docs/protocol.md";
/** Where references to the protocol notes may be. */
const ROOTS = ["src", "tests", "scripts", "mod.ts", "README.md"];
const TEXT_FILE = /\.(?:[cm]?[jt]s|json|md|html)$/;
/** A reference into the notes; the anchor is what a GitHub slug can hold. */
const REFERENCE = new RegExp(PROTOCOL.replaceAll(".", "\\.") + "#([\\p{L}\\p{N}_-]*)", "gu");
/** What would point outside the repository, built so that this file does not match itself. */
const OUTSIDE: [RegExp, string][] = [
  [new RegExp("spec \u00a7", "i"), "a section of the external spec"],
  [new RegExp("\u00a7\\s*\\d"), "a numbered section of the external spec"],
  [new RegExp("\\.\\.[\\\\/]shared\\b"), "a path into the shared folder beside the repository"],
  [new RegExp("/work/" + "shared\\b"), "a path into the shared folder beside the repository"],
];

/** Every text file under the given files and folders, dependencies and builds left out. */
function textFiles(paths: string[]): string[] {
  return paths.flatMap((path) => {
    if (!statSync(path).isDirectory()) return TEXT_FILE.test(path) ? [path] : [];
    return readdirSync(path)
      .filter((name) => !name.startsWith(".") && name != "node_modules")
      .sort()
      .flatMap((name) => textFiles([join(path, name)]));
  });
}

/**
 * The anchor GitHub gives a heading: the text as shown (link text kept, markup dropped), in lower
 * case, with every character that is not a letter, digit, mark, `_`, `-` or space removed, and each
 * space turned into `-`.
 */
export function githubSlug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]*>/g, "")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** The slugs of a Markdown file's ATX headings, outside code fences, in order. */
export function headingSlugs(markdown: string): string[] {
  const slugs: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split("\n")) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      continue;
    }
    const heading = fence === undefined &&
      /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (heading) slugs.push(githubSlug(heading[1]));
  }
  return slugs;
}

/** The anchors GitHub gives headings with these slugs: a repeated slug is numbered, `-1` on. */
export function headingAnchors(markdown: string): string[] {
  const seen = new Map<string, number>();
  return headingSlugs(markdown).map((slug) => {
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    return count ? `${slug}-${count}` : slug;
  });
}

/** Where a match is, as `file:line`. */
function place(file: string, text: string, index: number): string {
  return `${file}:${text.slice(0, index).split("\n").length}`;
}

const notes = readFileSync(PROTOCOL, "utf8");
const anchors = new Set(headingAnchors(notes));
const files = textFiles(ROOTS).map((file) => ({ file, text: readFileSync(file, "utf8") }));

describe("docs/protocol.md", () => {
  it("computes anchors the way GitHub does", () => {
    assert.equal(githubSlug("Complete's unknown outcome"), "completes-unknown-outcome");
    assert.equal(githubSlug("SSE-C headers"), "sse-c-headers");
    assert.equal(githubSlug("Status of upload_not_exists"), "status-of-upload_not_exists");
    assert.equal(githubSlug("`X-QS-Date` and [clock](#x) skew"), "x-qs-date-and-clock-skew");
    assert.equal(githubSlug("Parts 0–10000, at most 10,000"), "parts-010000-at-most-10000");
    assert.deepEqual(
      headingAnchors("# A\n```md\n## Not a heading\n```\n## A\n### A?\n"),
      ["a", "a-1", "a-2"],
    );
  });

  it("gives every heading an anchor of its own", () => {
    const slugs = headingSlugs(notes);
    assert.ok(slugs.length > 20, `only ${slugs.length} headings found in ${PROTOCOL}`);
    // A repeated heading gets a numbered anchor, which moves when a heading is added before it.
    const repeated = slugs.filter((slug, index) => slugs.indexOf(slug) != index);
    assert.deepEqual(repeated, [], "headings that share an anchor");
  });

  it("has a heading for every link inside it", () => {
    const broken = [...notes.matchAll(/\]\(#([^)]*)\)/g)]
      .filter((match) => !anchors.has(match[1]))
      .map((match) => `${place(PROTOCOL, notes, match.index!)}: #${match[1]}`);
    assert.deepEqual(broken, []);
  });

  it("has a heading for every reference from the code, tests, scripts and README", () => {
    const references = files.flatMap(({ file, text }) =>
      [...text.matchAll(REFERENCE)].map((match) => ({
        at: place(file, text, match.index!),
        anchor: match[1],
      }))
    );
    assert.ok(references.length > 30, `only ${references.length} references found`);
    assert.ok(
      references.some((reference) => reference.at.startsWith("README.md:")),
      "the README links to no heading of the protocol notes",
    );
    const broken = references
      .filter((reference) => !anchors.has(reference.anchor))
      .map((reference) => `${reference.at}: #${reference.anchor}`);
    assert.deepEqual(broken, [], `references to headings that ${PROTOCOL} does not have`);
  });

  it("is the only protocol document the repository points at", () => {
    const outside = files.flatMap(({ file, text }) =>
      OUTSIDE.flatMap(([pattern, what]) => {
        const match = pattern.exec(text);
        return match ? [`${place(file, text, match.index)}: ${what}`] : [];
      })
    );
    assert.deepEqual(outside, []);
  });
});

describe("examples", () => {
  it("import the package by a name its readers can install", () => {
    // The npm name, which deno.json maps to the source for the doc tests; a scoped registry name
    // nobody can install would make every copied example fail.
    const scoped = new RegExp(`from "@${"qingstor-multipart"}/`);
    const files = textFiles(["mod.ts", "src", "README.md"]).filter((file) =>
      scoped.test(readFileSync(file, "utf8"))
    );
    assert.deepEqual(files, []);
  });
});
