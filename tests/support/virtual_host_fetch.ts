/**
 * A `fetch` that reaches `<bucket>.localhost:PORT` on 127.0.0.1 while the
 * server still sees that Host, so virtual-host style can be tested over real
 * HTTP. Bun and browsers resolve `*.localhost` themselves; Node and Deno do
 * not, so each gets the smallest runtime-specific nudge.
 */
type DenoHttp = {
  createHttpClient(options: { allowHost: boolean }): unknown;
};

export async function virtualHostFetch(): Promise<(request: Request) => Promise<Response>> {
  const deno = (globalThis as { Deno?: DenoHttp }).Deno;
  if (deno) {
    const client = deno.createHttpClient({ allowHost: true });
    return async (request) => {
      const url = new URL(request.url);
      const headers = new Headers(request.headers);
      headers.set("host", url.host);
      url.hostname = "127.0.0.1";
      const body = request.body ? await request.arrayBuffer() : undefined;
      return fetch(
        url,
        { method: request.method, headers, body, signal: request.signal, client } as RequestInit,
      );
    };
  }
  if (!("Bun" in globalThis)) {
    // Node's fetch asks dns.lookup for every connection: answer *.localhost with loopback.
    const dns = (await import("node:dns")).default;
    const lookup = dns.lookup as (...args: unknown[]) => unknown;
    if (!(lookup as { patched?: boolean }).patched) {
      const patched = function (this: unknown, host: string, ...rest: unknown[]) {
        return lookup.call(this, host.endsWith(".localhost") ? "127.0.0.1" : host, ...rest);
      };
      (patched as { patched?: boolean }).patched = true;
      (dns as { lookup: unknown }).lookup = patched;
    }
  }
  return (request) => fetch(request);
}
