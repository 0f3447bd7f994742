/**
 * ui_mara_alarms in a real browser: Node-RED 4 (child process, this checkout linked as a user installs it) with
 * Dashboard 1 behind httpNodeAuth, a mara-project whose journal the widgets read, a banner and a journal widget on
 * one dashboard tab, and Chromium driven by playwright-core. Events are appended through the project's own
 * JournalHub inside the child (a test endpoint: an http-in flow whose function node gets lib/journal from
 * functionGlobalContext), so the hub publishes them to the widgets exactly as a line's events. The attend clock is
 * the settings' `uiMaraAlarmsClock` (fixed), so attend times are known.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_MISSING, DIST, RedChild, dashboardNodes, ensureBuilt, functionNode, startNodeRed } from '../helpers/red-child';
import { closeDashboard, openDashboard, OpenBrowser } from '../helpers/chromium';
import { event } from '../journal/fixtures';
import { displayInstant, severityColours } from '../../lib/hmi/alarm-rows';
import type { EventInput, ReplyInput } from '../../lib/journal/types';

const workbook = require('../../scripts/make-example-workbook.js');
const bcrypt = require('bcryptjs') as { hashSync(p: string, r: number): string };

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) process.stderr.write(`[alarms browser test] skipped: ${CHROMIUM_MISSING}\n`);

const VIEWPORT = { width: 1366, height: 1000 };
const BANNER = '#mara-alarms-ban';
const JOURNAL = '#mara-alarms-jou';
const CLOCK = 1_800_000_500_000;
const AUTH = 'Basic ' + Buffer.from('op:secret').toString('base64');

function flows(): unknown[] {
  return [
    { id: 'tab1', type: 'tab', label: 'alarms' },
    ...dashboardNodes(
      [{ id: 'ui-tab', name: 'Alarms', order: 1 }],
      [
        { id: 'grp-b', name: 'Banner', tab: 'ui-tab', width: 12, order: 1 },
        { id: 'grp-j', name: 'Journal', tab: 'ui-tab', width: 20, order: 2 },
      ],
    ),
    { id: 'proj', type: 'mara-project', name: '', path: 'project/substation.xlsx', dialect: 'txscada', watch: false },
    {
      id: 'ban',
      type: 'ui_mara_alarms',
      z: 'tab1',
      name: '',
      group: 'grp-b',
      order: 1,
      width: 12,
      height: 5,
      project: 'proj',
      mode: 'banner',
      rows: 3,
      pageSize: 20,
      readOnly: false,
      horn: true,
      anonymous: false,
      x: 300,
      y: 100,
      wires: [[]],
    },
    {
      id: 'jou',
      type: 'ui_mara_alarms',
      z: 'tab1',
      name: '',
      group: 'grp-j',
      order: 1,
      width: 20,
      height: 14,
      project: 'proj',
      mode: 'journal',
      rows: 5,
      pageSize: 5,
      readOnly: false,
      horn: false,
      anonymous: false,
      x: 300,
      y: 160,
      wires: [[]],
    },
    // POST /test/append {reply}: appended through the project's JournalHub (the same file, the same process)
    {
      id: 'ap-in',
      type: 'http in',
      z: 'tab1',
      name: '',
      url: '/test/append',
      method: 'post',
      upload: false,
      swaggerDoc: '',
      x: 100,
      y: 300,
      wires: [['ap-fn']],
    },
    functionNode(
      'ap-fn',
      [
        "const lease = global.get('maraJournal').acquireJournal(global.get('maraJournalFile'));",
        'try {',
        '  const r = msg.payload;',
        '  for (const e of r.events) e.raw = Buffer.from(e.raw);',
        '  msg.payload = lease.hub.append(r);',
        '} finally { lease.release(); }',
        'return msg;',
      ].join('\n'),
      [['ap-res']],
      { name: 'append', x: 300, y: 300 },
    ),
    { id: 'ap-res', type: 'http response', z: 'tab1', name: '', statusCode: '', headers: {}, x: 500, y: 300, wires: [] },
  ];
}

let replyNo = 0;
/** One reply of `events`, received `replyNo` seconds after a fixed start. */
function replyOf(events: EventInput[]): ReplyInput {
  replyNo++;
  return {
    line: 'L1',
    device: 1,
    replyKey: `${0x20 + (replyNo % 96)}:${replyNo.toString(36).padStart(16, 'k')}`,
    receivedAt: 1_800_000_000_000 + replyNo * 1000,
    events,
  };
}
const trip = (n: number, tag: string, severity: number, fraction = 0) =>
  event(n, {
    tag,
    description: `Relay ${tag}`,
    stateText: 'ACTUADA',
    severity,
    deviceTime: { year: 2026, month: 12, day: 3, hour: 10, minute: 20, second: n % 60, fraction },
  });

describe('ui_mara_alarms in Chromium', { skip: haveChromium ? false : CHROMIUM_MISSING, timeout: 300_000 }, () => {
  let red: RedChild;
  let ctx: BrowserContext;
  let page: Page;
  let browser: OpenBrowser | undefined;
  const pageErrors: string[] = [];

  const append = async (events: EventInput[]) => {
    const res = await fetch(`${red.url}/test/append`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: AUTH },
      body: JSON.stringify(replyOf(events), (_k, v) => (v && v.type === 'Buffer' && Array.isArray(v.data) ? v.data : v)),
    });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as { ids: number[] };
  };
  const bannerTags = (p: Page) => p.$$eval(`${BANNER} tr.mara-alarm .mara-tag`, (es) => es.map((e) => e.textContent));
  const journalTags = (p: Page) => p.$$eval(`${JOURNAL} tr.mara-event .mara-tag`, (es) => es.map((e) => e.textContent));
  /** Waits until the rows' tags are `tags`; a failure says what the rows were. */
  const waitRows = async (p: Page, sel: string, row: string, tags: string[]) => {
    const read = () => p.$$eval(`${sel} ${row} .mara-tag`, (es) => es.map((e) => e.textContent));
    await p
      .waitForFunction(
        ([s, r, want]) => JSON.stringify(Array.from(document.querySelectorAll(`${s} ${r} .mara-tag`)).map((e) => e.textContent)) === want,
        [sel, row, JSON.stringify(tags)] as const,
        { timeout: 5000 },
      )
      .catch(async (e: Error) => {
        throw new Error(`${sel}: rows ${JSON.stringify(await read())}, expected ${JSON.stringify(tags)}: ${e.message}`);
      });
  };
  const waitBanner = (p: Page, tags: string[]) => waitRows(p, BANNER, 'tr.mara-alarm', tags);
  const waitJournal = (p: Page, tags: string[]) => waitRows(p, JOURNAL, 'tr.mara-event', tags);
  const attr = (p: Page, sel: string, name: string) => p.$eval(sel, (e, n) => e.getAttribute(n), name);
  const waitAttr = (p: Page, sel: string, name: string, value: string) =>
    p.waitForFunction(([s, n, v]) => document.querySelector(s)?.getAttribute(n) === v, [sel, name, value] as const, { timeout: 5000 });
  const rgb = (hex: string) => `rgb(${parseInt(hex.slice(1, 3), 16)}, ${parseInt(hex.slice(3, 5), 16)}, ${parseInt(hex.slice(5, 7), 16)})`;
  /** Confirms the open attend dialog (a native <dialog> in a shadow root: Playwright's CSS pierces open shadow roots). */
  const confirm = async (p: Page, text: string) => {
    const dialog = p.locator('.mara-dialog-host dialog.mara-dialog');
    await dialog.waitFor({ timeout: 5000 });
    assert.match(await dialog.innerText(), new RegExp(text));
    await dialog.locator('button.mara-primary').click();
  };

  before(async () => {
    ensureBuilt();
    const files = { 'project/substation.xlsx': workbook.writeXlsx(workbook.exampleSheets()) };
    red = await startNodeRed(
      flows(),
      files,
      { httpNodeAuth: { user: 'op', pass: bcrypt.hashSync('secret', 6) } },
      {
        preamble: `const maraJournal = require(${JSON.stringify(path.join(DIST, 'lib', 'journal', 'journal-hub.js'))});`,
        entries: {
          functionGlobalContext: `{ maraJournal, maraJournalFile: require('path').join(__dirname, 'mara-journal', 'proj.sqlite') }`,
          uiMaraAlarmsClock: `() => ${CLOCK}`,
        },
      },
    );
    browser = await openDashboard(red.url, {
      viewport: VIEWPORT,
      ready: `${BANNER} tr.mara-alarm`,
      pageErrors,
      bundleFile: path.join(DIST, 'ui', 'mara-alarms.js'),
      prepare: async (b) => {
        // headless Chromium lets any page play sound, whatever --autoplay-policy says (and a page opened through CDP counts
        // as user-activated); a desktop
        // browser's autoplay policy put back: a new AudioContext starts suspended and cannot resume before the page's
        // first trusted pointer or key event
        await b.ctx.addInitScript(() => {
          const A = window.AudioContext;
          if (!A) return;
          let gesture = false;
          const mark = (e: Event) => {
            if (e.isTrusted) gesture = true;
          };
          window.addEventListener('pointerdown', mark, true);
          window.addEventListener('keydown', mark, true);
          window.AudioContext = class extends A {
            constructor(o?: AudioContextOptions) {
              super(o);
              if (!gesture) void super.suspend();
            }
            override resume(): Promise<void> {
              return gesture ? super.resume() : Promise.reject(new DOMException('no user gesture yet', 'NotAllowedError'));
            }
          };
        });
        // what a browser sends after httpNodeAuth asked (the socket.io handshake included)
        await b.ctx.setExtraHTTPHeaders({ authorization: AUTH });
        // events before any browser: three alarms of different severities, two plain events
        await append([event(1, { tag: 'S1152B01', stateText: 'CERRADO' }), trip(2, 'S1151_01', 2, 8192)]);
        await append([trip(3, 'S1151_02', 9, 16384), event(4, { tag: 'S1152B02' })]);
        await append([trip(5, 'S1164_03', 5, 32767)]);
      },
    });
    ({ ctx, page } = browser);
  });

  after(() => closeDashboard(browser, red, {}));

  it('the banner shows the unattended alarms newest first, coloured by severity, with milliseconds', async () => {
    await waitBanner(page, ['S1164_03', 'S1151_02', 'S1151_01']);
    const rows = await page.$$eval(`${BANNER} tr.mara-alarm`, (trs) =>
      trs.map((tr) => ({
        sev: tr.getAttribute('data-sev'),
        bg: (tr as HTMLElement).style.backgroundColor,
        fg: (tr as HTMLElement).style.color,
        time: tr.querySelector('.mara-time')?.textContent,
        title: (tr.querySelector('.mara-time') as HTMLElement | null)?.title,
        desc: tr.querySelector('.mara-desc')?.textContent,
      })),
    );
    assert.deepEqual(
      rows.map((r) => r.sev),
      ['5', '9', '2'],
    );
    for (const r of rows) {
      const c = severityColours(Number(r.sev))!;
      assert.equal(r.bg, rgb(c.bg));
      assert.equal(r.fg, rgb(c.fg));
    }
    assert.notEqual(rows[0].bg, rows[1].bg, 'severities differ in colour');
    assert.equal(rows[0].time, '2026-12-03 10:20:05.999');
    assert.equal(rows[1].time, '2026-12-03 10:20:03.500');
    assert.equal(rows[2].time, '2026-12-03 10:20:02.250');
    // the receive time as the title, in the browser's zone (Node's zone here: the same machine)
    assert.equal(rows[0].title, displayInstant(1_800_000_003_000));
    assert.equal(rows[0].desc, 'Relay S1164_03 ACTUADA');
    assert.match((await page.textContent(`${BANNER} .mara-alarms-user`)) ?? '', /op/);
  });

  it('the horn waits for a user gesture, then beeps while it sounds', async () => {
    assert.equal(await attr(page, BANNER, 'data-sounding'), 'true');
    assert.equal(await attr(page, BANNER, 'data-horn'), 'locked');
    assert.equal(await attr(page, BANNER, 'data-beeps'), '0', 'no sound before a gesture');
    assert.ok(await page.$(`${BANNER} button.mara-sound-enable`), 'the widget says sound needs a click');
    await page.click(`${BANNER} button.mara-sound-enable`);
    await waitAttr(page, BANNER, 'data-horn', 'ready');
    assert.equal(await page.$(`${BANNER} button.mara-sound-enable`), null);
    await page.waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute('data-beeps')) >= 2, BANNER, { timeout: 5000 });
    // the journal widget has no horn (its option is off): no audio context, nothing to enable
    assert.equal(await attr(page, JOURNAL, 'data-sounding'), 'false');
    assert.equal(await attr(page, JOURNAL, 'data-horn'), 'off');
    assert.equal(await page.$(`${JOURNAL} button.mara-sound-enable`), null);
  });

  it('the journal pages newest first by keyset and filters', async () => {
    for (let i = 0; i < 4; i++) await append([event(10 + i, { tag: `S12VV_0${i}`, stateText: 'ALTA' })]);
    await waitJournal(page, ['S12VV_03', 'S12VV_02', 'S12VV_01', 'S12VV_00', 'S1164_03']);
    const head = await page.$$eval(`${JOURNAL} th`, (ths) => ths.map((t) => t.textContent));
    assert.deepEqual(head, ['', 'Date', 'TAG', 'Description', 'Attended', 'Attended by']);
    assert.ok(await page.$eval(`${JOURNAL} button.mara-newer`, (b) => (b as HTMLButtonElement).disabled));
    await page.click(`${JOURNAL} button.mara-older`);
    await waitJournal(page, ['S1152B02', 'S1151_02', 'S1151_01', 'S1152B01']);
    assert.ok(await page.$eval(`${JOURNAL} button.mara-older`, (b) => (b as HTMLButtonElement).disabled), 'the last page');
    await page.click(`${JOURNAL} button.mara-newer`);
    await waitJournal(page, ['S12VV_03', 'S12VV_02', 'S12VV_01', 'S12VV_00', 'S1164_03']);
    // the unattended link of an alarm, nothing for a plain event
    assert.equal(await page.textContent(`${JOURNAL} tr[data-sev="5"] .mara-attend`), 'Unattended');
    assert.equal(await page.textContent(`${JOURNAL} tr[data-sev="0"] .mara-attend`), '');
    // filters: tag prefix, unattended only, received before
    await page.fill(`${JOURNAL} input.mara-prefix`, 'S1151');
    await page.click(`${JOURNAL} button.mara-apply`);
    await waitJournal(page, ['S1151_02', 'S1151_01']);
    await page.fill(`${JOURNAL} input.mara-prefix`, '');
    await page.check(`${JOURNAL} input.mara-only`);
    await page.click(`${JOURNAL} button.mara-apply`);
    await waitJournal(page, ['S1164_03', 'S1151_02', 'S1151_01']);
    await page.uncheck(`${JOURNAL} input.mara-only`);
    await page.fill(`${JOURNAL} input.mara-to`, displayInstant(1_800_000_001_500).replace(' ', 'T'));
    await page.click(`${JOURNAL} button.mara-apply`);
    await waitJournal(page, ['S1151_01', 'S1152B01']);
    await page.fill(`${JOURNAL} input.mara-to`, '');
    await page.selectOption(`${JOURNAL} select.mara-type`, 'energy');
    await page.click(`${JOURNAL} button.mara-apply`);
    await waitJournal(page, []);
    await page.selectOption(`${JOURNAL} select.mara-type`, '');
    await page.click(`${JOURNAL} button.mara-apply`);
    await waitJournal(page, ['S12VV_03', 'S12VV_02', 'S12VV_01', 'S12VV_00', 'S1164_03']);
  });

  it('an attend from one client shows in the other at once; silence stops the horn everywhere', async () => {
    const other = await ctx.newPage();
    try {
      await other.goto(`${red.url}/ui/`);
      await waitBanner(other, ['S1164_03', 'S1151_02', 'S1151_01']);
      // client A attends the newest alarm from the banner, with the confirmation of spec §6.3
      await page.click(`${BANNER} tr.mara-alarm:first-child`);
      await confirm(page, 'You are about to notify that the alarm is attended');
      await waitBanner(other, ['S1151_02', 'S1151_01']);
      await waitBanner(page, ['S1151_02', 'S1151_01']);
      // B's journal shows who attended and when (the settings' clock)
      await other.waitForFunction((sel) => document.querySelector(`${sel} tr[data-sev="5"] .mara-by`)?.textContent === 'op', JOURNAL, { timeout: 5000 });
      assert.equal(await other.textContent(`${JOURNAL} tr[data-sev="5"] .mara-attend`), displayInstant(CLOCK));
      // B silences: A's horn stops though alarms stay unattended
      assert.equal(await attr(other, BANNER, 'data-sounding'), 'true');
      await other.click(`${BANNER} button.mara-silence`);
      await waitAttr(page, BANNER, 'data-sounding', 'false');
      await waitAttr(other, BANNER, 'data-sounding', 'false');
      assert.match((await page.textContent(`${BANNER} .mara-silenced`)) ?? '', /op/);
      // a new alarm sounds it again
      await append([trip(20, 'S1151_07', 7)]);
      await waitAttr(page, BANNER, 'data-sounding', 'true');
      await waitBanner(other, ['S1151_07', 'S1151_02', 'S1151_01']);
      // B attends the two older ones from the journal: select, "attend selected"
      await other.click(`${JOURNAL} button.mara-older`);
      await waitJournal(other, ['S1164_03', 'S1152B02', 'S1151_02', 'S1151_01', 'S1152B01']);
      await other.check(`${JOURNAL} tr[data-sev="9"] input[type=checkbox]`);
      await other.check(`${JOURNAL} tr[data-sev="2"] input[type=checkbox]`);
      await other.click(`${JOURNAL} button.mara-attend-selected`);
      await confirm(other, '2 alarm');
      await waitBanner(page, ['S1151_07']);
      await other.waitForFunction((sel) => document.querySelector(`${sel} tr[data-sev="2"] .mara-by`)?.textContent === 'op', JOURNAL, { timeout: 5000 });
      // A attends the last one through the journal's link: nothing unattended, the horn stops
      await page.click(`${JOURNAL} tr[data-sev="7"] a.mara-unattended`);
      await confirm(page, 'You are about to notify');
      await waitAttr(other, BANNER, 'data-sounding', 'false');
      await waitBanner(page, []);
      assert.equal(await page.textContent(`${BANNER} .mara-alarms-empty`), 'No unattended alarms');
    } finally {
      await other.close();
    }
  });

  it('a reload shows the state at once (the replayed snapshot), and the horn needs a gesture again', async () => {
    await append([trip(30, 'S1151_08', 4), trip(31, 'S1151_09', 6)]);
    await waitBanner(page, ['S1151_09', 'S1151_08']);
    const rev = await attr(page, BANNER, 'data-rev');
    await page.reload();
    await page.waitForSelector(`${BANNER} tr.mara-alarm`, { timeout: 20_000 });
    assert.deepEqual(await bannerTags(page), ['S1151_09', 'S1151_08']);
    assert.equal(await attr(page, BANNER, 'data-rev'), rev, 'the same snapshot, no new emission needed');
    assert.equal(await attr(page, BANNER, 'data-sounding'), 'true');
    assert.equal(await attr(page, BANNER, 'data-horn'), 'locked', 'a reloaded page has had no gesture yet');
    assert.deepEqual((await journalTags(page)).slice(0, 2), ['S1151_09', 'S1151_08']);
    // attend all from the journal clears the banner of every client
    await page.click(`${JOURNAL} button.mara-attend-all`);
    await confirm(page, '2 alarm');
    await waitBanner(page, []);
    await waitAttr(page, BANNER, 'data-sounding', 'false');
    assert.deepEqual(pageErrors, []);
  });
});
