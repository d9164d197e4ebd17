/**
 * The request target (RFC 9112 §3.2) as the gateway accepts it: origin-form only, no dot segments, no encoded
 * separators. Anything else is refused before rate limiting decides, before any guard and before forwarding,
 * because each of these makes "which service, which path" mean something other than what the route matched:
 *
 * - absolute-form (`POST http://other-host/v1/auth/login`) and authority-like `//host/…`: a URL resolver given such a
 *   target ignores the base, so the gateway would call a host of the caller's choosing (SSRF);
 * - dot segments, raw or percent-encoded (`/v1/contacts/%2e%2e/transactions`): resolved downstream, they move a
 *   request to another route than the one whose guard was checked;
 * - an encoded `/` or `\` inside a segment, or a raw `\` (which WHATWG URL parsing treats as `/`): the same, one
 *   decoding step later.
 */
export type RefusedTarget = 'absolute-form' | 'dot-segment' | 'encoded-separator' | 'backslash' | 'malformed-encoding';

export type TargetInspection = { readonly ok: true; readonly path: string; readonly query: string } | { readonly ok: false; readonly reason: RefusedTarget };

export function inspectRequestTarget(target: string): TargetInspection {
  if (!target.startsWith('/') || target.startsWith('//')) return { ok: false, reason: 'absolute-form' };
  const queryAt = target.indexOf('?');
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  const query = queryAt === -1 ? '' : target.slice(queryAt + 1);
  if (path.includes('\\')) return { ok: false, reason: 'backslash' };
  for (const segment of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return { ok: false, reason: 'malformed-encoding' };
    }
    if (decoded === '.' || decoded === '..') return { ok: false, reason: 'dot-segment' };
    if (decoded.includes('/') || decoded.includes('\\')) return { ok: false, reason: 'encoded-separator' };
  }
  return { ok: true, path, query };
}

/**
 * The path a lenient resolver would make of any target (absolute-form taken apart, dot segments resolved), so that
 * rate limiting buckets a disguised sign-in attempt as the sign-in attempt it is.
 */
export function effectivePath(target: string): string | undefined {
  try {
    return new URL(target, 'http://gateway.invalid').pathname;
  } catch {
    return undefined;
  }
}

/**
 * The downstream path for a matched route: the manifest's template with each parameter re-encoded, so nothing the
 * caller sent can add a segment, and the caller's query string (which cannot change the path) unchanged.
 */
export function downstreamPath(template: string, params: Readonly<Record<string, string | string[] | undefined>>, query: string): string {
  const path = template.replace(/:([A-Za-z0-9_]+)/g, (_match, name: string) => {
    const value = params[name];
    if (typeof value !== 'string') throw new Error(`route parameter ${name} is missing`);
    return encodeURIComponent(value);
  });
  return query === '' ? path : `${path}?${query}`;
}
