/**
 * Navigation between screens: current screen ⇄ URL hash (browser back/forward), up, jump; the menu order.
 */

/** The screen named by `mara-screen=<name>` in a URL hash (`#mara-screen=S1`, `#!/0?mara-screen=S1`), or null. */
export function parseHashScreen(hash: unknown): string | null {
  const m = /(?:^#|[#?&])mara-screen=([^&#]*)/.exec(typeof hash === 'string' ? hash : '');
  if (!m) return null;
  try {
    const name = decodeURIComponent(m[1].replace(/\+/g, ' '));
    return name || null;
  } catch {
    return null;
  }
}

/**
 * The hash with `mara-screen` set to `name`. A bare page gets `#mara-screen=<name>`; inside Dashboard 1 (an
 * AngularJS hashbang URL `#!/<tab>`) the name goes in the hash's query (`#!/0?mara-screen=<name>`), so the
 * dashboard keeps its tab and does not reload anything.
 */
export function buildHash(hash: unknown, name: string): string {
  const h = typeof hash === 'string' ? hash : '';
  const enc = encodeURIComponent(name);
  if (/(?:^#|[#?&])mara-screen=/.test(h)) return h.replace(/((?:^#|[#?&])mara-screen=)[^&#]*/, '$1' + enc);
  if (h === '' || h === '#') return '#mara-screen=' + enc;
  return h + (h.indexOf('?') >= 0 ? '&' : '?') + 'mara-screen=' + enc;
}

export interface ScreenLike {
  name: string;
  parent?: string | null;
  description?: string;
}

export interface MenuEntry {
  name: string;
  depth: number;
  description: string;
}

/** Screens in menu order (docs/screens.md §6.2: by parent, then name): a depth-first walk of the tree, names sorted. */
export function screenOrder(screens: readonly ScreenLike[]): MenuEntry[] {
  const byName: Record<string, ScreenLike> = Object.create(null);
  screens.forEach((s) => (byName[s.name] = s));
  const children: Record<string, ScreenLike[]> = Object.create(null);
  const roots: ScreenLike[] = [];
  screens.forEach((s) => {
    if (s.parent && byName[s.parent] && s.parent !== s.name) (children[s.parent] = children[s.parent] || []).push(s);
    else roots.push(s);
  });
  const cmp = (a: ScreenLike, b: ScreenLike) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const out: MenuEntry[] = [];
  const seen: Record<string, true> = Object.create(null);
  const visit = (s: ScreenLike, depth: number): void => {
    if (seen[s.name]) return;
    seen[s.name] = true;
    out.push({ name: s.name, depth, description: s.description || '' });
    (children[s.name] || [])
      .slice()
      .sort(cmp)
      .forEach((c) => visit(c, depth + 1));
  };
  roots
    .slice()
    .sort(cmp)
    .forEach((r) => visit(r, 0));
  screens.forEach((s) => visit(s, 0)); // parent cycles: still listed
  return out;
}

/** What the navigator needs of a window: the hash, its history and `hashchange`. */
export interface WindowLike {
  location: { hash: string };
  history?: { state?: unknown; replaceState?(state: unknown, title: string, url: string): void; back(): void; forward(): void };
  addEventListener(type: 'hashchange', fn: () => void): void;
  removeEventListener(type: 'hashchange', fn: () => void): void;
}

export interface NavigatorOptions {
  exists(name: string): boolean;
  parentOf(name: string): string | null;
  show(name: string): void;
  /** Without it the navigator keeps its own history (back/forward). */
  win?: WindowLike | null;
}

export interface Navigator {
  current(): string | null;
  go(name: string): boolean;
  start(fallback?: string | null): string | null;
  up(): boolean;
  back(): boolean;
  forward(): boolean;
  /** Forget the current screen (its content changed): the next show() of it re-renders. */
  invalidate(): void;
  dispose(): void;
}

export function createNavigator(o: NavigatorOptions): Navigator {
  const win = o.win || null;
  let current: string | null = null;
  let own: string[] = [];
  let pos = -1;

  function show(name: string): boolean {
    if (!o.exists(name) || name === current) return false;
    current = name;
    o.show(name);
    return true;
  }

  function go(name: string): boolean {
    if (!o.exists(name)) return false;
    if (win) {
      const h = buildHash(win.location.hash, name);
      if (h !== win.location.hash) win.location.hash = h; // a history entry; hashchange follows
    } else if (name !== current) {
      own = own.slice(0, pos + 1);
      own.push(name);
      pos = own.length - 1;
    }
    return show(name);
  }

  function start(fallback?: string | null): string | null {
    const fromHash = win ? parseHashScreen(win.location.hash) : null;
    if (fromHash && o.exists(fromHash)) {
      show(fromHash);
      return current;
    }
    if (fallback && o.exists(fallback)) {
      if (win) {
        // replace, not push: entering the page is not a navigation step
        const h = buildHash(win.location.hash, fallback);
        if (win.history && typeof win.history.replaceState === 'function' && win.location.hash !== h) {
          try {
            win.history.replaceState(win.history.state, '', h);
          } catch {
            /* some embedders forbid it: the hash just stays as it is */
          }
        }
      } else {
        own = [fallback];
        pos = 0;
      }
      show(fallback);
    }
    return current;
  }

  function onHash(): void {
    const name = parseHashScreen((win as WindowLike).location.hash);
    if (name && o.exists(name)) show(name);
  }
  if (win) win.addEventListener('hashchange', onHash);

  return {
    current: () => current,
    go,
    start,
    up() {
      const p = current ? o.parentOf(current) : null;
      return p ? go(p) : false;
    },
    back() {
      if (win) {
        (win.history as NonNullable<WindowLike['history']>).back();
        return true;
      }
      if (pos <= 0) return false;
      pos--;
      return show(own[pos]);
    },
    forward() {
      if (win) {
        (win.history as NonNullable<WindowLike['history']>).forward();
        return true;
      }
      if (pos >= own.length - 1) return false;
      pos++;
      return show(own[pos]);
    },
    invalidate() {
      current = null;
    },
    dispose() {
      if (win) win.removeEventListener('hashchange', onHash);
    },
  };
}
