/**
 * Workbook import (lib/project/workbook.ts): workbooks built here with SheetJS, written as .xlsx and as .xls
 * (BIFF8), loaded through the worker; CSV and JSON through the same builder; the example workbook; crafted files.
 */
import { describe, it, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Worker } from 'node:worker_threads';
import * as XLSX from 'xlsx';
import { load, loadCsv, loadJson, fromJson, normaliseLabels, parseCsv } from '../../lib/project/workbook';
import { liveReaders } from '../../lib/project/workbook-worker';
import { PointMapper } from '../../lib/points/mapping';
import { sharedStringBomb } from '../helpers/hostile-workbook';
import type { AiPoint, DiPoint, Problem, ProjectModel } from '../../lib/project/model';
import { mulberry32 } from '../../lib/sim/activity';
import { SimDevice } from '../../lib/sim/device';
import { decodeFrame, encodePoll } from '../../lib/mara';

const ROOT = path.resolve(__dirname, '..', '..');

type CellIn = string | number | boolean | { t: string; v: unknown; f?: string } | null;
interface SheetIn {
  name: string;
  rows: CellIn[][];
  fills?: [number, number, string][];
}
interface Gen {
  exampleSheets(): SheetIn[];
  writeXlsx(sheets: SheetIn[]): Buffer;
  writeXls(sheets: SheetIn[], opts?: { palette?: [number, string][] }): Buffer;
  COLOURS: [number, string, string, string][];
  EVENT_TEXTS: [number, number, string][];
}
const gen: Gen = require('../../scripts/make-example-workbook.js');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-workbook-test-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

/** Formula cell with its cached value. */
const F = (f: string, v: number | string) => ({ t: typeof v === 'number' ? 'n' : 's', v, f });
/** Error cell. */
const E = (code: number) => ({ t: 'e', v: code });

const FORMATS = ['xlsx', 'xls'] as const;
type Format = (typeof FORMATS)[number];
const write = (sheets: SheetIn[], fmt: Format, palette?: [number, string][]): Buffer =>
  fmt === 'xlsx' ? gen.writeXlsx(sheets) : gen.writeXls(sheets, { palette });

const where = (ps: Problem[]) => ps.map((p) => [p.sheet, p.row, p.column]);

/** Every object of the model has Object.prototype (or Array.prototype) and none of the dangerous own keys. */
function assertPlain(v: unknown, at = 'model'): void {
  if (typeof v !== 'object' || v === null) return;
  if (Array.isArray(v)) {
    assert.equal(Object.getPrototypeOf(v), Array.prototype, at);
    v.forEach((x, i) => assertPlain(x, `${at}[${i}]`));
    return;
  }
  assert.equal(Object.getPrototypeOf(v), Object.prototype, at);
  for (const k of Reflect.ownKeys(v)) {
    assert.ok(typeof k === 'string' && !['__proto__', 'constructor', 'prototype'].includes(k), `${at} has own key ${String(k)}`);
    assertPlain((v as Record<string, unknown>)[k], `${at}.${k}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// A workbook with every class of problem, plus the aliases and odd labels of old workbooks.
// ---------------------------------------------------------------------------------------------------------
function mixedSheets(): SheetIn[] {
  return [
    { name: 'Pendientes', rows: [['documentation sheet'], ['ignored']] },
    {
      name: 'comaster',
      rows: [
        ['id', 'ip_address', 'port', 'enabled'],
        [1, '127.0.0.1', 9761, 1],
        [1, '10.0.0.1', 9761, 1], // 3: duplicate id
        [2, '', 9761, 0], // 4: empty address
        [3, 'h', 70000, 1], // 5: port out of range
      ],
    },
    {
      name: 'ied',
      rows: [
        ['id', 'comaster_id', 'offset', 'can_varsys', 'can_dis', 'can_ais', 'rs485_address'],
        [1, 1, 1, 6, 2, 2, 1],
        [2, 9, 2, 0, 0, 0, 2], // 3: unknown COMaster
      ],
    },
    {
      name: 'DI', // sheet names are matched case-insensitively
      rows: [
        ['ID', 'IED_ID', 'Offset', 'Port', 'Bit', ' Tag ', 'Description', 'TipoDi', 'idTextoEv2', 'maskinv'],
        [1, 1, 0, 0, 0, 'S1252B01', 'Interruptor', 2, 0, 0],
        [2, 1, 1, 0, 1, 'S1252B01', 'duplicate', 0, 4, 0], // 3: duplicate tag
        [3, 7, 2, 0, 2, 'S1251_01', 'unknown ied', 0, 4, 0], // 4: unknown IED
        [], // 5: blank, skipped
        [4, 1, 3, 0, 40, 'S1251_02', 'bad bit', 0, 4, 0], // 6: bit out of range
        [5, 1, 4, 1, 0, 'S1152B01', 'outside the block', 2, 0, 0], // 7: input 16 of a 2-byte block
        [6, 1, 5, 0, 5, 'S1251_03', 'ok', '', '', 1], // 8: defaults
      ],
    },
    {
      name: 'ai',
      rows: [
        ['id', 'ied_id', 'offset', 'Channel', 'description', 'tag', 'unit', 'multip_asm', 'divider', 'RelTV', 'RelTI', 'Rel33-13', 'escala', 'escE'],
        [1, 1, 1, 0, 'Tensión', 'S12VV_00', 'kV', 33, 1796, 1, 1, 2.5, F('H2*J2/I2', 33 / 1796), 0.25],
        [2, 1, 2, 0, 'duplicate', 'S12VV_00', 'kV', 33, 1796, 1, 1, 1, 0.5, ''], // 3: duplicate tag
        [3, 1, 3, 0, 'bad', 'S12PA_00', 'kW', '', '', '', '', '', 'abc', ''], // 4: not a number
        [4, 1, 4, 1, 'error', 'S12PR_00', 'kVAr', '', '', '', '', '', E(7), ''], // 5: #DIV/0!
        [5, 1, 5, 0, 'ok', 'S11II_03', 'A', '', '', '', '', '', 0.1, ''],
        [6, 1, 6, 0, 'too many', 'S11II_04', 'A', '', '', '', '', '', 0.1, ''], // 7: beyond can_ais 2
      ],
    },
    {
      name: 'varsys',
      rows: [
        ['id', 'ied_id', 'bit', 'param'],
        [1, 1, 0, 'ComErrorL'],
      ],
    }, // no offset column
    {
      name: 'textoevtipo',
      rows: [
        ['id', 'IdTextoEv2', 'Value', 'TextoEv2'],
        [1, 0, 0, 'CERRADO'],
        [2, 0, 1, 'ABIERTO'],
        [3, 0, 1, 'otra'], // 4: duplicate
      ],
    },
    {
      name: 'screens',
      rows: [
        ['path', 'name', 'description', 'prefix', 'parent'],
        ['map.svg', 'MAP', 'Mapa', 'MAP', ''],
        ['s2.svg', 'S2', 'parent defined later', 'S12', 'S1'], // 3: parent not earlier
        ['s1.svg', 'S1', 'Subestación', 'S1', 'MAP'],
        ['../../etc/passwd', 'EVIL', 'x', 'EV', ''], // 5: unsafe path
      ],
    },
    {
      name: 'eg',
      rows: [
        ['id', 'tag', 'description', 'text', 'colbak', 'Stroke', 'mark', 'screen'],
        [1, 'S12BAR00', 'Barra', '', '', 3, '', ''],
        [2, 'S12TDB00', 'Titulo', 'BARRA 33 KV', 3, '', '', ''],
        [3, 'S12VV_00', 'Tensión', 33.2, 10, '', '', ''],
        [4, 'S12ETT00', 'Mapa', 0, 11, '', 1, 'MAP'],
        [5, 'S12BAR00', 'duplicate', '', '', '', '', ''], // 6: duplicate tag
        [6, 'S1289S01', 'bad mark', '1', '', 12, 16, ''], // 7: mark out of range
        [7, 'S1252B01', 'Interruptor', ' 1 ', 10, '', '', ''],
        [8, 'S1X', 'unknown screen', '', '', '', '', 'NOPE'], // 9
        [9, 'XX1', 'no prefix', '', '', '', '', ''], // 10
        [10, 'S11NDC03', 'number', 112, 3, '', '', ''],
      ],
    },
    {
      name: 'Formulas',
      rows: [
        ['disp', 'Var_eg', 'tabla', 'tag', 'atributo', 'Formula', 'f1', 'tabla', 'tag'],
        ['BAR', F('CONCATENATE(C2,D2,".",E2)', 'eg.S12BAR00.stroke'), 'eg.', 'S12BAR00', 'stroke', 'SI(float(eg.S12VV_00.text)>0.1,2,3)', '', 'x', 'y'],
        ['52B', '', 'eg.', 'S1252B01', 'fill', 'SI(di.S1252B01.value,6,3)'],
        ['', '', 'eg.', 'S1252B01', 'colbak', 'SI(1,2,3)'], // 4: attribute
        ['', '', 'eg.', 'S1MISSING', 'fill', 'SI(1,6,3)'], // 5: no such element
        ['', '', 'eg.', 'S1252B01', 'text', ''], // skipped: no formula
        ['', '', 'eg.', 'S1252B01', '', 'str(1)'], // skipped: no attribute
        ['', '', 'eg.', 'S1252B01', 'fill', 'SI(1,1,1)'], // 8: second fill formula
        ['', '', 'eg.', 'S12VV_00', 'TEXT', F('CONCATENATE("str(",1,")")', 'str(1)')],
      ],
    },
    {
      name: 'COLOR',
      rows: [
        ['id', 'id_col', 'color', 'description'],
        [1, 0, 'gris', 'Calificador > 0'],
        [2, 6, 'ROJO', 'alarma'],
        [3, 2, 'sin relleno', ''],
        [4, 6, 'duplicate', ''], // 5
        [5, 3, 'propio', 'custom palette entry in .xls'],
      ],
      fills: [
        [1, 2, '#c0c0c0'],
        [2, 2, '#ff0000'],
        [5, 2, '#141312'],
      ],
    },
  ];
}

const MIXED_PROBLEMS: [string, number | null, string | null, RegExp][] = [
  ['comaster', 3, 'id', /COMaster id 1 already defined in row 2/],
  ['comaster', 4, 'ip_address', /empty address/],
  ['comaster', 5, 'port', /70000 is out of range 1\.\.65535/],
  ['ied', 3, 'comaster_id', /unknown COMaster 9/],
  ['DI', 3, 'Tag', /tag S1252B01 already used in row 2/],
  ['DI', 4, 'IED_ID', /unknown IED 7/],
  ['DI', 6, 'Bit', /40 is out of range 0\.\.15/],
  ['DI', 7, 'Port', /outside IED 1's DI block/],
  ['ai', 3, 'tag', /tag S12VV_00 already used in row 2/],
  ['ai', 4, 'escala', /not a number: "abc"/],
  ['ai', 5, 'escala', /error value #DIV\/0!/],
  ['ai', 6, 'offset', /sends 2 AI words/], // the reserve of row 3 holds a word
  ['ai', 7, 'offset', /sends 2 AI words/],
  ['varsys', 1, 'offset', /missing required column offset.*sheet skipped/],
  ['textoevtipo', 4, 'Value', /text 0 value 1 already defined in row 3/],
  ['screens', 3, 'parent', /parent S1 is not a screen defined in an earlier row/],
  ['screens', 5, 'path', /relative to the workbook's folder/],
  ['eg', 6, 'tag', /tag S12BAR00 already used in row 2/],
  ['eg', 7, 'mark', /16 is out of range 0\.\.15/],
  ['eg', 9, 'screen', /unknown screen NOPE/],
  ['eg', 10, 'screen', /no screen for XX1/],
  ['Formulas', 4, 'atributo', /attribute "colbak" is not one of text, fill, stroke/],
  ['Formulas', 5, 'tag', /no element S1MISSING/],
  ['Formulas', 8, 'atributo', /S1252B01\.fill already has a formula in row 3/],
  ['COLOR', 5, 'id_col', /colour index 6 already defined in row 3/],
];

function checkMixed(model: ProjectModel, problems: Problem[], fmt: Format | 'csv'): void {
  assert.deepEqual(
    where(problems),
    MIXED_PROBLEMS.map(([s, r, c]) => [s, r, c]),
    JSON.stringify(problems, null, 1),
  );
  problems.forEach((p, i) => assert.match(p.message, MIXED_PROBLEMS[i][3]));

  assert.deepEqual(model.comasters, [{ id: '1', host: '127.0.0.1', port: 9761, enabled: true, row: 2 }]);
  assert.deepEqual(model.devices, [{ id: '1', comaster: '1', offset: 1, address: 1, svCount: 6, diCount: 2, aiCount: 2, row: 2 }]);
  const dis = model.points.filter((p): p is DiPoint => p.table === 'di');
  assert.deepEqual(dis, [
    {
      tag: 'S1252B01',
      table: 'di',
      device: '1',
      comaster: '1',
      offset: 0,
      description: 'Interruptor',
      port: 0,
      bit: 0,
      maskinv: 0,
      tipo: 2,
      textId: 0,
      row: 2,
    },
    // the duplicate keeps its bit as a reserve (untagged), so later DIs do not shift
    { tag: '', table: 'di', device: '1', comaster: '1', offset: 1, description: 'duplicate', port: 0, bit: 1, maskinv: 0, tipo: 0, textId: 4, row: 3 },
    { tag: 'S1251_03', table: 'di', device: '1', comaster: '1', offset: 5, description: 'ok', port: 0, bit: 5, maskinv: 1, tipo: 0, textId: null, row: 8 },
  ]);
  const ais = model.points.filter((p): p is AiPoint => p.table === 'ai');
  assert.deepEqual(
    ais.map((p) => [p.tag, p.row]),
    [
      ['S12VV_00', 2],
      ['', 3],
    ],
  );
  // aliases Rel33-13 → pesoP, escE → escalaE; cached value of a formula cell
  assert.deepEqual(
    { escala: ais[0].escala, escalaE: ais[0].escalaE, pesoP: ais[0].pesoP, multipAsm: ais[0].multipAsm, divider: ais[0].divider },
    { escala: 33 / 1796, escalaE: 0.25, pesoP: 2.5, multipAsm: 33, divider: 1796 },
  );
  assert.equal(model.points.filter((p) => p.table === 'sv').length, 0);
  // value 0 texts are kept (spec §6.3 fix)
  assert.deepEqual(model.eventTexts, [
    { textId: 0, value: 0, text: 'CERRADO', row: 2 },
    { textId: 0, value: 1, text: 'ABIERTO', row: 3 },
  ]);
  assert.deepEqual(
    model.screens.map((s) => [s.name, s.file, s.prefix, s.parent]),
    [
      ['MAP', 'map.svg', 'MAP', null],
      ['S1', 's1.svg', 'S1', 'MAP'],
    ],
  );
  const el = new Map(model.elements.map((e) => [e.tag, e]));
  // an unknown or missing screen keeps the element (listed by prefix, or under no screen)
  assert.deepEqual([...el.keys()], ['S12BAR00', 'S12TDB00', 'S12VV_00', 'S12ETT00', 'S1252B01', 'S1X', 'XX1', 'S11NDC03']);
  assert.deepEqual(
    [...el.values()].map((e) => [e.text, e.fill, e.stroke, e.mark, e.screen]),
    [
      ['', null, 3, null, 'S1'],
      ['BARRA 33 KV', 3, null, null, 'S1'], // text verbatim (the original blanked it)
      ['33.2', 10, null, null, 'S1'], // a number cell: no '%d' truncation
      ['0', 11, null, 1, 'MAP'], // explicit screen column honoured
      [' 1 ', 10, null, null, 'S1'],
      ['', null, null, null, 'S1'],
      ['', null, null, null, ''],
      ['112', 3, null, null, 'S1'], // integral number without decimals
    ],
  );
  assert.deepEqual(
    model.formulas.map((f) => [f.tag, f.attr, f.text, f.row]),
    [
      ['S12BAR00', 'stroke', 'SI(float(eg.S12VV_00.text)>0.1,2,3)', 2],
      ['S1252B01', 'fill', 'SI(di.S1252B01.value,6,3)', 3],
      ['S12VV_00', 'text', 'str(1)', 9],
    ],
  );
  // the formula of the missing element was not attached to the previous row's element (spec §9.6)
  assert.ok(!model.formulas.some((f) => f.text === 'SI(1,6,3)'));
  const css = fmt === 'csv' ? [null, null, null, null] : ['#c0c0c0', '#ff0000', null, '#141312'];
  assert.deepEqual(model.colours, [
    { index: 0, name: 'Gris', css: css[0], description: 'Calificador > 0', row: 2 },
    { index: 6, name: 'Rojo', css: css[1], description: 'alarma', row: 3 },
    { index: 2, name: 'Sin Relleno', css: css[2], description: '', row: 4 },
    { index: 3, name: 'Propio', css: css[3], description: 'custom palette entry in .xls', row: 6 },
  ]);
  assertPlain(model);
}

describe('workbook: labels and CSV', () => {
  it('normalises labels as spec §7.1', () => {
    assert.deepEqual(normaliseLabels(['A b', 'x-y', '', '_p', 'tabla', 'Tabla', 'TABLA', null, 33, ' Tag ', 'Rel33-13']), [
      'a_b',
      'x_y',
      'no_now_name',
      'column__p',
      'tabla',
      'tabla_1',
      'tabla_2',
      'no_now_name_1',
      '33',
      'tag',
      'rel33_13',
    ]);
  });

  it('parses CSV: quotes, CRLF, BOM, ; separator', () => {
    assert.deepEqual(parseCsv('\ufeffa,"b ""q"", c",d\r\n1,,"x\ny"\n'), [
      ['a', 'b "q", c', 'd'],
      ['1', '', 'x\ny'],
    ]);
    assert.deepEqual(parseCsv('a;b;c\n1,5;2;3'), [
      ['a', 'b', 'c'],
      ['1,5', '2', '3'],
    ]);
    assert.deepEqual(parseCsv(''), []);
  });
});

describe('workbook: mixed workbook with every problem class', () => {
  for (const fmt of FORMATS) {
    it(`${fmt}: problems with sheet/row/column; aliases; cached values; fills`, async () => {
      const file = path.join(tmp, `mixed.${fmt}`);
      fs.writeFileSync(file, write(mixedSheets(), fmt, [[58, '#141312']]));
      const { model, problems } = await load(file);
      checkMixed(model, problems, fmt);
      // the same bytes from a Buffer
      const again = await load(fs.readFileSync(file), { isolation: 'thread' });
      assert.deepEqual(again, { model, problems });
    });
  }

  it('xls (BIFF5, Excel 5/95): text in the workbook code page (cp1252) is decoded', async () => {
    // SheetJS writes BIFF5 with CODEPAGE 1252 but replaces non-ASCII by '_': put cp1252 bytes back in
    const XL = XLSX as unknown as { utils: typeof XLSX.utils; write: typeof XLSX.write };
    const wb = XL.utils.book_new();
    XL.utils.book_append_sheet(
      wb,
      XL.utils.aoa_to_sheet([
        ['path', 'name', 'prefix'],
        ['s1.svg', 'S1', 'S1'],
      ]),
      'screens',
    );
    XL.utils.book_append_sheet(
      wb,
      XL.utils.aoa_to_sheet([
        ['tag', 'description'],
        ['S1251_01', 'Protecci_n _ _cuba_ _'],
      ]),
      'eg',
    );
    const biff5 = XL.write(wb, { type: 'buffer', bookType: 'biff5' }) as Buffer;
    const cfb = XLSX.CFB.read(biff5, { type: 'buffer' });
    const book = XLSX.CFB.find(cfb, 'Book')!;
    const b = Buffer.from(book.content as Uint8Array);
    const at = b.indexOf(Buffer.from('Protecci_n _ _cuba_ _', 'latin1'));
    assert.ok(at > 0);
    Buffer.from([0x50, 0x72, 0x6f, 0x74, 0x65, 0x63, 0x63, 0x69, 0xf3, 0x6e, 0x20, 0x96, 0x20, 0x93, 0x63, 0x75, 0x62, 0x61, 0x94, 0x20, 0x80]).copy(b, at);
    book.content = b;
    const bytes = XLSX.CFB.write(cfb, { fileType: 'cfb', type: 'buffer' }) as Buffer;
    for (const isolation of ['process', 'thread'] as const) {
      const { model, problems } = await load(bytes, { isolation });
      assert.deepEqual(problems, []);
      assert.equal(model.elements[0].description, 'Protección – “cuba” €');
    }
  });

  it('csv: the same rows give the same model and problems (one code path)', () => {
    const csv = new Map<string, string>();
    for (const s of mixedSheets()) {
      const text = s.rows
        .map((r) =>
          r
            .map((c) => {
              const v = c && typeof c === 'object' ? (c.t === 'e' ? '#DIV/0!' : c.v) : c;
              const t = v === null || v === undefined ? '' : String(v);
              return /[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
            })
            .join(','),
        )
        .join('\r\n');
      csv.set(s.name, text);
    }
    const { model, problems } = loadCsv(csv);
    // a CSV has no error cells: '#DIV/0!' is text, so that problem reads "not a number"
    const i = problems.findIndex((p) => p.sheet === 'ai' && p.row === 5);
    assert.match(problems[i].message, /not a number: "#DIV\/0!"/);
    problems[i] = { ...problems[i], message: 'error value #DIV/0!' };
    checkMixed(model, problems, 'csv');
  });

  it('csv: colours from a css column; ; separator with decimal commas; duplicate sheets', () => {
    const { model, problems } = loadCsv({
      color: 'id_col;color;css\n0;gris;#C0C0C0\n1;ocre;ffcc00\n2;mal;#12',
      comaster: 'id;ip_address;port\n1;127.0.0.1;9761',
      ied: 'id;comaster_id;offset;can_varsys;can_dis;can_ais;rs485_address\n1;1;1;6;4;8;1',
      ai: 'ied_id;offset;tag;escala\n1;1;S12VV_00;0,5',
      AI: 'ied_id;offset;tag;escala\n1;1;X;1',
    });
    assert.deepEqual(
      model.colours.map((c) => [c.index, c.name, c.css]),
      [
        [0, 'Gris', '#c0c0c0'],
        [1, 'Ocre', '#ffcc00'],
      ],
    );
    assert.equal((model.points[0] as AiPoint).escala, 0.5);
    assert.deepEqual(where(problems), [
      ['AI', null, null],
      ['color', 4, 'css'],
    ]);
    assert.match(problems[0].message, /a second ai sheet/);
  });
});

describe('workbook: the example (examples/substation.xlsx / .xls)', () => {
  const files = { xlsx: path.join(ROOT, 'examples', 'substation.xlsx'), xls: path.join(ROOT, 'examples', 'substation.xls') };
  const models = new Map<string, ProjectModel>();

  before(async () => {
    for (const fmt of FORMATS) {
      const r = await load(files[fmt]);
      assert.deepEqual(r.problems, [], `${fmt}: ${JSON.stringify(r.problems)}`);
      models.set(fmt, r.model);
    }
  });

  it('is what scripts/make-example-workbook.js generates (byte for byte)', () => {
    const sheets = gen.exampleSheets();
    assert.ok(gen.writeXlsx(sheets).equals(fs.readFileSync(files.xlsx)), 'run node scripts/make-example-workbook.js');
    assert.ok(gen.writeXls(sheets, { palette: [[58, '#141312']] }).equals(fs.readFileSync(files.xls)), 'run node scripts/make-example-workbook.js');
  });

  it('loads with zero problems and the expected counts; .xlsx and .xls give the same model', () => {
    const m = models.get('xlsx')!;
    const count = (t: string) => m.points.filter((p) => p.table === t).length;
    assert.deepEqual(
      {
        comasters: m.comasters.length,
        devices: m.devices.length,
        di: count('di'),
        ai: count('ai'),
        sv: count('sv'),
        elements: m.elements.length,
        formulas: m.formulas.length,
        screens: m.screens.length,
        colours: m.colours.length,
        eventTexts: m.eventTexts.length,
        comEvents: m.comEvents?.length,
      },
      { comasters: 1, devices: 1, di: 32, ai: 8, sv: 6, elements: 70, formulas: 69, screens: 2, colours: 13, eventTexts: 15, comEvents: 2 },
    );
    assert.deepEqual(m.comasters, [{ id: '1', host: '127.0.0.1', port: 9761, enabled: true, row: 2 }]);
    assert.deepEqual(m.devices, [{ id: '1', comaster: '1', offset: 1, address: 1, svCount: 6, diCount: 4, aiCount: 8, row: 2 }]);
    assert.deepEqual(models.get('xls'), m);
    assertPlain(m);
  });

  it('has the colour table of spec §5.4 (fills) and the state texts of §6.3 (value 0 kept)', () => {
    const m = models.get('xlsx')!;
    assert.deepEqual(
      m.colours.map((c) => [c.index, c.name.toLowerCase(), c.css, c.description]),
      gen.COLOURS,
    );
    assert.deepEqual(
      m.eventTexts.map((t) => [t.textId, t.value, t.text]),
      gen.EVENT_TEXTS,
    );
  });

  it("takes each DI's tipo from tipodi and its text group from idTextoEv2 (spec §6.3 fix); every 51_ relay has its 52B breaker", () => {
    for (const fmt of FORMATS) {
      const dis = models.get(fmt)!.points.filter((p): p is DiPoint => p.table === 'di');
      const kind = (tag: string) => (/52B/.test(tag) ? 2 : /5[01][_N]|81_|27_/.test(tag) ? 0 : 1);
      for (const d of dis) assert.equal(d.tipo, kind(d.tag), `${fmt} ${d.tag}`);
      assert.deepEqual(
        [...new Set(dis.map((d) => `${d.tipo}:${d.textId}`))].sort(),
        ['0:4', '1:2', '1:5', '2:0'],
        `${fmt}: protections 4, alarms 5, earthing switches 2, breakers 0`,
      );
      const tags = new Set(models.get(fmt)!.elements.map((e) => e.tag));
      for (const d of dis) if (d.tag.includes('51_')) assert.ok(tags.has(d.tag.replace('51_', '52B')), `${fmt}: breaker of ${d.tag}`);
    }
    // the JSON form keeps them (the same builder)
    const back = loadJson(JSON.parse(JSON.stringify(models.get('xlsx'))));
    assert.deepEqual(
      back.model.points.filter((p) => p.table === 'di').map((p) => [(p as DiPoint).tipo, (p as DiPoint).textId]),
      models
        .get('xlsx')!
        .points.filter((p) => p.table === 'di')
        .map((p) => [(p as DiPoint).tipo, (p as DiPoint).textId]),
    );
  });

  it('every DI and AI has an element; every formula targets an element; screens MAP → S1', () => {
    const m = models.get('xlsx')!;
    const tags = new Set(m.elements.map((e) => e.tag));
    for (const p of m.points) if (p.table !== 'sv') assert.ok(tags.has(p.tag), p.tag);
    for (const f of m.formulas) assert.ok(tags.has(f.tag), f.tag);
    assert.deepEqual(
      m.screens.map((s) => [s.name, s.file, s.parent]),
      [
        ['MAP', 'map.svg', null],
        ['S1', 's1.svg', 'MAP'],
      ],
    );
    // the drawings beside the workbook in examples/ carry exactly the elements of their screen
    for (const s of m.screens) {
      const svg = fs.readFileSync(path.join(ROOT, 'examples', s.file), 'utf8');
      const drawn = new Set([...svg.matchAll(/\btag="([^"]*)"/g)].map((x) => x[1]));
      assert.deepEqual(
        [...drawn].sort(),
        m.elements
          .filter((e) => e.screen === s.name)
          .map((e) => e.tag)
          .sort(),
        s.file,
      );
    }
    const ett = m.elements.find((e) => e.tag === 'S12ETT00')!;
    assert.equal(ett.screen, 'MAP');
    assert.equal(ett.onClickJump, 'S1');
    assert.match(m.formulas.find((f) => f.tag === 'S12ETT00')!.text, /FILTRAR\(lambda x: x\.mark = 1, eg\)/);
    assert.ok(m.elements.filter((e) => e.tag !== 'S12ETT00').every((e) => e.screen === 'S1'));
    assert.deepEqual(m.elements.find((e) => e.tag === 'S1189S03')!.linkedTextChange, ['S1189I03']);
    assert.equal(m.elements.find((e) => e.tag === 'S12TDB00')!.text, 'BARRA 33 KV');
    assert.equal(m.elements.find((e) => e.tag === 'S11NDC03')!.text, '3');
  });

  it('matches what a simulated COMaster sends: DI n = port n>>4 bit n&15, AI word k = k-th offset', () => {
    const m = models.get('xlsx')!;
    const dev = m.devices[0];
    const dis = m.points.filter((p): p is DiPoint => p.table === 'di').sort((a, b) => a.offset - b.offset);
    const ais = m.points.filter((p): p is AiPoint => p.table === 'ai').sort((a, b) => a.offset - b.offset);
    dis.forEach((p, n) => assert.deepEqual([p.offset, p.port, p.bit], [n, n >> 4, n & 15], p.tag));

    const sim = new SimDevice({ address: dev.address });
    assert.deepEqual([sim.sv.length, sim.di.length, sim.ai.length], [dev.svCount, dev.diCount, dev.aiCount]);
    const feeder3 = dis.findIndex((p) => p.tag === 'S1152B03');
    sim.setDi(feeder3, true);
    sim.setAi(0, 1796);
    const reply = decodeFrame(sim.handle(decodeFrame(encodePoll({ dst: dev.address, seq: 0x80 })))!).reply!;
    assert.equal(reply.diBits.length, dis.length);
    const on = dis.filter((_, n) => reply.diBits[n]).map((p) => p.tag);
    assert.deepEqual(on, ['S1152B03']);
    assert.deepEqual([feeder3 >> 4, feeder3 & 15], [1, 0]);
    assert.equal(reply.ai.length, ais.length);
    assert.equal(ais[0].tag, 'S12VV_00');
    assert.equal(Number((reply.ai[0].value * ais[0].escala).toFixed(6)), 33);
  });

  it('round-trips through JSON (loadJson) unchanged, with no problems', () => {
    const m = models.get('xlsx')!;
    const r = loadJson(JSON.parse(JSON.stringify(m)));
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.model, m);
    assert.equal(fromJson, loadJson);
  });

  it('a file holding the JSON model is read as JSON', async () => {
    const file = path.join(tmp, 'model.json');
    fs.writeFileSync(file, JSON.stringify(models.get('xlsx')));
    const r = await load(file);
    assert.deepEqual(r, { model: models.get('xlsx'), problems: [] });
  });
});

describe('workbook: JSON model validation', () => {
  it('reports problems by array, position and field; nothing half-imported', () => {
    const { model, problems } = loadJson({
      comasters: [{ id: '1', host: 'h', port: 9761, enabled: true, row: 7 }],
      devices: [{ id: 'd1', comaster: '1', offset: 1, address: 1, svCount: 6, diCount: 4, aiCount: 8 }],
      points: [
        { tag: 'A', table: 'di', device: 'd1', offset: 0, port: 0, bit: 0 },
        { tag: 'B', table: 'di', device: 'nope', offset: 1, port: 0, bit: 1 },
        { tag: 'C', table: 'xx' },
        'not an object',
        { tag: 'D', table: 'ai', device: 'd1', comaster: '2', offset: 1, escala: 1 },
        { tag: 'E', table: 'ai', device: 'd1', offset: 2, escala: { x: 1 } },
      ],
      elements: [{ tag: 'A', text: 5, linkedTextChange: ['A'] }],
    });
    // values that are no cells at all are found first, then the rules of the sheets (di before ai)
    assert.deepEqual(where(problems), [
      ['points', 3, 'table'],
      ['points', 4, null],
      ['points', 6, 'escala'],
      ['points', 2, 'device'],
      ['points', 5, 'comaster'],
      ['elements', 1, 'linkedTextChange'],
    ]);
    assert.equal(model.comasters[0].row, 7);
    assert.deepEqual(
      model.points.map((p) => p.tag),
      ['A'],
    );
    // the bad link is left out, the element stays
    assert.deepEqual(
      model.elements.map((e) => [e.tag, e.linkedTextChange]),
      [['A', []]],
    );
  });

  it('non-objects and pollution attempts', () => {
    assert.deepEqual(where(loadJson(null).problems), [['', null, null]]);
    assert.deepEqual(where(loadJson([]).problems), [['', null, null]]);
    assert.deepEqual(where(loadJson({}).problems), [['', null, null]]);
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const evil = JSON.parse(
      '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"elements":[{"__proto__":{"polluted":1},"tag":"__proto__","text":"constructor","description":"prototype"}],"screens":{"__proto__":[]}}',
    );
    const r = loadJson(evil);
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), before);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    // texts may be anything; a tag follows the tag grammar (lib/project/tag.ts), which refuses __proto__ & co
    assert.deepEqual(r.model.elements, []);
    assert.deepEqual(where(r.problems), [
      ['screens', null, null],
      ['elements', 1, 'tag'],
    ]);
    assertPlain(r.model);
    const c = loadCsv(JSON.parse('{"__proto__":"tag\\nx","eg":"tag,__proto__,constructor\\nX__proto__,1,2"}'));
    assert.deepEqual(
      c.model.elements.map((e) => e.tag),
      ['X__proto__'],
    );
    assertPlain(c.model);
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), before);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Crafted and broken files
// ---------------------------------------------------------------------------------------------------------

/** A zip of already-deflated entries; `usz` may lie (declared size). */
function zipOf(entries: { name: string; deflated: Buffer; usz: number; crc: number }[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let off = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(0, 6);
    h.writeUInt16LE(8, 8);
    h.writeUInt16LE(0, 10);
    h.writeUInt16LE(0x21, 12);
    h.writeUInt32LE(e.crc >>> 0, 14);
    h.writeUInt32LE(e.deflated.length, 18);
    h.writeUInt32LE(e.usz >>> 0, 22);
    h.writeUInt16LE(name.length, 26);
    h.writeUInt16LE(0, 28);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0, 8);
    c.writeUInt16LE(8, 10);
    c.writeUInt16LE(0, 12);
    c.writeUInt16LE(0x21, 14);
    c.writeUInt32LE(e.crc >>> 0, 16);
    c.writeUInt32LE(e.deflated.length, 20);
    c.writeUInt32LE(e.usz >>> 0, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(off, 42);
    parts.push(h, name, e.deflated);
    central.push(c, name);
    off += 30 + name.length + e.deflated.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(off, 16);
  return Buffer.concat([...parts, cd, end]);
}

/** The entries of an .xlsx, for rebuilding it. */
function entriesOf(xlsx: Buffer): { name: string; content: Buffer }[] {
  const z = XLSX.CFB.read(xlsx, { type: 'buffer' });
  const out: { name: string; content: Buffer }[] = [];
  z.FileIndex.forEach((f: { type: number; name: string; content: unknown }, i: number) => {
    if (f.type !== 2 || !f.content || f.name === '\u0001Sh33tJ5') return;
    out.push({ name: z.FullPaths[i].replace(/^Root Entry\//, ''), content: Buffer.from(f.content as Uint8Array) });
  });
  return out;
}

function rezip(entries: { name: string; content: Buffer }[]): Buffer {
  return zipOf(entries.map((e) => ({ name: e.name, deflated: zlib.deflateRawSync(e.content), usz: e.content.length, crc: zlib.crc32(e.content) })));
}

/** A small valid workbook: one COMaster, one IED, `n` DIs. */
function diSheets(n: number): SheetIn[] {
  const di: CellIn[][] = [['ied_id', 'offset', 'port', 'bit', 'tag', 'description']];
  for (let i = 0; i < n; i++) di.push([1, i, i >> 4, i & 15, `T${String(i).padStart(6, '0')}`, `Entrada digital número ${i} de la prueba`]);
  return [
    {
      name: 'comaster',
      rows: [
        ['id', 'ip_address', 'port'],
        [1, '127.0.0.1', 9761],
      ],
    },
    {
      name: 'ied',
      rows: [
        ['id', 'comaster_id', 'offset', 'can_varsys', 'can_dis', 'can_ais', 'rs485_address'],
        [1, 1, 1, 0, 245, 0, 1],
      ],
    },
    { name: 'di', rows: di },
  ];
}

const ISOLATIONS = ['process', 'thread'] as const;

describe('workbook: crafted and broken files', () => {
  let protoBefore: string[];
  before(() => {
    protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
  });
  const protoUnchanged = () => {
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoBefore);
    assert.equal(({} as Record<string, unknown>).c, undefined);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  };

  for (const fmt of FORMATS) {
    it(`${fmt}: __proto__ / constructor / prototype as sheet names, labels and values (process and thread)`, async () => {
      const sheets: SheetIn[] = [
        {
          name: 'ZZPROTOZZ',
          rows: [
            ['__proto__', 'polluted'],
            ['polluted', 1],
          ],
        }, // renamed to __proto__ below
        { name: 'constructor', rows: [['prototype'], ['x']] },
        { name: 'prototype', rows: [['constructor'], ['y']] },
        {
          name: 'screens',
          rows: [
            ['path', 'name', 'prefix', 'parent'],
            ['p.svg', '__proto__', '', ''],
            ['c.svg', 'constructor', 'con', '__proto__'],
          ],
        },
        {
          name: 'eg',
          rows: [
            ['__proto__', 'tag', 'constructor', 'text', 'prototype', 'screen', 'hasOwnProperty'],
            ['a', '__proto__', 'b', 'constructor', 'c', '__proto__', 'd'],
            ['a', 'constructor', 'b', '__proto__', 'c', '', 'd'],
          ],
        },
        {
          name: 'formulas',
          rows: [
            ['tag', 'atributo', 'Formula', '__proto__'],
            ['__proto__', 'text', 'str(1)', 'x'],
            ['constructor', '__proto__', 'x', ''],
          ],
        },
      ];
      let bytes = write(sheets, fmt);
      if (fmt === 'xlsx') {
        bytes = rezip(
          entriesOf(bytes).map((e) => ({ name: e.name, content: Buffer.from(e.content.toString('latin1').split('ZZPROTOZZ').join('__proto__'), 'latin1') })),
        );
      } else {
        const cfb = XLSX.CFB.read(bytes, { type: 'buffer' });
        const wbk = XLSX.CFB.find(cfb, 'Workbook')!;
        const b = Buffer.from(wbk.content as Uint8Array);
        // the BOUNDSHEET name (8-bit) and the CodeName record (UTF-16)
        let n = 0;
        for (const enc of ['latin1', 'utf16le'] as const) {
          const from = Buffer.from('ZZPROTOZZ', enc);
          for (let at = b.indexOf(from); at >= 0; at = b.indexOf(from, at + 1), n++) Buffer.from('__proto__', enc).copy(b, at);
        }
        assert.ok(n >= 1);
        wbk.content = b;
        bytes = XLSX.CFB.write(cfb, { fileType: 'cfb', type: 'buffer' }) as Buffer;
      }
      assert.ok(XLSX.read(bytes, { bookSheets: true }).SheetNames.includes('__proto__'));
      for (const isolation of ISOLATIONS) {
        const { model, problems } = await load(bytes, { isolation });
        protoUnchanged();
        assertPlain(model);
        assert.deepEqual(
          model.screens.map((s) => [s.name, s.parent]),
          [
            ['__proto__', null],
            ['constructor', '__proto__'],
          ],
        );
        // screen names and texts may be anything; tags follow the tag grammar, which refuses these
        assert.deepEqual(model.elements, []);
        assert.deepEqual(model.formulas, []);
        // (a refused tag of a formula is also "no element" with that tag)
        assert.deepEqual(where(problems), [
          ['eg', 2, 'tag'],
          ['eg', 3, 'tag'],
          ['formulas', 2, 'tag'],
          ['formulas', 2, 'tag'],
          ['formulas', 3, 'tag'],
          ['formulas', 3, 'atributo'],
          ['formulas', 3, 'tag'],
        ]);
      }
    });
  }

  it('xlsx: the CVE-2023-30533 payload (comment ref="__proto__") pollutes a plain XLSX.read, not us', async () => {
    const sheets = diSheets(3);
    const ws = XLSX.utils.aoa_to_sheet(sheets[2].rows as unknown[][]);
    (ws.A2 as XLSX.CellObject).c = [{ a: 'me', t: 'hello' }] as XLSX.Comments;
    const wb = XLSX.utils.book_new();
    for (const s of sheets.slice(0, 2)) XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(s.rows as unknown[][]), s.name);
    XLSX.utils.book_append_sheet(wb, ws, 'di');
    const entries = entriesOf(XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer);
    const comments = entries.find((e) => /comments\d*\.xml$/.test(e.name))!;
    comments.content = Buffer.from(comments.content.toString('utf8').replace('ref="A2"', 'ref="__proto__"'));
    const bytes = rezip(entries);
    // sanity: the payload is real — a default XLSX.read in a throwaway worker gets Object.prototype.c
    const polluted = await new Promise((resolve, reject) => {
      const w = new Worker(
        `const { parentPort, workerData } = require('node:worker_threads'); const X = require(workerData.p);
         X.read(Buffer.from(workerData.b)); parentPort.postMessage(Array.isArray(({}).c));`,
        { eval: true, execArgv: [], workerData: { p: require.resolve('xlsx'), b: bytes } },
      );
      w.once('message', resolve);
      w.once('error', reject);
    });
    assert.equal(polluted, true);
    for (const isolation of ISOLATIONS) {
      const { model, problems } = await load(bytes, { isolation });
      protoUnchanged();
      assertPlain(model);
      assert.deepEqual(problems, []);
      assert.equal(model.points.length, 3);
    }
  });

  it('xlsx: a zip bomb (also with lying sizes) is stopped by the decompression budget', async () => {
    const entries = entriesOf(gen.writeXlsx(diSheets(5)));
    // 300 MiB of zeros as a media entry: SheetJS inflates every entry of the archive
    const chunk = Buffer.alloc(1 << 20);
    const d = zlib.createDeflateRaw({ level: 9 });
    const out: Buffer[] = [];
    d.on('data', (b: Buffer) => out.push(b));
    const done = new Promise((r) => d.on('end', r));
    let crc = 0;
    for (let i = 0; i < 300; i++) {
      d.write(chunk);
      crc = zlib.crc32(chunk, crc);
    }
    d.end();
    await done;
    const bomb = Buffer.concat(out);
    assert.ok(bomb.length < 2 << 20, `${bomb.length}`);
    const z = (usz: number) =>
      zipOf([
        ...entries.map((e) => ({ name: e.name, deflated: zlib.deflateRawSync(e.content), usz: e.content.length, crc: zlib.crc32(e.content) })),
        { name: 'xl/media/image1.png', deflated: bomb, usz, crc },
      ]);
    for (const [usz, isolation] of [
      [300 << 20, 'process'],
      [1000, 'process'],
      [1000, 'thread'],
    ] as const) {
      const t = Date.now();
      const { model, problems } = await load(z(usz), { isolation });
      assert.deepEqual(where(problems), [['', null, null]]);
      assert.match(problems[0].message, /decompresses to more than 268435456 bytes/);
      assert.deepEqual(model.points, []);
      assert.ok(Date.now() - t < 10000);
    }
    const small = await load(gen.writeXlsx(diSheets(5)), { maxUnzippedBytes: 1000 });
    assert.match(small.problems[0].message, /maxUnzippedBytes/);
  });

  it('xlsx: a huge declared dimension reads only the cells there are', async () => {
    const entries = entriesOf(gen.writeXlsx(diSheets(5)));
    for (const e of entries)
      if (/sheet\d+\.xml$/.test(e.name)) e.content = Buffer.from(e.content.toString().replace(/<dimension ref="[^"]*"\/>/, '<dimension ref="A1:XFD1048576"/>'));
    const { model, problems } = await load(rezip(entries));
    assert.deepEqual(problems, []);
    assert.equal(model.points.length, 5);
  });

  let big: { xlsx: Buffer; xls: Buffer };
  const bigSheets = () => diSheets(3000);
  before(() => {
    const s = bigSheets();
    big = { xlsx: gen.writeXlsx(s), xls: gen.writeXls(s) };
  });

  for (const fmt of FORMATS) {
    it(`${fmt}: rows and columns beyond maxRows / maxCols are capped with a problem`, async () => {
      const { model, problems } = await load(big[fmt], { maxRows: 1000 });
      assert.deepEqual(where(problems).slice(0, 1), [['di', 1002, null]]);
      assert.match(problems[0].message, /more than 1000 data rows \(maxRows\): only rows 2-1001 were read/);
      assert.equal(model.points.length, 1000);
      const wide = diSheets(2);
      wide[2].rows[1][40] = 'far away';
      const w = await load(write(wide, fmt), { maxCols: 20 });
      assert.deepEqual(where(w.problems), [['di', null, null]]);
      assert.equal(w.model.points.length, 2);
    });
  }

  for (const isolation of ISOLATIONS) {
    it(`${isolation}: the reader is memory-limited: past resourceLimits the load gives a problem`, async () => {
      // 30 M characters of text in a 600 kB file
      const rows: CellIn[][] = [['tag', 'description', 'a', 'b', 'c', 'd']];
      for (let i = 0; i < 3000; i++) rows.push([`T${i}`, ...'xyzwv'.split('').map((ch) => ch.repeat(2000) + i)]);
      const fat = gen.writeXlsx([{ name: 'eg', rows }]);
      const limits = { maxOldGenerationSizeMb: 24 };
      const small = await load(path.join(ROOT, 'examples', 'substation.xlsx'), { resourceLimits: limits, isolation });
      assert.deepEqual(small.problems, []);
      const { model, problems } = await load(fat, { resourceLimits: limits, isolation });
      assert.deepEqual(where(problems), [['', null, null]]);
      assert.match(problems[0].message, /more memory than the reader may use \(maxOldGenerationSizeMb 24\)/);
      assert.deepEqual(model.elements, []);
      assert.equal((await load(fat, { isolation })).model.elements.length, 3000);
    });

    it(`${isolation}: the reader is terminated on timeout`, async () => {
      const t = Date.now();
      const { model, problems } = await load(big.xls, { timeoutMs: 30, isolation });
      assert.ok(Date.now() - t < 2000);
      assert.deepEqual(where(problems), [['', null, null]]);
      assert.match(problems[0].message, /timed out.*30 ms.*terminated/);
      assert.deepEqual(model, { comasters: [], devices: [], points: [], elements: [], formulas: [], screens: [], colours: [], eventTexts: [] });
      for (let i = 0; i < 200 && liveReaders() > 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(liveReaders(), 0);
    });
  }

  it('process: a workbook that exhausts the default heap (256 MB) gives a problem; this process lives on', async () => {
    // one sheet of 200 MB of XML (under the 256 MiB unzip budget) in a zip of a few hundred kB; in a worker
    // thread the same file can abort the whole process (FATAL ERROR: Reached heap limit, nodejs/node#47224)
    const entries = entriesOf(gen.writeXlsx(diSheets(2)));
    const sheet = entries.find((e) => e.name === 'xl/worksheets/sheet3.xml')!;
    const row = Buffer.from(`<row><c t="inlineStr"><is><t>${'x'.repeat(1000)}</t></is></c></row>`);
    const n = 200_000;
    const head = Buffer.from(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
    );
    const tail = Buffer.from('</sheetData></worksheet>');
    const d = zlib.createDeflateRaw({ level: 6 });
    const out: Buffer[] = [];
    d.on('data', (b: Buffer) => out.push(b));
    const ended = new Promise((r) => d.on('end', r));
    let crc = zlib.crc32(head);
    d.write(head);
    const block = Buffer.concat(Array(1000).fill(row));
    for (let i = 0; i < n / 1000; i++) {
      d.write(block);
      crc = zlib.crc32(block, crc);
    }
    d.write(tail);
    crc = zlib.crc32(tail, crc);
    d.end();
    await ended;
    const usz = head.length + row.length * n + tail.length;
    const others = entries
      .filter((e) => e !== sheet)
      .map((e) => ({ name: e.name, deflated: zlib.deflateRawSync(e.content), usz: e.content.length, crc: zlib.crc32(e.content) }));
    const bytes = zipOf([...others, { name: sheet.name, deflated: Buffer.concat(out), usz, crc }]);
    const { model, problems } = await load(bytes);
    assert.deepEqual(where(problems), [['', null, null]]);
    assert.match(problems[0].message, /more memory than the reader may use \(maxOldGenerationSizeMb 256\)/);
    assert.deepEqual(model.points, []);
  });

  it('truncated, random, empty, missing, oversized, wrong-type inputs: one clear problem, never a rejection', async () => {
    const ok = fs.readFileSync(path.join(ROOT, 'examples', 'substation.xlsx'));
    const okXls = fs.readFileSync(path.join(ROOT, 'examples', 'substation.xls'));
    const rnd = mulberry32(1234);
    const random = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));
    const cases: [string, unknown, RegExp, object?][] = [
      ['truncated xlsx', ok.subarray(0, ok.length >> 1), /cannot read the workbook/],
      ['truncated xls', okXls.subarray(0, okXls.length >> 1), /cannot read the workbook/],
      ['random bytes', random(5000), /not an Excel workbook/],
      ['zip magic + random', Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), random(5000)]), /cannot read the workbook/],
      ['OLE2 magic + random', Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), random(5000)]), /cannot read the workbook/],
      ['CSV text', Buffer.from('tag,description\nA,B\n'), /not an Excel workbook/],
      ['HTML', Buffer.from('<html><table><tr><td>1</td></tr></table></html>'), /not an Excel workbook/],
      ['empty buffer', Buffer.alloc(0), /the file is empty/],
      ['broken JSON', Buffer.from('{"comasters": ['), /not valid JSON/],
      ['oversized', ok, /above the limit of 1000 \(maxBytes\)/, { maxBytes: 1000 }],
      ['number', 42, /expected a file path or a Buffer/],
      ['null', null, /expected a file path or a Buffer/],
    ];
    const empty = path.join(tmp, 'empty.xlsx');
    fs.writeFileSync(empty, '');
    cases.push(['empty file', empty, /the file is empty/]);
    cases.push(['missing file', path.join(tmp, 'nope.xlsx'), /cannot read .*nope\.xlsx: no such file/]);
    cases.push(['a directory', tmp, /not a file/]);
    cases.push(['oversized file', path.join(ROOT, 'examples', 'substation.xls'), /above the limit/, { maxBytes: 100 }]);
    for (const isolation of ISOLATIONS)
      for (const [what, src, re, opts] of cases) {
        const r = await load(src as Buffer, { ...opts, isolation });
        assert.deepEqual(where(r.problems), [['', null, null]], `${isolation} ${what}`);
        assert.match(r.problems[0].message, re, `${isolation} ${what}`);
        assert.deepEqual(r.model.points, [], what);
      }
    protoUnchanged();
  });

  it('a workbook without any Mara sheet says so', async () => {
    const r = await load(write([{ name: 'Hoja1', rows: [['a'], [1]] }], 'xlsx'));
    assert.deepEqual(where(r.problems), [['', null, null]]);
    assert.match(r.problems[0].message, /no sheet of a Mara workbook/);
  });

  it('parallel loads do not interfere', async () => {
    const rs = await Promise.all(
      FORMATS.flatMap((f, i) => [
        load(write(mixedSheets(), f, [[58, '#141312']]), { isolation: ISOLATIONS[i] }),
        load(path.join(ROOT, 'examples', `substation.${f}`), { isolation: ISOLATIONS[1 - i] }),
      ]),
    );
    checkMixed(rs[0].model, rs[0].problems, 'xlsx');
    checkMixed(rs[2].model, rs[2].problems, 'xls');
    assert.deepEqual(rs[1], rs[3]);
  });
});

describe('workbook: a small file with huge shared strings (issue 10 item 1)', () => {
  for (const isolation of ['process', 'thread'] as const) {
    it(`${isolation}: one 8 MB shared string in 300 cells (a 13 KB file) gives a problem per cell, not gigabytes`, async () => {
      const file = sharedStringBomb(8 * 1024 * 1024, 300);
      assert.ok(file.length < 128 * 1024, `the file is ${file.length} bytes`);
      const before = process.memoryUsage().rss;
      const { model, problems } = await load(file, { isolation });
      const long = problems.filter((p) => /above the limit of 32767 \(maxCellChars\)/.test(p.message));
      assert.equal(long.length, 300, JSON.stringify(problems.slice(0, 3)));
      assert.deepEqual([long[0].sheet, long[0].row, long[0].column], ['eg', 2, 'description']);
      assert.match(long[0].message, /^cell B2 holds 8388608 characters/);
      assert.equal(model.elements.length, 300, 'the rows are kept, the long cell read as empty');
      assert.equal(model.elements[0].description, '');
      // the parent never held the copies (300 × 16 MB of UTF-16); generous: GC timing varies
      assert.ok(process.memoryUsage().rss - before < 400 * 1024 * 1024, 'parent memory');
    });
  }

  it('the reply is capped as a whole (maxReplyBytes), naming the cell where the cap was reached', async () => {
    const file = sharedStringBomb(1000, 300);
    for (const isolation of ['process', 'thread'] as const) {
      const { model, problems } = await load(file, { isolation, maxReplyBytes: 100_000 });
      assert.equal(model.elements.length, 0);
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.match(problems[0].message, /larger than 100000 bytes \(maxReplyBytes; the rows read up to sheet "eg" cell B\d+ exceed 100000 bytes\): not read/);
    }
    // within the defaults the same file reads without problems
    const ok = await load(file);
    assert.deepEqual(ok.problems, []);
    assert.equal(ok.model.elements.length, 300);
  });

  it('maxCellChars is an option', async () => {
    const { problems } = await load(sharedStringBomb(50, 2), { maxCellChars: 20 });
    assert.deepEqual(where(problems), [
      ['eg', 2, 'description'],
      ['eg', 3, 'description'],
    ]);
  });
});

describe('workbook: tags follow one grammar (issue 10 item 3)', () => {
  it('__proto__, constructor, prototype and bad characters are problems with their row; Object.prototype stays clean', () => {
    const { model, problems } = loadCsv({
      eg: 'tag,text\nOK1,1\n__proto__,X\nconstructor,X\nprototype,X\n__x,X\na b,X\nE4152B04,2\n' + 'T'.repeat(65) + ',X',
      formulas: 'tag,attr,formula\n__proto__,text,1\nOK1,text,2',
    });
    assert.deepEqual(
      model.elements.map((e) => e.tag),
      ['OK1', 'E4152B04'],
    );
    assert.deepEqual(
      problems.filter((p) => p.sheet === 'eg').map((p) => [p.row, p.column]),
      [
        [3, 'tag'],
        [4, 'tag'],
        [5, 'tag'],
        [6, 'tag'],
        [7, 'tag'],
        [9, 'tag'],
      ],
    );
    assert.match(problems.find((p) => p.row === 3)!.message, /reserved/);
    assert.match(problems.find((p) => p.row === 9)!.message, /longer than 64 characters/);
    assert.ok(
      problems.some((p) => p.sheet === 'formulas' && p.row === 2),
      JSON.stringify(problems),
    );
    assert.equal(({} as Record<string, unknown>).text, undefined);
    assert.equal(Object.getOwnPropertyNames(Object.prototype).includes('text'), false);
  });

  it('a point table (mara points without a project) goes through the same rule', () => {
    assert.throws(
      () => PointMapper.fromTable([{ tag: '__proto__', table: 'ai', index: 0 }]),
      (e: Error & { code?: string }) => e.code === 'EINVAL' && /reserved/.test(e.message),
    );
    assert.equal(PointMapper.fromTable([{ tag: 'E42VV_00', table: 'ai', index: 0 }]).size, 1);
  });

  it('the JSON model goes through the same rule', () => {
    const { model, problems } = loadJson({
      elements: [
        { tag: '__proto__', text: 'X' },
        { tag: 'GOOD', text: '1' },
      ],
    });
    assert.deepEqual(
      model.elements.map((e) => e.tag),
      ['GOOD'],
    );
    assert.deepEqual(where(problems), [['elements', 1, 'tag']]);
  });
});
