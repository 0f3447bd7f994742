/**
 * The alarm widget in the browser: the banner (unattended alarms, newest first) or the journal (every event,
 * filters, keyset paging, multi-select), attend with the confirmation of docs/screens.md §6.3, and the horn. It draws what
 * the server's snapshot and replies say (nodes/ui_mara_alarms.ts) and sends requests; the server checks each one.
 * Texts go in with textContent only.
 */
import { displayDeviceTime, displayInstant, EVENT_TYPES, severityColours, type AlarmFilter, type AlarmRow } from '../../lib/hmi/alarm-rows';
import { createDialogs } from '../core/dialog';
import { formatText } from '../core/texts';
import { createHorn, type Horn } from './horn';
import { alarmsCss } from './styles';
import { textOf, type AlarmTextKey } from './texts';

/** The server's snapshot (AlarmSnapshot of nodes/ui_mara_alarms.ts); nothing received is trusted to have this shape. */
export interface AlarmSnapshot {
  kind: 'mara-alarms';
  rev?: number;
  config?: { mode?: string; rows?: number; pageSize?: number; readOnly?: boolean; horn?: boolean; texts?: Record<string, unknown> };
  banner?: AlarmRow[];
  horn?: { sounding?: boolean; unattended?: number; silencedBy?: string | null };
  latest?: { rows?: AlarmRow[]; next?: number | null } | null;
  error?: string | null;
}

/** What the server answers this client alone. */
export interface AlarmReply {
  page?: { req?: number; rows?: AlarmRow[]; next?: number | null };
  who?: { user?: string | null; canAttend?: boolean };
  refused?: { reason?: string; req?: number };
  attended?: { count?: number };
}

export interface AlarmWidget {
  snapshot(s: AlarmSnapshot): void;
  reply(r: AlarmReply): void;
  dispose(): void;
}

export interface AlarmWidgetOptions {
  doc: Document;
  win: Window;
  send(m: Record<string, unknown>): void;
}

/** How long a page the server was too busy for waits before it is asked again. */
const RETRY_MS = 1000;

const rowsOf = (v: unknown): AlarmRow[] => (Array.isArray(v) ? (v as AlarmRow[]).filter((r) => r && typeof r === 'object' && typeof r.id === 'number') : []);

export function createAlarmWidget(host: HTMLElement, o: AlarmWidgetOptions): AlarmWidget {
  const { doc, win } = o;
  const el = (name: string, cls?: string, text?: string): HTMLElement => {
    const e = doc.createElement(name);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  let snap: AlarmSnapshot | null = null;
  let texts: Record<string, unknown> | undefined;
  const t = (k: AlarmTextKey, vars?: Record<string, unknown>) => (vars ? formatText(textOf(texts, k), vars) : textOf(texts, k));
  let who: { user: string | null; canAttend: boolean } = { user: null, canAttend: false };
  let message = '';
  // the journal's view of this client: filters, the page shown (beforeId) and the pages above it (for "newer")
  let filter: AlarmFilter = {};
  let beforeId: number | null = null;
  const above: (number | null)[] = [];
  let req = 0;
  let page: { rows: AlarmRow[]; next: number | null } | null = null;
  let pageRev = -1;
  const selected = new Set<number>();
  let retry: ReturnType<typeof setTimeout> | null = null;

  host.textContent = '';
  host.classList.add('mara-alarms');
  const style = el('style');
  style.textContent = alarmsCss();
  host.appendChild(style);
  const dialogs = createDialogs(doc, host, el);
  const top = el('div', 'mara-alarms-top');
  const body = el('div', 'mara-alarms-body');
  const note = el('div', 'mara-alarms-msg');
  host.appendChild(top);
  host.appendChild(body);
  host.appendChild(note);
  // made on the first snapshot that wants it: a widget without a horn holds no audio context (browsers limit them)
  let horn: Horn | null = null;

  const isDefaultView = () => beforeId === null && Object.keys(filter).length === 0;
  const mode = () => (snap?.config?.mode === 'journal' ? 'journal' : 'banner');
  const canAttend = () => who.canAttend && !snap?.config?.readOnly && !snap?.error;

  function confirmAttend(ids: number[], all = false): void {
    if (!canAttend()) {
      showMessage(t(snap?.config?.readOnly ? 'readOnly' : 'noUser'));
      return;
    }
    if (!all && !ids.length) return;
    const line = !all && ids.length === 1 ? t('confirm') : t('confirmMany', { n: all ? (snap?.horn?.unattended ?? '') : ids.length });
    dialogs.open(
      t('confirmTitle'),
      [line],
      [
        { label: t('close') },
        {
          label: t('attend'),
          primary: true,
          run: () => o.send(all ? { type: 'attendAll' } : { type: 'attend', ids }),
        },
      ],
    );
  }

  function showMessage(m: string): void {
    message = m;
    note.textContent = m;
  }

  function button(label: string, cls: string, run: () => void, disabled = false): HTMLButtonElement {
    const b = el('button', cls, label) as HTMLButtonElement;
    b.type = 'button';
    b.disabled = disabled;
    b.addEventListener('click', (ev) => {
      ev.stopPropagation();
      run();
    });
    return b;
  }

  function drawTop(): void {
    top.textContent = '';
    const h = snap?.horn;
    const hornOn = !!snap && snap.config?.horn !== false;
    const sounding = !!(hornOn && h?.sounding);
    if (hornOn && !horn) horn = createHorn(win, host, () => drawTop());
    if (horn) horn.sound(sounding);
    else {
      host.setAttribute('data-horn', 'off');
      host.setAttribute('data-sounding', 'false');
    }
    const title = el('span', 'mara-alarms-title', mode() === 'banner' ? t('banner') : '');
    top.appendChild(title);
    if (horn) {
      const hn = horn;
      if (hn.access === 'locked') top.appendChild(button(t('soundOff'), 'mara-sound-enable', () => hn.unlock()));
      else if (hn.access === 'ready') top.appendChild(el('span', 'mara-sound-on', t('soundOn')));
      if (sounding) top.appendChild(el('span', 'mara-sounding', t('sounding')));
      else if (h?.silencedBy && h.unattended) top.appendChild(el('span', 'mara-silenced', t('silenced', { user: h.silencedBy })));
      if (sounding && !snap?.config?.readOnly) top.appendChild(button(t('silence'), 'mara-silence', () => o.send({ type: 'silence' }), !canAttend()));
    }
    const userText = snap?.config?.readOnly ? t('readOnly') : who.user ? t('user', { user: who.user }) : t('noUser');
    top.appendChild(el('span', 'mara-alarms-user', userText));
  }

  function colour(tr: HTMLElement, r: AlarmRow): void {
    const c = severityColours(r.sev);
    if (!c) return;
    tr.style.backgroundColor = c.bg;
    tr.style.color = c.fg;
  }

  function timeCell(r: AlarmRow): HTMLElement {
    const td = el('td', 'mara-time', displayDeviceTime(r.dev));
    const rx = typeof r.rx === 'string' ? Date.parse(r.rx) : NaN;
    if (Number.isFinite(rx)) td.title = displayInstant(rx);
    return td;
  }

  function drawBanner(): void {
    body.textContent = '';
    const list = rowsOf(snap?.banner);
    if (snap?.error) {
      body.appendChild(el('div', 'mara-alarms-empty', t('noJournal')));
      return;
    }
    if (!list.length) {
      body.appendChild(el('div', 'mara-alarms-empty', t('none')));
      return;
    }
    const table = el('table', 'mara-alarms-banner');
    const tb = el('tbody');
    for (const r of list) {
      const tr = el('tr', 'mara-alarm' + (canAttend() ? ' mara-clickable' : ''));
      tr.setAttribute('data-id', String(r.id));
      tr.setAttribute('data-sev', String(r.sev));
      colour(tr, r);
      tr.appendChild(timeCell(r));
      tr.appendChild(el('td', 'mara-tag', String(r.tag ?? '')));
      tr.appendChild(el('td', 'mara-desc', [r.d, r.s].filter((x) => typeof x === 'string' && x).join(' ')));
      tr.addEventListener('click', () => confirmAttend([r.id]));
      tb.appendChild(tr);
    }
    table.appendChild(tb);
    body.appendChild(table);
  }

  function requestPage(): void {
    const m: Record<string, unknown> = { type: 'page', req: ++req, filter };
    if (beforeId !== null) m.beforeId = beforeId;
    o.send(m);
  }

  /** The journal page before row `to` (null: the newest): the default view is drawn from the snapshot, any other asked for. */
  function showFrom(to: number | null): void {
    beforeId = to;
    page = null;
    if (isDefaultView()) drawJournal();
    else requestPage();
  }

  function filterForm(): HTMLElement {
    const form = el('form', 'mara-filters') as HTMLFormElement;
    const field = (label: string, input: HTMLElement) => {
      const l = el('label', 'mara-filter');
      l.appendChild(el('span', '', label));
      l.appendChild(input);
      form.appendChild(l);
      return input;
    };
    const toLocal = (ms: number | undefined) => (ms === undefined ? '' : displayInstant(ms).replace(' ', 'T'));
    const from = field(t('from'), el('input', 'mara-from')) as HTMLInputElement;
    from.type = 'datetime-local';
    from.step = '0.001';
    from.value = toLocal(filter.from);
    const to = field(t('to'), el('input', 'mara-to')) as HTMLInputElement;
    to.type = 'datetime-local';
    to.step = '0.001';
    to.value = toLocal(filter.to);
    const prefix = field(t('tagPrefix'), el('input', 'mara-prefix')) as HTMLInputElement;
    prefix.maxLength = 64;
    prefix.value = filter.tagPrefix ?? '';
    const type = field(t('type'), el('select', 'mara-type')) as HTMLSelectElement;
    const any = el('option', '', t('anyType')) as HTMLOptionElement;
    any.value = '';
    type.appendChild(any);
    for (const k of EVENT_TYPES) {
      const op = el('option', '', k) as HTMLOptionElement;
      op.value = k;
      type.appendChild(op);
    }
    type.value = filter.type ?? '';
    const only = el('input', 'mara-only') as HTMLInputElement;
    only.type = 'checkbox';
    only.checked = !!filter.unattendedOnly;
    field(t('unattendedOnly'), only);
    const apply = el('button', 'mara-apply', t('apply')) as HTMLButtonElement;
    apply.type = 'submit';
    form.appendChild(apply);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const f: AlarmFilter = {};
      // datetime-local is the browser's zone; the server compares receive times (ms since the epoch)
      const ms = (v: string) => (v ? new Date(v).getTime() : NaN);
      if (Number.isFinite(ms(from.value))) f.from = ms(from.value);
      if (Number.isFinite(ms(to.value))) f.to = ms(to.value);
      if (prefix.value) f.tagPrefix = prefix.value.slice(0, 64);
      if (type.value) f.type = type.value as AlarmFilter['type'];
      if (only.checked) f.unattendedOnly = true;
      filter = f;
      above.length = 0;
      selected.clear();
      showFrom(null);
    });
    return form;
  }

  function shownPage(): { rows: AlarmRow[]; next: number | null } | null {
    if (isDefaultView()) return snap?.latest ? { rows: rowsOf(snap.latest.rows), next: typeof snap.latest.next === 'number' ? snap.latest.next : null } : null;
    return page;
  }

  function drawJournal(): void {
    body.textContent = '';
    if (snap?.error) {
      body.appendChild(el('div', 'mara-alarms-empty', t('noJournal')));
      return;
    }
    body.appendChild(filterForm());
    const p = shownPage();
    const list = p ? p.rows : [];
    for (const id of [...selected]) if (!list.some((r) => r.id === id)) selected.delete(id);
    const table = el('table', 'mara-alarms-journal');
    const head = el('tr');
    head.appendChild(el('th', 'mara-sel'));
    for (const k of ['colDate', 'colTag', 'colDesc', 'colAttend', 'colBy'] as const) head.appendChild(el('th', '', t(k)));
    const thead = el('thead');
    thead.appendChild(head);
    table.appendChild(thead);
    const tb = el('tbody');
    for (const r of list) {
      const tr = el('tr', 'mara-event');
      tr.setAttribute('data-id', String(r.id));
      tr.setAttribute('data-sev', String(r.sev));
      if (r.sev > 0 && r.at === null) colour(tr, r);
      const sel = el('td', 'mara-sel');
      if (r.sev > 0 && r.at === null) {
        const cb = el('input') as HTMLInputElement;
        cb.type = 'checkbox';
        cb.checked = selected.has(r.id);
        cb.addEventListener('change', () => {
          if (cb.checked) selected.add(r.id);
          else selected.delete(r.id);
          drawActions();
        });
        sel.appendChild(cb);
      }
      tr.appendChild(sel);
      tr.appendChild(timeCell(r));
      tr.appendChild(el('td', 'mara-tag', String(r.tag ?? '')));
      tr.appendChild(el('td', 'mara-desc', [r.d, r.s].filter((x) => typeof x === 'string' && x).join(' ')));
      const att = el('td', 'mara-attend');
      if (typeof r.at === 'number') att.textContent = displayInstant(r.at);
      else if (r.sev > 0) {
        const a = el('a', 'mara-unattended', t('unattended')) as HTMLAnchorElement;
        a.href = '#';
        a.addEventListener('click', (ev) => {
          ev.preventDefault();
          confirmAttend([r.id]);
        });
        att.appendChild(a);
      }
      tr.appendChild(att);
      tr.appendChild(el('td', 'mara-by', typeof r.by === 'string' ? r.by : ''));
      tb.appendChild(tr);
    }
    table.appendChild(tb);
    body.appendChild(table);
    const nav = el('div', 'mara-paging');
    nav.appendChild(
      button(
        t('newest'),
        'mara-newest',
        () => {
          above.length = 0;
          showFrom(null);
        },
        beforeId === null,
      ),
    );
    nav.appendChild(button(t('newer'), 'mara-newer', () => showFrom(above.length ? (above.pop() as number | null) : null), beforeId === null));
    nav.appendChild(
      button(
        t('older'),
        'mara-older',
        () => {
          if (!p || p.next === null) return;
          above.push(beforeId);
          beforeId = p.next;
          requestPage();
        },
        !p || p.next === null,
      ),
    );
    body.appendChild(nav);
    const actions = el('div', 'mara-actions');
    body.appendChild(actions);
    drawActions();
  }

  function drawActions(): void {
    const actions = body.querySelector('.mara-actions');
    if (!actions) return;
    actions.textContent = '';
    if (snap?.config?.readOnly) return;
    const p = shownPage();
    const shown = (p ? p.rows : []).filter((r) => r.sev > 0 && r.at === null).map((r) => r.id);
    actions.appendChild(button(t('attendSelected'), 'mara-attend-selected', () => confirmAttend([...selected]), !canAttend() || !selected.size));
    actions.appendChild(button(t('attendShown'), 'mara-attend-shown', () => confirmAttend(shown), !canAttend() || !shown.length));
    actions.appendChild(button(t('attendAll'), 'mara-attend-all', () => confirmAttend([], true), !canAttend() || !snap?.horn?.unattended));
  }

  function draw(): void {
    drawTop();
    if (mode() === 'journal') drawJournal();
    else drawBanner();
    note.textContent = message;
    host.setAttribute('data-rev', String(snap?.rev ?? ''));
  }

  o.send({ type: 'hello' });

  return {
    snapshot(s) {
      if (!s || s.kind !== 'mara-alarms') return;
      snap = s;
      texts = s.config && s.config.texts && typeof s.config.texts === 'object' ? s.config.texts : undefined;
      // a page of this client's own is asked again when the journal changed
      if (mode() === 'journal' && !isDefaultView() && s.rev !== pageRev) {
        pageRev = typeof s.rev === 'number' ? s.rev : -1;
        requestPage();
      }
      draw();
    },
    reply(r) {
      if (!r) return;
      if (r.who) {
        who = { user: typeof r.who.user === 'string' ? r.who.user : null, canAttend: r.who.canAttend === true };
        draw();
      } else if (r.page) {
        if (r.page.req !== req) return; // an answer to a request since replaced
        page = { rows: rowsOf(r.page.rows), next: typeof r.page.next === 'number' ? r.page.next : null };
        if (mode() === 'journal') drawJournal();
      } else if (r.refused) {
        const reason = String(r.refused.reason ?? '');
        // a page the server had no time for (its budget, nodes/ui_mara_alarms.ts): asked again a little later
        if (reason === 'busy') {
          if (r.refused.req === req && !retry) retry = setTimeout(() => ((retry = null), requestPage()), RETRY_MS);
          return;
        }
        showMessage(reason === 'readOnly' ? t('readOnly') : reason === 'noUser' ? t('noUser') : t('refused', { reason }));
      } else if (r.attended) {
        showMessage('');
      }
    },
    dispose() {
      if (retry) clearTimeout(retry);
      dialogs.close();
      if (horn) horn.dispose();
    },
  };
}
