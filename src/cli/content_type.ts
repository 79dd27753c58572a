/**
 * Content types of common file extensions. Deliberately small: a wrong type
 * is worse than none, and `--content-type` covers the rest. Text types carry
 * no charset, as the file's encoding is not known.
 */
const TYPES = new Map(Object.entries({
  txt: "text/plain",
  html: "text/html",
  htm: "text/html",
  css: "text/css",
  js: "text/javascript",
  mjs: "text/javascript",
  json: "application/json",
  xml: "application/xml",
  csv: "text/csv",
  pdf: "application/pdf",
  zip: "application/zip",
  gz: "application/gzip",
  tar: "application/x-tar",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  svg: "image/svg+xml",
  mp4: "video/mp4",
  webm: "video/webm",
  mp3: "audio/mpeg",
  wav: "audio/wav",
}));

/**
 * The content type for a file name, by its extension (case-insensitive).
 *
 * @param path The file's path or name.
 * @returns The type, or `application/octet-stream` for any other extension or none.
 */
export function contentTypeFor(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  // A leading dot (".bashrc") names a file, not an extension.
  const extension = dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  // A Map, not an object: `x.constructor` or `x.__proto__` must find no inherited "type".
  return TYPES.get(extension) ?? "application/octet-stream";
}
