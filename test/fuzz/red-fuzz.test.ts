/**
 * Fuzzing a running Node-RED (node-red-node-test-helper: the runtime in this process, so its event loop and heap
 * are the ones measured) with random and mutated workbooks (through mara-project and its reload endpoint),
 * formulas (POST /mara/formula/try and msgs to mara-formula), drawings (SVG text to mara screen) and msgs
 * (mara decode, mara points, mara formula, mara screen). Issue 10 "Done when":
 *
 *  - the process stays up: no input throws out of a node or kills the runtime (this test would die with it);
 *  - the event loop never blocks longer than MAX_BLOCK_MS (perf_hooks.monitorEventLoopDelay over the whole run;
 *    generous because CI has 2 cores shared with other jobs: the inputs that used to block ran 13 to 210 s);
 *  - memory stays bounded: after each round (and a full collection) the heap is less than MAX_HEAP_GROWTH_MB
 *    above its level after warm-up;
 *  - Object.prototype stays clean: same own property names, none of text/fill/stroke/polluted.
 *
 * Seeded (FUZZ_SEED=<n> replays a run; the seed is printed); 30-40 s on a loaded 2-core machine.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as XLSX from 'xlsx';
import { helper } from '../helpers/red';
import { mutateText, SVG_ALPHABET } from '../helpers/svg-mutations';
import { preview } from '../../lib/preview';
import { mulberry32 } from '../../lib/sim/activity';
import { encodePollReply, encodePoll } from '../../lib/mara';
import projectNode = require('../../nodes/mara-project');
import pointsNode = require('../../nodes/mara-points');
import formulaNode = require('../../nodes/mara-formula');
import decodeNode = require('../../nodes/mara-decode');
import screenNode = require('../../nodes/ui_mara_screen');

const uiTab = require('node-red-dashboard/nodes/ui_tab.js');
const uiGroup = require('node-red-dashboard/nodes/ui_group.js');

/**
 * The longest the event loop may be blocked by any one input: 2 s, generous because the 2 CI cores are shared
 * (measured 0.76-0.84 s max under a load average of 10 on 2 cores, most of it waiting for a core; the inputs
 * fixed by issue 10 blocked 13 to 210 s). FUZZ_MAX_BLOCK_MS overrides it.
 */
const MAX_BLOCK_MS = Number(process.env.FUZZ_MAX_BLOCK_MS) || 2000;
/** How far the heap may grow above its level after warm-up. */
const MAX_HEAP_GROWTH_MB = 100;

const ROOT = path.resolve(__dirname, '..', '..');
const SEED = Number(process.env.FUZZ_SEED) || Date.now() % 2 ** 31;
const rnd = mulberry32(SEED);
const int = (n: number) => Math.floor(rnd() * n);
const pick = <T>(a: readonly T[]): T => a[int(a.length)];
const chance = (p: number) => rnd() < p;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-red-fuzz-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

// ------------------------------------------------------------------ generators

const TAGS = ['T', 'B', 'A1', 'E4152B04', '__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', '', 'a b', 'x'.repeat(70), '\u0000', 'é-1.2'];
const ATTRS = ['text', 'fill', 'stroke', 'mark', '__proto__', 'constructor', 'value', 'q', ''];

function randomValue(depth = 0): unknown {
  switch (int(depth > 2 ? 8 : 11)) {
    case 0:
      return int(5000) - 100;
    case 1:
      return pick([NaN, Infinity, -Infinity, -0, 1e308, -5, -3, 4096, 65536, 0.5]);
    case 2:
      return pick(['', '0', '1', 'red', '#ff0000', 'x'.repeat(int(2000)), '__proto__', '1'.repeat(int(100_000)) + 'x', ' '.repeat(int(100_000)) + 'x']);
    case 3:
      return null;
    case 4:
      return undefined;
    case 5:
      return chance(0.5);
    case 6:
      return int(256);
    case 7:
      return { value: int(5000), q: int(5) };
    case 8:
      return Array.from({ length: int(20) }, () => randomValue(depth + 1));
    case 9:
      return { tag: pick(TAGS), attr: pick(ATTRS), value: randomValue(depth + 1) };
    default:
      return JSON.parse(`{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}, "tag": ${JSON.stringify(pick(TAGS))}}`);
  }
}

const FORMULA_ATOMS = [
  '1',
  '0',
  '-7',
  '3.5',
  '1e308',
  "'a'",
  "'1'",
  '"x"',
  "''",
  'None',
  'True',
  'di.A.value',
  'ai.V.value',
  'ai.V.escala',
  'eg.T.text',
  'eg.__proto__.text',
  'eg.constructor.text',
  'di.toString.value',
  "'1' * 100000 + 'x'",
  "'ab' * 300000",
  '10 ** 30',
  '2 ** 2 ** 30',
  "APLICAR(int, '1' * 1000)",
  "FILTRAR(None, 'abc' * 1000)",
  'eg',
  'lambda x: x',
];
const FORMULA_CALLS = [
  'SI',
  'si',
  'O',
  'SUMA',
  'APLICAR',
  'FILTRAR',
  'FLOAT',
  'int',
  'float',
  'str',
  'abs',
  'min',
  'max',
  'round',
  'RAIZ',
  'TEXTO',
  'VALOR',
  'CONCATENAR',
  'nope',
  '__proto__',
];
const FORMULA_OPS = ['+', '-', '*', '/', '%', '**', '==', '!=', '<', '>=', 'and', 'or', '&', '=', '<>', '^'];

function randomFormula(depth = 0): string {
  const r = int(depth > 4 ? 2 : 6);
  if (r <= 1) return pick(FORMULA_ATOMS);
  if (r === 2) return `${randomFormula(depth + 1)} ${pick(FORMULA_OPS)} ${randomFormula(depth + 1)}`;
  if (r === 3) return `(${randomFormula(depth + 1)})`;
  if (r === 4) return `(lambda x: ${randomFormula(depth + 1)})(${randomFormula(depth + 1)})`;
  const n = int(4);
  return `${pick(FORMULA_CALLS)}(${Array.from({ length: n }, () => randomFormula(depth + 1)).join(', ')})`;
}

const FORMULA_ALPHABET = ['(', ')', ',', '.', "'", '"', ' ', 'lambda', ':', '*', '+', '__proto__', 'eg', '1', '\\', '\u0000', '%s', '%'];

function nestedNamespaces(depth: number): string {
  let s = '<svg xmlns="http://www.w3.org/2000/svg">';
  for (let i = 0; i < depth; i++) s += `<g xmlns:p${i}="urn:${i}">`;
  s += '<text tag="T">1</text>';
  for (let i = 0; i < depth; i++) s += '</g>';
  return s + '</svg>';
}

function randomDrawing(base: string[]): string {
  switch (int(5)) {
    case 0:
      return nestedNamespaces(500 + int(8_000));
    case 1:
      return `<svg xmlns="http://www.w3.org/2000/svg">${'<g>'.repeat(int(20_000))}<rect tag="R"/>${'</g>'.repeat(int(20_000))}</svg>`;
    case 2:
      return `<svg xmlns="http://www.w3.org/2000/svg"><rect tag="${pick(TAGS)}" fill="#${'f'.repeat(int(100_000))}"/></svg>`;
    default:
      return mutateText(pick(base), 1 + int(30), SVG_ALPHABET, rnd);
  }
}

function randomBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = chance(0.05) ? 0xfe : int(256);
  return b;
}

function randomDecodeInput(frames: Buffer[]): unknown {
  switch (int(7)) {
    case 0:
      return randomBytes(int(8192));
    case 1:
      return Buffer.concat(Array.from({ length: int(50) }, () => (chance(0.8) ? pick(frames) : randomBytes(int(30)))));
    case 2:
      return Buffer.concat(Array.from({ length: 1001 + int(500) }, () => pick(frames))); // beyond 1000 frames
    case 3:
      return pick(frames).toString('hex').replace(/(..)/g, '$1 ') + pick(['', 'zz', '0x', ',,']);
    case 4:
      return Array.from({ length: int(300) }, () => (chance(0.95) ? int(256) : randomValue()));
    case 5:
      return chance(0.5) ? Buffer.alloc(1024 * 1024 + 1 + int(1000), 0xfe) : { type: 'Buffer', data: [...pick(frames)] };
    default:
      return randomValue();
  }
}

function randomReply(): unknown {
  const block = (max: number) => Array.from({ length: int(12) }, () => (chance(0.8) ? int(max + 1) : randomValue()));
  const r: Record<string, unknown> = {};
  if (chance(0.8)) r.sv = block(255);
  if (chance(0.8)) r.di = block(255);
  if (chance(0.3)) r.diBits = Array.from({ length: int(40) }, () => (chance(0.9) ? chance(0.5) : randomValue()));
  if (chance(0.8))
    r.ai = Array.from({ length: int(10) }, () => (chance(0.6) ? { raw: int(65536) } : chance(0.5) ? { value: int(4200), q: int(5) } : randomValue()));
  if (chance(0.2)) r.events = Array.from({ length: int(5) }, () => randomValue());
  if (chance(0.05)) r.ai = new Array(5000 + int(10_000)).fill(0);
  return chance(0.3) ? { reply: r } : r;
}

function xlsxOf(rows: unknown[][], sheet = 'eg'): Buffer {
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), sheet);
  return XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', bookSST: true, compression: true }) as Buffer;
}

function randomWorkbook(example: Buffer): Buffer {
  switch (int(5)) {
    case 0: {
      // bytes of the example with random flips (mostly unreadable zips; some survive to SheetJS)
      const b = Buffer.from(example);
      for (let i = 0, n = 1 + int(20); i < n; i++) b[int(b.length)] = int(256);
      return b;
    }
    case 1:
      return example.subarray(0, int(example.length));
    case 2: {
      const rows: unknown[][] = [['tag', 'text', 'fill', 'stroke', 'screen', pick(['__proto__', 'constructor', 'description'])]];
      for (let i = 0, n = int(300); i < n; i++)
        rows.push([
          pick(TAGS) + (chance(0.5) ? String(i) : ''),
          String(randomValue()).slice(0, 30_000),
          int(20),
          String(randomValue()).slice(0, 100),
          pick(['', 'S1', '__proto__']),
          'x',
        ]);
      return xlsxOf(rows, pick(['eg', '__proto__', 'constructor', 'formulas']));
    }
    case 3:
      return Buffer.from(JSON.stringify({ elements: [{ tag: pick(TAGS), text: 'x' }], __proto__: { polluted: 1 }, points: [randomValue()] }));
    default:
      return randomBytes(int(4000));
  }
}

// ------------------------------------------------------------------ the run

describe('fuzz: hostile input to a running Node-RED', () => {
  let protoBefore: string[];
  before(() => {
    protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    helper.settings({ userDir: tmp });
    return new Promise<void>((r) => helper.startServer(() => r()));
  });
  after(() => new Promise<void>((r) => helper.stopServer(() => r())));

  it(`stays up, never blocks the event loop > ${MAX_BLOCK_MS} ms, bounded heap, clean Object.prototype (seed ${SEED})`, { timeout: 120_000 }, async () => {
    console.log(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} replays it)`);
    const example = fs.readFileSync(path.join(ROOT, 'examples', 'substation.xlsx'));
    const drawings = ['map.svg', 's1.svg'].map((f) => fs.readFileSync(path.join(ROOT, 'examples', f), 'utf8'));
    const exampleFormulas = [
      'SI(di.E4152B04.value,si(int(eg.E4189S04.text),eg.E4189S04.stroke,12),6)',
      'str(ai.V.value*ai.V.escala)',
      'SUMA(APLICAR(lambda e: int(e.text), FILTRAR(lambda x: x.mark == 1, eg)))',
    ];
    const frames = [
      encodePoll({ dst: 1, seq: 0x20 }),
      encodePollReply({ dst: 0x40, src: 1, seq: 0x21, sv: [1, 2, 3, 4, 5, 6], di: [1, 0, 0, 0], ai: [{ value: 1352, q: 0 }] }),
    ];
    fs.writeFileSync(path.join(tmp, 'fuzz.xlsx'), example);

    await helper.load(
      [projectNode, pointsNode, formulaNode, decodeNode, screenNode, uiTab, uiGroup],
      [
        { id: 'tab', type: 'tab' },
        { id: 'proj', type: 'mara-project', path: 'fuzz.xlsx', dialect: 'txscada', watch: false },
        {
          id: 'pts',
          type: 'mara-points',
          z: 'tab',
          project: '',
          comaster: '',
          points: [
            { tag: 'A', table: 'ai', index: 0 },
            { tag: 'D', table: 'di', index: 0 },
            { tag: 'S', table: 'sv', index: 1 },
          ],
          wires: [['frm']],
        },
        {
          id: 'frm',
          type: 'mara-formula',
          z: 'tab',
          dialect: 'txscada',
          formulas: [
            { tag: 'T', attr: 'text', formula: 'str(ai.A.value)' },
            { tag: 'B', attr: 'fill', formula: 'SI(di.D.value, 2, 3)' },
          ],
          wires: [['scr']],
        },
        { id: 'dec', type: 'mara-decode', z: 'tab', mode: 'stream', property: 'payload', timeout: 0, wires: [['pts']] },
        { id: 'uitab', type: 'ui_tab', name: 'Home', order: 1 },
        { id: 'grp', type: 'ui_group', name: 'Screens', tab: 'uitab', width: 12, order: 1, disp: true },
        {
          id: 'scr',
          type: 'ui_mara_screen',
          z: 'tab',
          group: 'grp',
          order: 1,
          width: 0,
          height: 0,
          project: '',
          svg: drawings[1],
          start: '',
          qualityClass: 'q',
          readOnly: false,
          wires: [[], []],
        },
      ],
    );
    const dec = helper.getNode('dec');
    const pts = helper.getNode('pts');
    const frm = helper.getNode('frm');
    const scr = helper.getNode('scr');
    const req = () => helper.request();
    const tick = () => new Promise((r) => setImmediate(r));
    await req().post('/mara/project/proj/reload').expect(200); // warm-up: first reader, first model

    // the heap that stays reachable, after a full collection (garbage not yet collected is not memory kept)
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    let heapMax = heap0;
    const sample = (collect = false) => {
      if (collect) gc();
      heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
    };
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const tally = { workbooks: 0, formulas: 0, drawings: 0, msgs: 0 };
    // the slowest synchronous call per kind of input, to name the culprit when the bound is passed
    const slowest = new Map<string, { ms: number; input: string }>();
    const timed = (kind: string, input: unknown, f: () => void) => {
      const t = performance.now();
      f();
      const ms = performance.now() - t;
      if (ms > (slowest.get(kind)?.ms ?? -1))
        slowest.set(kind, {
          ms,
          input:
            typeof input === 'string'
              ? input.slice(0, 120)
              : Array.isArray(input)
                ? `[${input
                    .slice(0, 3)
                    .map((x) => preview(x))
                    .join(', ')}…] ${preview(input)}`
                : preview(input),
        });
    };
    // the test harness records every call of a node method (sinon spies of node-red-node-test-helper) with its
    // msg: drop that record after each round so the heap measured is the runtime's
    const forget = () => (helper as unknown as { _sandbox: { resetHistory(): void } })._sandbox.resetHistory();
    const t0 = Date.now();
    try {
      for (let round = 0; round < 8; round++) {
        // a workbook, through the project node and its reload endpoint (the reader is a child process)
        fs.writeFileSync(path.join(tmp, 'fuzz.xlsx'), randomWorkbook(example));
        const tw = performance.now();
        const r = await req().post('/mara/project/proj/reload').expect(200);
        const wms = performance.now() - tw;
        if (wms > (slowest.get('workbook (async)')?.ms ?? -1)) slowest.set('workbook (async)', { ms: wms, input: JSON.stringify(r.body).slice(0, 120) });
        assert.equal(typeof r.body.version, 'number');
        tally.workbooks++;
        // formulas, through the editor's try endpoint
        for (let i = 0; i < 15; i++) {
          const f = chance(0.5) ? randomFormula() : mutateText(pick(exampleFormulas), 1 + int(10), FORMULA_ALPHABET, rnd);
          const inputs = chance(0.3) ? { 'eg.T.text': randomValue(), 'ai.V.value': randomValue(), 'eg.__proto__.text': 'X' } : {};
          const t = performance.now();
          const res = await req()
            .post('/mara/formula/try')
            .send({ id: chance(0.5) ? 'frm' : undefined, formula: f, dialect: pick(['txscada', 'excel']), inputs });
          assert.ok([200, 400, 413].includes(res.status), `${res.status} for ${f.slice(0, 80)}`);
          const ms = performance.now() - t;
          if (ms > (slowest.get('try')?.ms ?? -1)) slowest.set('try', { ms, input: f.slice(0, 120) });
          tally.formulas++;
        }
        // drawings, as SVG text to the screen node
        for (let i = 0; i < 3; i++) {
          const svg = randomDrawing(drawings);
          timed('drawing', `${svg.length} chars: ${svg.slice(0, 100)}`, () => scr.receive({ payload: svg } as never));
          await tick();
          tally.drawings++;
        }
        // msgs
        for (let i = 0; i < 60; i++) {
          const d = randomDecodeInput(frames);
          timed('decode', d, () => dec.receive({ payload: d } as never));
          await tick();
          const p = chance(0.9) ? randomReply() : randomValue();
          timed('points', p, () => pts.receive({ payload: p } as never));
          await tick();
          const fm = chance(0.5)
            ? { payload: randomValue() }
            : { topic: `${pick(['ai', 'di', 'eg', 'sv'])}.${pick(TAGS)}${chance(0.5) ? `.${pick(ATTRS)}` : ''}`, payload: randomValue() };
          timed('formula msg', fm, () => frm.receive(fm as never));
          await tick();
          const sm = chance(0.8) ? Array.from({ length: int(10) }, () => randomValue(1)) : randomValue();
          timed('screen msg', sm, () => scr.receive({ payload: sm } as never));
          tally.msgs += 4;
          await tick();
        }
        await tick();
        forget();
        sample(true);
      }
    } finally {
      loop.disable();
    }
    const maxBlockMs = loop.max / 1e6;
    const growthMb = (heapMax - heap0) / 1024 / 1024;
    for (const [k, v] of slowest) console.log(`slowest ${k}: ${v.ms.toFixed(1)} ms: ${v.input}`);
    console.log(
      `fuzz: ${JSON.stringify(tally)} in ${Date.now() - t0} ms; event loop delay max ${maxBlockMs.toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms; heap growth max ${growthMb.toFixed(1)} MB`,
    );
    assert.ok(maxBlockMs < MAX_BLOCK_MS, `the event loop was blocked ${maxBlockMs.toFixed(0)} ms (seed ${SEED})`);
    assert.ok(growthMb < MAX_HEAP_GROWTH_MB, `the heap grew ${growthMb.toFixed(0)} MB (seed ${SEED})`);
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoBefore, 'Object.prototype own properties');
    for (const k of ['text', 'fill', 'stroke', 'polluted', 'quality']) assert.equal(({} as Record<string, unknown>)[k], undefined, `Object.prototype.${k}`);
    // still serving: the runtime answers and the nodes still work
    const ok = await req().post('/mara/formula/try').send({ formula: '1+1', inputs: {} }).expect(200);
    assert.deepEqual(ok.body, { ok: true, value: 2, type: 'integer' });
    await helper.unload();
  });
});
