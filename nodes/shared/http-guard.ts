import type { NodeAPI } from 'node-red';

/**
 * Guards for our admin endpoints (`/mara/...`) against cross-site requests.
 *
 * Node-RED's admin app answers every CORS preflight with `Access-Control-Allow-Origin: *` and reflects any
 * requested header (editor-api `cors({origin: '*'})`), so a non-simple content type or a custom header alone
 * does NOT stop another web page: without adminAuth, any page the operator opens could write through these
 * endpoints. What a page cannot forge is the browser's own `Sec-Fetch-Site` and `Origin` headers, so:
 *
 * - `Sec-Fetch-Site` present (every current browser): only `same-origin` (the editor) and `none` (typed in the
 *   address bar) pass; `same-site` (another port of 127.0.0.1) and `cross-site` are refused.
 * - else an `Origin` header must name this host (`Host`, or `X-Forwarded-Host` behind a proxy) or one of the
 *   origins the user allowed in `settings.httpAdminCors.origin`.
 * - neither header: not a browser (curl, scripts): passes; adminAuth is what protects against those.
 *
 * Writes also require the exact content type the editor sends (never one an HTML form can send:
 * `text/plain`, `application/x-www-form-urlencoded`, `multipart/form-data`).
 */

type Req = { method?: string; headers: Record<string, string | string[] | undefined> };
type Res = { status(n: number): { json(b: unknown): void } };
type Next = () => void;
export type Middleware = (req: Req, res: Res, next: Next) => void;

const header = (req: Req, name: string): string | null => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : null;
};

function allowedOrigins(RED: NodeAPI): Set<string> {
  const out = new Set<string>();
  const cors = (RED.settings as unknown as { httpAdminCors?: { origin?: unknown } }).httpAdminCors;
  const o = cors?.origin;
  for (const x of Array.isArray(o) ? o : [o]) if (typeof x === 'string' && x !== '*') out.add(x.toLowerCase());
  return out;
}

/** Why a request comes from another site, or null when it does not. */
export function crossSiteReason(req: Req, extraOrigins: ReadonlySet<string> = new Set()): string | null {
  const site = header(req, 'sec-fetch-site');
  const origin = header(req, 'origin');
  if (origin && origin !== 'null' && extraOrigins.has(origin.toLowerCase())) return null;
  if (site !== null) return site === 'same-origin' || site === 'none' ? null : `a ${site.slice(0, 20)} request`;
  if (origin === null) return null;
  if (origin === 'null') return 'a request from an opaque origin';
  let host: string;
  try {
    host = new URL(origin).host.toLowerCase();
  } catch {
    return 'a request with a malformed Origin';
  }
  const own = [header(req, 'x-forwarded-host'), header(req, 'host')].filter((h): h is string => !!h).map((h) => h.split(',')[0].trim().toLowerCase());
  return own.includes(host) ? null : 'a request from another origin';
}

/** Refuses requests made by a page of another origin (403, code ECROSSORIGIN). */
export function sameOriginOnly(RED: NodeAPI): Middleware {
  return (req, res, next) => {
    const why = crossSiteReason(req, allowedOrigins(RED));
    if (why) return res.status(403).json({ error: `refused: ${why} (only the Node-RED editor of this server may call this endpoint)`, code: 'ECROSSORIGIN' });
    next();
  };
}

/** The media type of a request, lower case, without parameters ('' when absent). */
export function mediaType(req: Req): string {
  return (header(req, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * For writes: same origin AND one of `types` as content type (415, code ECONTENTTYPE, otherwise). Used by the
 * workbook upload (application/octet-stream) and the formula try box (application/json).
 */
export function editorWrite(RED: NodeAPI, types: readonly string[]): Middleware {
  const origin = sameOriginOnly(RED);
  return (req, res, next) =>
    origin(req, res, () => {
      const t = mediaType(req);
      if (!types.includes(t)) return res.status(415).json({ error: `refused: content type must be ${types.join(' or ')}`, code: 'ECONTENTTYPE' });
      next();
    });
}
