import crypto from 'node:crypto';
import path from 'node:path';

/**
 * Who a dashboard client is, from the handshake request of its socket.io connection (shared/dashboard.ts
 * SOCKET_REQUEST). Dashboard 1 has no users of its own and Node-RED's `httpNodeAuth` does not guard the
 * dashboard's socket.io (engine.io answers its path before Express runs), so nothing there is trusted as it is:
 *
 * - `request.user` set by a dashboard `ui.ioMiddleware` of settings.js (a string, or `{username}` / `{name}`):
 *   the admin's own code ran on the server, so it is taken as it is;
 * - otherwise a Basic `authorization` header (the browser resends the credentials it gave for /ui/ when
 *   `httpNodeAuth` asked), checked here against `httpNodeAuth` {user, pass} or a user of `adminAuth`
 *   (type credentials, a `users` array, not read-only), with Node-RED's own rules (bcrypt, or md5 when 32 hex);
 * - otherwise nobody: null.
 * Checked credentials are cached (a bounded map keyed by a hash of the header), so bcrypt runs once per client.
 */
export interface UserSettings {
  httpNodeAuth?: unknown;
  adminAuth?: unknown;
}

interface Credential {
  user: string;
  hash: string;
}

type Bcrypt = { compare(p: string, h: string): Promise<boolean> };

const MAX_HEADER = 1024;
const MAX_USER = 200;
const MAX_CACHE = 1000;

let bcrypt: Bcrypt | null | undefined;
/** Node-RED's bcryptjs, found beside the runtime (it is not our dependency). */
function loadBcrypt(): Bcrypt | null {
  if (bcrypt !== undefined) return bcrypt;
  const paths = [require.main?.filename ? path.dirname(require.main.filename) : process.cwd(), __dirname];
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- Node-RED's copy, found at run time
    bcrypt = require(require.resolve('bcryptjs', { paths })) as Bcrypt;
  } catch {
    bcrypt = null;
  }
  return bcrypt;
}

async function passwordMatches(pass: string, hash: string): Promise<boolean> {
  if (/^[0-9a-f]{32}$/i.test(hash)) {
    const md5 = crypto.createHash('md5').update(pass, 'utf8').digest('hex');
    return crypto.timingSafeEqual(Buffer.from(md5), Buffer.from(hash.toLowerCase()));
  }
  const b = loadBcrypt();
  if (!b) return false;
  try {
    return await b.compare(pass, hash);
  } catch {
    return false;
  }
}

function credentialsOf(s: UserSettings): Credential[] {
  const out: Credential[] = [];
  const n = s.httpNodeAuth as { user?: unknown; pass?: unknown } | undefined;
  if (n && typeof n === 'object' && typeof n.user === 'string' && typeof n.pass === 'string') out.push({ user: n.user, hash: n.pass });
  const a = s.adminAuth as { type?: unknown; users?: unknown } | undefined;
  if (a && typeof a === 'object' && a.type === 'credentials' && Array.isArray(a.users)) {
    for (const u of a.users as { username?: unknown; password?: unknown; permissions?: unknown }[]) {
      if (!u || typeof u.username !== 'string' || typeof u.password !== 'string') continue;
      const perms = Array.isArray(u.permissions) ? u.permissions : [u.permissions];
      if (perms.length === 1 && perms[0] === 'read') continue; // a viewer of the editor attends nothing
      out.push({ user: u.username, hash: u.password });
    }
  }
  return out;
}

/** The user a middleware put on the request, if any. */
export function middlewareUser(req: unknown): string | null {
  const u = req && typeof req === 'object' ? (req as { user?: unknown }).user : undefined;
  const name = typeof u === 'string' ? u : u && typeof u === 'object' ? ((u as { username?: unknown }).username ?? (u as { name?: unknown }).name) : null;
  return typeof name === 'string' && name.length > 0 && name.length <= MAX_USER ? name : null;
}

/** User and password of a Basic authorization header, or null. */
export function basicCredentials(header: unknown): { user: string; pass: string } | null {
  if (typeof header !== 'string' || header.length > MAX_HEADER) return null;
  const m = /^Basic ([A-Za-z0-9+/]+={0,2})$/.exec(header.trim());
  if (!m) return null;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i <= 0 || i > MAX_USER) return null;
  return { user: text.slice(0, i), pass: text.slice(i + 1) };
}

/** A resolver bound to the runtime's settings: `(handshake request) → user name or null`. */
export function dashboardUsers(settings: UserSettings): (req: unknown) => Promise<string | null> {
  const creds = credentialsOf(settings);
  const cache = new Map<string, string | null>();
  return async (req) => {
    const mw = middlewareUser(req);
    if (mw) return mw;
    const headers = req && typeof req === 'object' ? (req as { headers?: Record<string, unknown> }).headers : undefined;
    const header = headers && typeof headers === 'object' ? headers.authorization : undefined;
    const c = basicCredentials(header);
    if (!c || !creds.length) return null;
    const key = crypto
      .createHash('sha256')
      .update(header as string)
      .digest('base64');
    if (cache.has(key)) return cache.get(key) ?? null;
    let found: string | null = null;
    for (const k of creds) {
      if (k.user === c.user && (await passwordMatches(c.pass, k.hash))) {
        found = k.user;
        break;
      }
    }
    if (cache.size >= MAX_CACHE) cache.delete(cache.keys().next().value as string);
    cache.set(key, found);
    return found;
  };
}
