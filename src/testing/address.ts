/**
 * Addressing: the bucket and key a request names, path-style or virtual-host
 * style. (Which operation it is, is for `operations/` to say.)
 *
 * @module
 */
import type { Refusal } from "./model.ts";

/** The bucket and key a request names. */
export interface RequestAddress {
  /** The bucket, when one is named. */
  bucket?: string;
  /** The key, percent-decoded, when one is named. */
  key?: string;
  /** The bucket named in the host, for virtual-host requests. */
  virtualHostBucket?: string;
}

/**
 * Finds bucket and key. Path-style requests are addressed by the raw path alone,
 * whatever the Host header says; virtual-host style is recognised by a
 * `<bucket>.` in front of a known service host.
 *
 * @param request The request, for its Host header.
 * @param url The request's URL.
 * @param hosts The host names under which `<bucket>.<host>` is virtual-host style.
 * @returns The address, or 400 `invalid_object_name` for a key that is not valid percent-encoding.
 */
export function addressOf(request: Request, url: URL, hosts: string[]): RequestAddress | Refusal {
  const host = request.headers.get("host") ?? url.host;
  const hostname = host.replace(/:\d+$/, "").toLowerCase();
  const match = /^([^.]+)\.(.+)$/.exec(hostname);
  let address: { bucket?: string; rawKey?: string; virtualHostBucket?: string };
  if (
    match && !/^\d+\.\d+\.\d+\.\d+$/.test(hostname) &&
    // `<zone>.qingstor.com` is a path-style host; `<bucket>.<zone>.qingstor.com` is virtual-host.
    (hosts.includes(match[2]) || /^[^.]+\.qingstor\.com$/.test(match[2]))
  ) {
    const rawKey = url.pathname.slice(1);
    address = { bucket: match[1], rawKey: rawKey || undefined, virtualHostBucket: match[1] };
  } else {
    const [, bucket, ...rest] = url.pathname.split("/");
    const rawKey = rest.join("/");
    address = { bucket: bucket || undefined, rawKey: rawKey || undefined };
  }
  const { bucket, rawKey, virtualHostBucket } = address;
  try {
    const key = rawKey === undefined ? undefined : decodeURIComponent(rawKey);
    return { bucket, key, virtualHostBucket };
  } catch {
    return [400, "invalid_object_name", "The object key is not valid percent-encoding."];
  }
}
