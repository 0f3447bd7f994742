/**
 * Workbook import benchmark: `npm run bench -- workbook`.
 *
 * stdout: one JSON line per figure, nothing else. Progress and notes go to stderr.
 *
 * A generated workbook of 10 000 points (50 IEDs × 120 DI + 60 AI + 20 SV on 5 COMasters), 2 000 graphic
 * elements with one formula each, the screens, colour table (cell fills) and event texts; written as .xlsx and as
 * .xls (BIFF8) by scripts/make-example-workbook.js. For each format:
 *  - `floor`: SheetJS's own `XLSX.read(bytes)` in this process (default options), the cost any reader pays;
 *  - `load`: the whole `workbook.load(bytes)` with the default isolation (a child process): process start,
 *    SheetJS inside it, the rows sent back, the model built and validated in this thread; `ratio` = load / floor
 *    (goal ≤ 1.5);
 *  - `load-thread`, `ratio-thread`: the same with `isolation: 'thread'` (a worker thread);
 *  - the parts of one default load, from time stamps taken in the reader: start + `require('xlsx')`, SheetJS read,
 *    second (styled) read of the colour sheet (.xlsx only), rows extracted, rows sent back, model build.
 * Each figure is the median of RUNS runs (default 7; MARA_BENCH_RUNS), the three kinds rotating which goes first,
 * a GC before every run.
 *
 * Which build of lib/project is measured (`code` in every figure), as in the codec bench: default `tsc` (the
 * sources transpiled now by TypeScript into a temporary directory: the JavaScript dist/ holds), MARA_BENCH_SOURCE=ts
 * (tsx), MARA_BENCH_SOURCE=dist (dist/ as built).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as XLSX from 'xlsx';
import type * as WorkbookLib from '../lib/project/workbook';
import type * as WorkerLib from '../lib/project/workbook-worker';
import { ROOT, gc, median, Reporter, reporter, round3, sourceFromEnv, transpile, tsSources } from './common';

const RUNS = Number(process.env.MARA_BENCH_RUNS) || 7;
const CODE = sourceFromEnv(['dist', 'ts'] as const);
const rep = reporter('workbook', CODE);
const log = rep.log;
const fail: Reporter['fail'] = rep.fail; // declared with its type, so that TypeScript knows fail() does not return
/** Every figure's value rounded to 3 decimals. */
const emit = (figure: string, unit: string, value: number, extra: Record<string, unknown> = {}) => rep.emit(figure, unit, round3(value), extra);
/** Wall-clock ms, comparable with the time stamps the reader takes in its own process or thread. */
const now = () => performance.timeOrigin + performance.now();

function loadLib(): { wb: typeof WorkbookLib; worker: typeof WorkerLib } {
  const dir =
    CODE === 'ts'
      ? path.join(ROOT, 'lib', 'project')
      : CODE === 'dist'
        ? path.join(ROOT, 'dist', 'lib', 'project')
        : path.join(transpile(rep, [...tsSources('lib/project'), 'lib/hmi/toggle.ts', 'lib/preview.ts'], { linkNodeModules: true }), 'lib', 'project'); // node_modules for xlsx
  if (CODE === 'tsc') fs.copyFileSync(path.join(ROOT, 'lib', 'project', 'workbook-reader.js'), path.join(dir, 'workbook-reader.js'));
  if (CODE === 'dist' && !fs.existsSync(path.join(dir, 'workbook.js'))) fail('dist/ has no lib/project/workbook.js: run `npm run build`');
  return { wb: require(path.join(dir, 'workbook')), worker: require(path.join(dir, 'workbook-worker')) };
}

// ---------------------------------------------------------------------------------------------
// The workbook
// ---------------------------------------------------------------------------------------------

type CellIn = string | number | { t: string; v: unknown; f?: string };
interface SheetIn {
  name: string;
  rows: CellIn[][];
  fills?: [number, number, string][];
}
const gen: { writeXlsx(s: SheetIn[]): Buffer; writeXls(s: SheetIn[]): Buffer; exampleSheets(): SheetIn[] } = require('../scripts/make-example-workbook.js');

const COMASTERS = 5;
const IEDS = 50;
const DI_PER_IED = 120;
const AI_PER_IED = 60;
const SV_PER_IED = 20;
const ELEMENTS = 2000;

function benchSheets(): SheetIn[] {
  const example = new Map(gen.exampleSheets().map((s) => [s.name, s]));
  const cm: CellIn[][] = [['id', 'ip_address', 'port', 'enabled']];
  for (let c = 1; c <= COMASTERS; c++) cm.push([c, `10.0.0.${c}`, 9761, 1]);
  const ied: CellIn[][] = [['id', 'comaster_id', 'offset', 'can_varsys', 'can_dis', 'can_ais', 'rs485_address']];
  const di: CellIn[][] = [example.get('di')!.rows[0]];
  const ai: CellIn[][] = [example.get('ai')!.rows[0]];
  const sv: CellIn[][] = [example.get('varsys')!.rows[0]];
  const tagOf = (i: number, cls: string, n: number) => `E${(i % 9) + 1}${String.fromCharCode(65 + (i % 26))}${cls}${String(n).padStart(4, '0')}`;
  for (let i = 0; i < IEDS; i++) {
    const id = i + 1;
    const cmId = (i % COMASTERS) + 1;
    ied.push([id, cmId, Math.floor(i / COMASTERS) + 1, SV_PER_IED, Math.ceil(DI_PER_IED / 8), AI_PER_IED, Math.floor(i / COMASTERS) + 1]);
    for (let n = 0; n < DI_PER_IED; n++)
      di.push([di.length, id, n, n >> 4, n & 15, tagOf(i, 'D', n), `RL${n}`, `Entrada digital ${n} del IED ${id}`, 0, 0, 0, n % 3, n, n % 8, '', '']);
    for (let k = 0; k < AI_PER_IED; k++) {
      const r = ai.length + 1;
      ai.push([
        ai.length,
        id,
        k + 1,
        k % 2,
        `TR${k}`,
        `Medición ${k} del IED ${id}`,
        tagOf(i, 'A', k),
        'kV',
        33,
        1796,
        1,
        1,
        1,
        { t: 'n', v: 33 / 1796, f: `I${r}*K${r}/J${r}` },
        '',
        0,
        -1,
        k,
        '',
        '',
        7,
        '',
        '',
        6,
        '',
        '',
      ]);
    }
    for (let k = 0; k < SV_PER_IED; k++) sv.push([sv.length, id, k, '', `SV${k}`, `Variable de sistema ${k}`, '']);
  }
  const eg: CellIn[][] = [['id', 'tag', 'description', 'text', 'fill', 'Stroke', 'mark', 'screen', 'disabled']];
  const fo: CellIn[][] = [['disp', 'Var_eg', 'tabla', 'tag', 'atributo', 'Formula']];
  for (let e = 0; e < ELEMENTS; e++) {
    const i = e % IEDS;
    const isDi = e % 2 === 0;
    const point = isDi ? tagOf(i, 'D', e % DI_PER_IED) : tagOf(i, 'A', e % AI_PER_IED);
    const tag = `G${String(e).padStart(5, '0')}`;
    eg.push([e + 1, tag, `Elemento gráfico ${e}`, isDi ? '0' : 12.5, 3, '', e % 10 === 0 ? 1 : '', 'S1', 0]);
    const r = fo.length + 1;
    fo.push([
      isDi ? '52B' : 'VV_',
      { t: 's', v: `eg.${tag}.${isDi ? 'fill' : 'text'}`, f: `CONCATENATE(C${r},D${r},".",E${r})` },
      'eg.',
      tag,
      isDi ? 'fill' : 'text',
      isDi ? `SI(di.${point}.value,si(int(eg.${tag}.text),6,10),3)` : `str(ai.${point}.value*ai.${point}.escala)`,
    ]);
  }
  const screens: SheetIn = {
    name: 'screens',
    rows: [
      ['path', 'name', 'description', 'prefix', 'parent'],
      ['map.svg', 'MAP', 'Mapa', 'MAP', ''],
      ['s1.svg', 'S1', 'Unifilar', 'G', 'MAP'],
    ],
  };
  return [
    example.get('General')!,
    { name: 'comaster', rows: cm },
    { name: 'ied', rows: ied },
    { name: 'di', rows: di },
    { name: 'ai', rows: ai },
    { name: 'varsys', rows: sv },
    example.get('com')!,
    example.get('textoevtipo')!,
    screens,
    { name: 'eg', rows: eg },
    { name: 'formulas', rows: fo },
    example.get('color')!,
  ];
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { wb, worker } = loadLib();
  log(`code: ${CODE}; building the workbook…`);
  const sheets = benchSheets();
  const files = { xlsx: gen.writeXlsx(sheets), xls: gen.writeXls(sheets) };
  if (process.env.MARA_BENCH_DUMP) {
    for (const [fmt, b] of Object.entries(files)) fs.writeFileSync(path.join(process.env.MARA_BENCH_DUMP, `bench.${fmt}`), b);
    log(`wrote the workbooks to ${process.env.MARA_BENCH_DUMP}`);
    return;
  }
  for (const fmt of ['xlsx', 'xls'] as const) {
    const bytes = files[fmt];
    const check = await wb.load(bytes);
    if (check.problems.length) fail(`${fmt}: ${check.problems.length} problems, first ${JSON.stringify(check.problems[0])}`);
    const m = check.model;
    if (
      m.points.length !== IEDS * (DI_PER_IED + AI_PER_IED + SV_PER_IED) ||
      m.elements.length !== ELEMENTS ||
      m.formulas.length !== ELEMENTS ||
      m.colours.filter((c) => c.css).length !== 13
    )
      fail(`${fmt}: unexpected model (${m.points.length} points, ${m.elements.length} elements, ${m.formulas.length} formulas)`);
    log(`${fmt}: ${bytes.length} bytes; ${m.points.length} points, ${m.elements.length} elements, ${m.formulas.length} formulas; ${RUNS} runs`);
    XLSX.read(bytes); // warm-up of the in-process floor
    await wb.load(bytes, { isolation: 'thread' });
    const times = { floor: [] as number[], load: [] as number[], thread: [] as number[] };
    const kinds = ['floor', 'load', 'thread'] as const;
    for (let i = 0; i < RUNS; i++) {
      for (let k = 0; k < kinds.length; k++) {
        const what = kinds[(i + k) % kinds.length]; // which one goes first rotates
        gc();
        const t = now();
        if (what === 'floor') {
          if (!XLSX.read(bytes).SheetNames.length) fail('empty read');
        } else {
          const r = await wb.load(bytes, { isolation: what === 'thread' ? 'thread' : 'process' });
          if (r.problems.length) fail('problems');
        }
        times[what].push(now() - t);
      }
    }
    const f = median(times.floor);
    const l = median(times.load);
    const th = median(times.thread);
    for (const k of kinds) log(`${fmt} ${k}: ${times[k].map((x) => x.toFixed(0)).join(' ')}`);
    emit(`${fmt}.floor`, 'ms', f, { what: 'XLSX.read(bytes) in process, default options', bytes: bytes.length, runs: RUNS });
    emit(`${fmt}.load`, 'ms', l, { what: 'workbook.load(bytes), default isolation (child process): SheetJS, rows back, model', runs: RUNS });
    emit(`${fmt}.ratio`, 'x', l / f, { goal: 1.5 });
    emit(`${fmt}.load-thread`, 'ms', th, { what: "workbook.load(bytes, { isolation: 'thread' })", runs: RUNS });
    emit(`${fmt}.ratio-thread`, 'x', th / f, { goal: 1.5 });

    // parts of a load, from the worker's time stamps
    const parts = new Map<string, number[]>();
    const add = (k: string, v: number) => (parts.get(k) ?? parts.set(k, []).get(k)!).push(v);
    for (let i = 0; i < RUNS; i++) {
      gc();
      const t0 = now();
      const r = await worker.readInWorker(new Uint8Array(bytes), {
        maxRows: 200000,
        maxCols: 1024,
        maxUnzippedBytes: 256 << 20,
        timeoutMs: 30000,
        maxCellChars: 32_767,
        maxReplyBytes: 64 << 20,
        resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 48, stackSizeMb: 4 },
        fillSheets: ['color'],
        sheets: ['comaster', 'ied', 'di', 'ai', 'varsys', 'com', 'textoevtipo', 'screens', 'eg', 'formulas', 'color'],
      });
      const t1 = now();
      if (!r.ok || !r.stamps) fail('reader failed');
      const s = r.stamps;
      const t2a = now();
      const built = wb.loadRows(r.sheets.map(worker.rawToRowSet));
      const t2 = now();
      if (built.problems.length) fail('problems in parts');
      add('worker-start+require', s.required - t0);
      add('sheetjs-read', s.read - s.required);
      add('sheetjs-styled-read', s.styled - s.read);
      add('extract-rows', s.extracted - s.styled);
      add('clone-back', t1 - s.extracted);
      add('build-model', t2 - t2a);
    }
    for (const [k, v] of parts) emit(`${fmt}.part.${k}`, 'ms', median(v), { runs: RUNS });
  }
}

main().catch((e) => fail((e as Error).stack ?? String(e)));
