/**
 * What the server knows about each dashboard client of a screen widget, so that it never trusts the browser
 * (issue 10 item 8): which screen the client shows (it reports each screen it renders; clicks must come from
 * that screen), a token bucket per client (every message counts), and the one-time tokens of the two-step
 * manual toggle (the client asks, the server answers with a token bound to client, element, value and the
 * text it replaces, valid for a short time; the client confirms with it).
 *
 * Keys are socket ids chosen by the server (never by the client). Everything is bounded: at most
 * `maxClients` clients are tracked (the least recently active one is forgotten first) and each holds at most
 * one pending toggle. Time comes from `now()` so that tests control it.
 */
import crypto from 'node:crypto';

export interface ClickGuardOptions {
  /** Messages per second a client may send on average (default 10). */
  rate?: number;
  /** Messages a client may send at once (default 20). */
  burst?: number;
  /** How long a toggle confirmation stays valid (default 30 000 ms). */
  tokenTtlMs?: number;
  /** Clients tracked at most (default 1000). */
  maxClients?: number;
  now?: () => number;
  token?: () => string;
}

export interface PendingToggle {
  tag: string;
  value: string;
  /** The element's text when the confirmation was asked: a change in between voids the token. */
  from: string;
  screen: string;
}

interface Client {
  screen: string | null;
  tokens: number;
  last: number;
  pending: (PendingToggle & { token: string; expires: number }) | null;
}

export const CLICK_RATE_PER_S = 10;
export const CLICK_BURST = 20;
export const TOGGLE_TOKEN_TTL_MS = 30_000;
export const MAX_CLIENTS = 1000;

export class ClickGuard {
  readonly rate: number;
  readonly burst: number;
  readonly tokenTtlMs: number;
  private readonly maxClients: number;
  private readonly now: () => number;
  private readonly makeToken: () => string;
  private readonly clients = new Map<string, Client>();
  /** Messages refused by the rate limit since the last `takeDropped()`. */
  private dropped = 0;

  constructor(o: ClickGuardOptions = {}) {
    this.rate = o.rate ?? CLICK_RATE_PER_S;
    this.burst = o.burst ?? CLICK_BURST;
    this.tokenTtlMs = o.tokenTtlMs ?? TOGGLE_TOKEN_TTL_MS;
    this.maxClients = o.maxClients ?? MAX_CLIENTS;
    this.now = o.now ?? Date.now;
    this.makeToken = o.token ?? (() => crypto.randomBytes(18).toString('base64url'));
  }

  private client(socket: string): Client {
    let c = this.clients.get(socket);
    const t = this.now();
    if (c) {
      // most recently active last, so the first entry is the one to forget
      this.clients.delete(socket);
    } else {
      c = { screen: null, tokens: this.burst, last: t, pending: null };
      if (this.clients.size >= this.maxClients) this.clients.delete(this.clients.keys().next().value as string);
    }
    this.clients.set(socket, c);
    return c;
  }

  /** One message from `socket`: false when it exceeds the client's rate (the message must be dropped). */
  allow(socket: string): boolean {
    const c = this.client(socket);
    const t = this.now();
    c.tokens = Math.min(this.burst, c.tokens + (Math.max(0, t - c.last) * this.rate) / 1000);
    c.last = t;
    if (c.tokens < 1) {
      this.dropped++;
      return false;
    }
    c.tokens -= 1;
    return true;
  }

  takeDropped(): number {
    const n = this.dropped;
    this.dropped = 0;
    return n;
  }

  /** The client now shows `screen` (a pending toggle of another screen is void). */
  view(socket: string, screen: string): void {
    const c = this.client(socket);
    if (c.pending && c.pending.screen !== screen) c.pending = null;
    c.screen = screen;
  }

  screenOf(socket: string): string | null {
    return this.clients.get(socket)?.screen ?? null;
  }

  /** A confirmation token for `p`, replacing the client's previous one. */
  issue(socket: string, p: PendingToggle): { token: string; expiresInMs: number } {
    const c = this.client(socket);
    const token = this.makeToken();
    c.pending = { ...p, token, expires: this.now() + this.tokenTtlMs };
    return { token, expiresInMs: this.tokenTtlMs };
  }

  /** The toggle `token` confirms, once: null when it is unknown, another client's, used or expired. */
  redeem(socket: string, token: unknown): PendingToggle | null {
    const c = this.clients.get(socket);
    const p = c?.pending;
    if (!p || typeof token !== 'string' || token.length > 64) return null;
    if (!timingSafeEqual(p.token, token)) return null;
    c!.pending = null;
    if (this.now() > p.expires) return null;
    return { tag: p.tag, value: p.value, from: p.from, screen: p.screen };
  }

  /** The client left (socket closed). */
  drop(socket: string): void {
    this.clients.delete(socket);
  }

  get size(): number {
    return this.clients.size;
  }
}

function timingSafeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
