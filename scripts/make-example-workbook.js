'use strict';
/**
 * Generates examples/substation.xlsx and examples/substation.xls: the configuration workbook (docs/workbook.md §7) of a
 * small made-up substation S1 (33 / 13.2 kV), matching what the simulated COMaster sends.
 *
 *   node scripts/make-example-workbook.js [outDir]
 *
 * Deterministic: the same bytes on every run. Also a module (tests and the benchmark build workbooks with it):
 * exampleSheets(), writeXlsx(sheets), writeXls(sheets, { palette }), DEFAULT_PALETTE.
 *
 * SheetJS Community Edition writes no cell styles (.xlsx nor .xls), and the colour table's RGB is the
 * background fill of its cells (docs/workbook.md §7.9): the fills are therefore patched in after writing — styles.xml and the
 * cells' `s` attribute in the .xlsx zip; new XF records (solid pattern, palette index) and a PALETTE record in the
 * .xls BIFF8 stream. The .xls holds cached values only (SheetJS writes no BIFF8 formulas).
 *
 * Mapping to the COMaster's 0x10 reply (docs/protocol.md §5.3, docs/screens.md §5.4, docs/protocol.md §8.1, docs/protocol.md §8.2), the only IED being the COMaster's
 * own inputs (address 1: 6 SV bytes, 4 DI bytes = 2 ports, 8 AI words):
 *   DI n (bit n of the DI block, LSB first) = port n >> 4, bit n & 15; the sheet lists all 32 inputs in that
 *   order, so "n-th configured DI" and (port, bit) agree.
 *   AI word k (little-endian) = the AI with the k-th smallest offset (offsets 1…8).
 *   SV byte k = varsys offset k (ComErrorL, ComErrorH, SesgoL, SesgoH, ClockError, UartError).
 * Screens: MAP = map.svg, S1 = s1.svg, beside the workbook in examples/ (no sub-folder: Node-RED lists every
 * folder of examples/ in its Import menu); every element of the eg sheet is a tag="…" node of its screen's drawing and the other
 * way round.
 */
const fs = require('node:fs');
const path = require('node:path');
const XLSX = require('xlsx');

const SITE = 'S1';
const IED = 1;
const COMASTER = 1;

/** Colour table of docs/screens.md §5.4: index, name, css, description. */
const COLOURS = [
  [0, 'gris', '#c0c0c0', 'Calificador > 0'],
  [1, 'ocre', '#ffcc00', 'Tensión 13.2 kV'],
  [2, 'violeta', '#cc99ff', 'Tensión 33 kV'],
  [3, 'blanco', '#ffffff', 'neutro'],
  [4, 'amarillo', '#ffff99', 'fondo texto medidas'],
  [5, 'azul', '#3366ff', 'int abierto'],
  [6, 'rojo', '#ff0000', 'int abierto disparo'],
  [7, 'negro', '#000000', 'color de blinking'],
  [8, 'blanco', '#ffffff', 'color normal texto'],
  [9, 'turquesa', '#99ccff', 'color tensión > 100'],
  [10, 'negro', '#000000', 'negro fondo / texto blanco'],
  [11, 'verde', '#99cc00', 'otro neutro'],
  [12, 'gris', '#c0c0c0', ''],
];

/**
 * State texts (textoevtipo, docs/screens.md §6.3). The real table of the original installation reads
 * 0 CERRADO / 1 ABIERTO for breakers and 0 ACTUADA / 1 NORMAL for protections and alarms; this made-up substation
 * is wired the other way round (a breaker DI is 1 when closed, a relay DI 1 when it has tripped, which is also
 * the value the trip hook of docs/screens.md §6.3 reacts to), so its texts follow its wiring and the journal reads right.
 */
const EVENT_TEXTS = [
  [0, 0, 'ABIERTO'],
  [0, 1, 'CERRADO'],
  [1, 0, 'ALTA'],
  [1, 1, 'BAJA'],
  [2, 0, 'CONECTADO'],
  [2, 1, 'DESCONECTADO'],
  [3, 0, 'Str(eventcom.value)'],
  [4, 0, 'NORMAL'],
  [4, 1, 'ACTUADA'],
  [5, 0, 'NORMAL'],
  [5, 1, 'ACTUADO'],
  [6, 0, 'DELTA MIN'],
  [6, 1, 'DELTA MAX'],
  [7, 0, 'VALOR MIN'],
  [7, 1, 'VALOR MAX'],
];

const T = (level, cls, bay) => `${SITE}${level}${cls}${String(bay).padStart(2, '0')}`;

/**
 * The 32 DIs in block order: [tag, description, tipodi, idTextoEv2].
 * tipodi 0 protection, 1 alarm, 2 breaker (docs/screens.md §6.3); idTextoEv2 0 breakers, 2 switches, 4 protections, 5 alarms.
 */
function diList() {
  const l = [];
  for (const k of [1, 2]) {
    l.push([T(2, '52B', k), `Interruptor 33 kV Transformador ${k}`, 2, 0]);
    l.push([T(2, '51_', k), `Protección máxima corriente 33 kV Transformador ${k}`, 0, 4]);
    l.push([T(2, '64_', k), `Protección cuba Transformador ${k}`, 1, 5]);
    l.push([T(1, '52B', k), `Interruptor 13.2 kV Transformador ${k}`, 2, 0]);
    l.push([T(1, '51_', k), `Protección máxima corriente 13.2 kV Transformador ${k}`, 0, 4]);
  }
  l.push([T(1, '81_', 0), 'Relé de frecuencia barra 13.2 kV', 0, 4]);
  l.push([T(1, '27_', 0), 'Relé de mínima tensión barra 13.2 kV', 0, 4]);
  l.push([T('C', 'REC', 0), 'Falla rectificador 110 VCC', 1, 5]);
  l.push([T('C', 'TS2', 1), 'Falta tensión comando 33 kV', 1, 5]);
  l.push([T('C', 'TS1', 1), 'Falta tensión comando 13.2 kV', 1, 5]);
  l.push([T('A', 'TS_', 0), 'Falta tensión servicios auxiliares 380 VCA', 1, 5]);
  for (const f of [3, 4, 5, 6]) {
    l.push([T(1, '52B', f), `Interruptor alimentador ${f} 13.2 kV`, 2, 0]);
    l.push([T(1, '51_', f), `Protección máxima corriente alimentador ${f}`, 0, 4]);
    l.push([T(1, '51N', f), `Protección falla a tierra alimentador ${f}`, 0, 4]);
    l.push([T(1, '89T', f), `Seccionador de puesta a tierra alimentador ${f}`, 1, 2]);
  }
  return l;
}

/** The 8 AIs in word order: [tag, description, channel, unit, multip_asm, divider, RelTV, RelTI, Rel33-13, kind, escE]. */
function aiList() {
  return [
    [T(2, 'VV_', 0), 'Tensión barra 33 kV', 0, 'kV', 33, 1796, 1, 1, 1, 'v', ''],
    [T(1, 'VV_', 0), 'Tensión barra 13.2 kV', 0, 'kV', 13.2, 1796, 1, 1, 2.5, 'v', ''],
    [T(2, 'PA_', 0), 'Potencia activa entrada 33 kV', 0, 'kW', 0.175, 1012, 300, 40, 1, 'p', 0.5],
    [T(2, 'PR_', 0), 'Potencia reactiva entrada 33 kV', 1, 'kVAr', 0.175, 1012, 300, 40, 1, 'p', 0.5],
    ...[3, 4, 5, 6].map((f) => [T(1, 'II_', f), `Corriente alimentador ${f}`, 0, 'A', 5, 4095, 1, 80, 2.5, 'i', '']),
  ];
}

/** Formula cell: SheetJS writes `f` to .xlsx with `v` as the cached value. */
const F = (f, v) => ({ t: typeof v === 'number' ? 'n' : 's', v, f });

/** Every sheet of the example: { name, rows (cells: primitives or formula cells), fills: [[row, col, css]] }. */
function exampleSheets() {
  const sheets = [];

  sheets.push({
    name: 'General',
    rows: [
      ['Subestación S1 33/13.2 kV: libro de configuración de ejemplo (node-red-contrib-mara)'],
      ['Tags: 2 letras sitio (S1), 1 nivel de tensión (2 = 33 kV, 1 = 13.2 kV, C = 110 VCC, A = 380 VCA), 3 clase de equipo, 2 campo'],
      ['DI n del bloque DI de la respuesta 0x10 = puerto n >> 4, bit n & 15 (LSB primero)'],
      ['AI palabra k (LE16) = la AI con el k-ésimo offset más chico'],
      ['SV byte k = varsys offset k'],
    ],
  });

  sheets.push({
    name: 'comaster',
    rows: [
      ['id', 'ip_address', 'port', 'enabled'],
      [COMASTER, '127.0.0.1', 9761, 1],
    ],
  });
  sheets.push({
    name: 'ied',
    rows: [
      ['id', 'comaster_id', 'offset', 'can_varsys', 'can_dis', 'can_ais', 'rs485_address'],
      [IED, COMASTER, 1, 6, 4, 8, 1],
    ],
  });

  const di = [
    [
      'id',
      'ied_id',
      'offset',
      'port',
      'bit',
      'tag',
      'trasducer',
      'description',
      'q',
      'value',
      'maskinv',
      'tipodi',
      'nrodi',
      'idTextoEv2',
      'pesoaccionH',
      'pesoaccionL',
    ],
  ];
  diList().forEach(([tag, desc, tipo, textId], n) => {
    di.push([n + 1, IED, n, n >> 4, n & 15, tag, `RL${String(n + 1).padStart(2, '0')}`, desc, 0, 0, 0, tipo, n + 1, textId, '', '']);
  });
  sheets.push({ name: 'di', rows: di });

  const aiHead = [
    'id',
    'ied_id',
    'offset',
    'Channel',
    'trasducer',
    'description',
    'tag',
    'unit',
    'multip_asm',
    'divider',
    'RelTV',
    'RelTI',
    'Rel33-13',
    'escala',
    'escE',
    'q',
    'value',
    'nroai',
    'valuemax',
    'valuemin',
    'idTextoEvM',
    'deltah',
    'deltal',
    'idTextoEv2',
    'pesoaccionH',
    'pesoaccionL',
  ];
  const ai = [aiHead];
  aiList().forEach(([tag, desc, channel, unit, m, div, tv, ti, r3313, kind, escE], k) => {
    const r = k + 2; // workbook row
    // escala is an Excel formula in the real workbooks (docs/formulas.md §1.2): multip_asm*RelTV/divider (voltages),
    // multip_asm*RelTV*RelTI/divider (powers); here also multip_asm*RelTI/divider for currents
    const escala =
      kind === 'v'
        ? F(`I${r}*K${r}/J${r}`, (m * tv) / div)
        : kind === 'p'
          ? F(`I${r}*K${r}*L${r}/J${r}`, (m * tv * ti) / div)
          : F(`I${r}*L${r}/J${r}`, (m * ti) / div);
    ai.push([k + 1, IED, k + 1, channel, `TR${k + 1}`, desc, tag, unit, m, div, tv, ti, r3313, escala, escE, 0, -1, k + 1, '', '', 7, '', '', 6, '', '']);
  });
  sheets.push({ name: 'ai', rows: ai });

  const sv = [['id', 'ied_id', 'offset', 'bit', 'param', 'description', 'value']];
  [
    ['ComErrorL', 'Banderas: BOR, POR, WDT, IEDArr, CalifNoResp, OvfPilaEv, PrimeraPeH, reloj'],
    ['ComErrorH', 'Arranques del IED'],
    ['SesgoL', 'Sesgo del reloj (byte bajo)'],
    ['SesgoH', 'Sesgo del reloj (byte alto)'],
    ['ClockError', 'Ajuste de reloj'],
    ['UartError', 'Reinicios de UART'],
  ].forEach(([param, desc], k) => sv.push([k + 1, IED, k, '', param, desc, '']));
  sheets.push({ name: 'varsys', rows: sv });

  sheets.push({
    name: 'com',
    rows: [
      ['id', 'code', 'description', 'idTextoEv2', 'pesoaccion'],
      [1, 2, 'Conexión COMaster-IEDs', 3, 5],
      [2, 3, 'Evaluar motivo', 3, 5],
    ],
  });
  sheets.push({ name: 'textoevtipo', rows: [['id', 'IdTextoEv2', 'Value', 'TextoEv2'], ...EVENT_TEXTS.map((t, i) => [i + 1, ...t])] });
  sheets.push({
    name: 'screens',
    rows: [
      ['path', 'name', 'description', 'prefix', 'parent'],
      ['map.svg', 'MAP', 'Mapa general', 'MAP', ''],
      ['s1.svg', 'S1', 'Subestación S1 33/13.2 kV', 'S1', 'MAP'],
    ],
  });

  // graphic elements and their formulas --------------------------------------------------------------
  const eg = [
    ['id', 'tag', 'description', 'text', 'fill', 'Stroke', 'mark', 'screen', 'disabled', 'on_click_jump', 'on_click_text_toggle', 'linked_text_change'],
  ];
  const fo = [['disp', 'Var_eg', 'tabla', 'tag', 'atributo', 'Formula']];
  const el = (tag, desc, text, fill, stroke, mark, extra = {}) =>
    eg.push([eg.length, tag, desc, text, fill, stroke, mark, extra.screen ?? '', 0, extra.jump ?? '', extra.toggle ?? '', extra.linked ?? '']);
  const fx = (tag, attr, formula) => {
    const r = fo.length + 1;
    fo.push([tag.slice(3, 6), F(`CONCATENATE(C${r},D${r},".",E${r})`, `eg.${tag}.${attr}`), 'eg.', tag, attr, formula]);
  };
  const CLOSED_OPEN = '1 (Cerrado), 0 (Abierto)';
  const measure = (tag, desc) => {
    el(tag, desc, '0', 10, '', '');
    fx(tag, 'text', `str(ai.${tag}.value*ai.${tag}.escala)`);
    fx(tag, 'fill', `SI(ai.${tag}.q,6,10)`);
  };
  const protection = (tag, desc) => {
    el(tag, desc, '0', 3, '', 1);
    fx(tag, 'fill', `SI(int(eg.${tag}.text),6,3)`);
  };
  const alarm = (tag, desc) => {
    el(tag, desc, '0', 3, '', '');
    fx(tag, 'fill', `SI(di.${tag}.value,6,3)`);
  };
  /** Breaker fill, case 048 of docs/formulas.md §4: closed → colour of its disconnector, open → red if tripped else black. */
  const breaker = (tag, desc, disconnector) => {
    el(tag, desc, '0', 10, '', '');
    fx(tag, 'fill', `SI(di.${tag}.value,si(int(eg.${disconnector}.text),eg.${disconnector}.stroke,12),si(int(eg.${tag}.text),6,10))`);
  };
  const disconnector = (tag, desc, source, linked) => {
    el(tag, desc, '1', '', 12, '', { toggle: CLOSED_OPEN, linked: linked ?? '' });
    fx(tag, 'stroke', `SI(int(eg.${tag}.text),${source},12)`);
  };
  const d = Object.fromEntries(diList().map(([tag, desc]) => [tag, desc]));
  const a = Object.fromEntries(aiList().map(([tag, desc]) => [tag, desc]));

  // 33 kV bar
  el(T(2, 'BAR', 0), 'Barra 33 kV', '', '', 3, '');
  fx(T(2, 'BAR', 0), 'stroke', `SI(float(eg.${T(2, 'VV_', 0)}.text)>0.1,2,3)`);
  el(T(2, 'TDB', 0), 'Titulador de barra 33 kV', 'BARRA 33 KV', 3, '', '');
  measure(T(2, 'VV_', 0), a[T(2, 'VV_', 0)]);
  measure(T(2, 'PA_', 0), a[T(2, 'PA_', 0)]);
  measure(T(2, 'PR_', 0), a[T(2, 'PR_', 0)]);
  el(T(2, 'SS_', 0), 'Potencia aparente entrada 33 kV (calculada)', '0', 10, '', '');
  fx(
    T(2, 'SS_', 0),
    'text',
    `str(RAIZ(ai.${T(2, 'PA_', 0)}.value*ai.${T(2, 'PA_', 0)}.value+ai.${T(2, 'PR_', 0)}.value*ai.${T(2, 'PR_', 0)}.value)*ai.${T(2, 'PA_', 0)}.escala)`,
  );
  fx(T(2, 'SS_', 0), 'fill', `SI(O(ai.${T(2, 'PR_', 0)}.q,ai.${T(2, 'PA_', 0)}.q),6,10)`);

  // transformers
  for (const k of [1, 2]) {
    disconnector(T(2, '89S', k), `Seccionador barra 33 kV Transformador ${k}`, `eg.${T(2, 'BAR', 0)}.stroke`);
    breaker(T(2, '52B', k), d[T(2, '52B', k)], T(2, '89S', k));
    protection(T(2, '51_', k), d[T(2, '51_', k)]);
    alarm(T(2, '64_', k), d[T(2, '64_', k)]);
    el(T(2, 'TT_', k), `Bobinado 33 kV Transformador ${k}`, '', '', 12, '');
    fx(T(2, 'TT_', k), 'stroke', `SI(di.${T(2, '52B', k)}.value,eg.${T(2, '89S', k)}.stroke,12)`);
    el(T(1, 'TT_', k), `Bobinado 13.2 kV Transformador ${k}`, '', '', 12, '');
    fx(T(1, 'TT_', k), 'stroke', `SI(eg.${T(2, 'TT_', k)}.stroke=2,1,12)`);
    disconnector(T(1, '89S', k), `Seccionador 13.2 kV Transformador ${k}`, `eg.${T(1, 'TT_', k)}.stroke`);
    breaker(T(1, '52B', k), d[T(1, '52B', k)], T(1, '89S', k));
    protection(T(1, '51_', k), d[T(1, '51_', k)]);
  }

  // 13.2 kV bar and station
  el(T(1, 'BAR', 0), 'Barra 13.2 kV', '', '', 3, '');
  fx(T(1, 'BAR', 0), 'stroke', `SI(float(eg.${T(1, 'VV_', 0)}.text)>0.1,1,3)`);
  el(T(1, 'TDB', 0), 'Titulador de barra 13.2 kV', 'BARRA 13.2 KV', 3, '', '');
  measure(T(1, 'VV_', 0), a[T(1, 'VV_', 0)]);
  protection(T(1, '81_', 0), d[T(1, '81_', 0)]);
  protection(T(1, '27_', 0), d[T(1, '27_', 0)]);
  for (const tag of [T('C', 'REC', 0), T('C', 'TS2', 1), T('C', 'TS1', 1), T('A', 'TS_', 0)]) alarm(tag, d[tag]);

  // feeders
  for (const f of [3, 4, 5, 6]) {
    const s = T(1, '89S', f);
    const i = T(1, '89I', f);
    const b = T(1, '52B', f);
    el(T(1, 'NDC', f), `Número de campo alimentador ${f}`, f, 3, '', '');
    el(T(1, 'TEC', f), `Estado alimentador ${f}`, 'ES', 3, '', '', { toggle: 'ES (En Servicio), FS (Fuera de Servicio)' });
    disconnector(s, `Seccionador barra alimentador ${f}`, `eg.${T(1, 'BAR', 0)}.stroke`, i);
    breaker(b, d[b], s);
    el(i, `Seccionador línea alimentador ${f}`, '1', '', 12, '', { toggle: CLOSED_OPEN, linked: s });
    fx(i, 'stroke', `SI(di.${b}.value,si(int(eg.${i}.text),eg.${s}.stroke,12),12)`);
    protection(T(1, '51_', f), d[T(1, '51_', f)]);
    protection(T(1, '51N', f), d[T(1, '51N', f)]);
    el(T(1, '89T', f), d[T(1, '89T', f)], '0', 10, '', '');
    fx(T(1, '89T', f), 'fill', `SI(di.${T(1, '89T', f)}.value,12,10)`);
    measure(T(1, 'II_', f), a[T(1, 'II_', f)]);
  }

  // map: station symbol, red when any marked element (the protections) has a non-zero text (docs/formulas.md §4 case 062)
  el(T(2, 'ETT', 0), 'Alarma mapa subestación S1', '0', 11, '', '', { screen: 'MAP', jump: 'S1' });
  fx(T(2, 'ETT', 0), 'fill', 'SI(SUMA(APLICAR(lambda e: int(e.text), FILTRAR(lambda x: x.mark = 1, eg))),6,11)');
  // a formula row without a formula: skipped, as the real sheets have many (docs/workbook.md §7.3)
  fo.push(['TDB', '', 'eg.', T(2, 'TDB', 0), 'text', '']);

  sheets.push({ name: 'eg', rows: eg });
  sheets.push({ name: 'formulas', rows: fo });
  sheets.push({
    name: 'color',
    rows: [['id', 'id_col', 'color', 'description'], ...COLOURS.map(([i, name, , desc]) => [i + 1, i, name, desc])],
    fills: COLOURS.map(([, , css], k) => [k + 1, 2, css]),
  });
  return sheets;
}

/** A SheetJS workbook of `sheets` (formula cells kept as cell objects). */
function toWorkbook(sheets) {
  const wb = XLSX.utils.book_new();
  for (const s of sheets) {
    const ws = XLSX.utils.aoa_to_sheet(s.rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : c))));
    XLSX.utils.book_append_sheet(wb, ws, s.name);
  }
  return wb;
}

const cellRef = (r, c) => XLSX.utils.encode_cell({ r, c });

/** .xlsx bytes of `sheets`, with the cell fills of each sheet's `fills` ([row, col, '#rrggbb'], 0-based). */
function writeXlsx(sheets, opts = {}) {
  const buf = XLSX.write(toWorkbook(sheets), { type: 'buffer', bookType: 'xlsx', compression: opts.compression !== false });
  if (!sheets.some((s) => s.fills && s.fills.length)) return buf;
  const zip = XLSX.CFB.read(buf, { type: 'buffer' });
  const styles = XLSX.CFB.find(zip, '/xl/styles.xml');
  let xml = styles.content.toString('utf8');
  const colours = [...new Set(sheets.flatMap((s) => (s.fills || []).map((f) => f[2])))];
  const fillCount = Number(/<fills count="(\d+)"/.exec(xml)[1]);
  const xfCount = Number(/<cellXfs count="(\d+)"/.exec(xml)[1]);
  const fills = colours
    .map((css) => `<fill><patternFill patternType="solid"><fgColor rgb="FF${css.slice(1).toUpperCase()}"/><bgColor indexed="64"/></patternFill></fill>`)
    .join('');
  const xfs = colours.map((_, i) => `<xf numFmtId="0" fontId="0" fillId="${fillCount + i}" borderId="0" xfId="0" applyFill="1"/>`).join('');
  xml = xml
    .replace(/<fills count="\d+">([\s\S]*?)<\/fills>/, (_m, inner) => `<fills count="${fillCount + colours.length}">${inner}${fills}</fills>`)
    .replace(/<cellXfs count="\d+">([\s\S]*?)<\/cellXfs>/, (_m, inner) => `<cellXfs count="${xfCount + colours.length}">${inner}${xfs}</cellXfs>`);
  styles.content = Buffer.from(xml, 'utf8');
  sheets.forEach((s, i) => {
    if (!s.fills || !s.fills.length) return;
    const entry = XLSX.CFB.find(zip, `/xl/worksheets/sheet${i + 1}.xml`);
    let sx = entry.content.toString('utf8');
    for (const [r, c, css] of s.fills) {
      const ref = cellRef(r, c);
      const re = new RegExp(`<c r="${ref}"( s="\\d+")?`);
      if (!re.test(sx)) throw new Error(`sheet ${s.name}: no cell ${ref} to fill`);
      sx = sx.replace(re, `<c r="${ref}" s="${xfCount + colours.indexOf(css)}"`);
    }
    entry.content = Buffer.from(sx, 'utf8');
  });
  return XLSX.CFB.write(zip, { fileType: 'zip', type: 'buffer', compression: true });
}

/** BIFF8 default palette, indexes 8-63 (MS-XLS 2.5.161). */
const DEFAULT_PALETTE = [
  0x000000, 0xffffff, 0xff0000, 0x00ff00, 0x0000ff, 0xffff00, 0xff00ff, 0x00ffff, 0x800000, 0x008000, 0x000080, 0x808000, 0x800080, 0x008080, 0xc0c0c0,
  0x808080, 0x9999ff, 0x993366, 0xffffcc, 0xccffff, 0x660066, 0xff8080, 0x0066cc, 0xccccff, 0x000080, 0xff00ff, 0xffff00, 0x00ffff, 0x800080, 0x800000,
  0x008080, 0x0000ff, 0x00ccff, 0xccffff, 0xccffcc, 0xffff99, 0x99ccff, 0xff99cc, 0xcc99ff, 0xffcc99, 0x3366ff, 0x33cccc, 0x99cc00, 0xffcc00, 0xff9900,
  0xff6600, 0x666699, 0x969696, 0x003366, 0x339966, 0x003300, 0x333300, 0x993300, 0x993366, 0x333399, 0x333333,
].map((x) => '#' + x.toString(16).padStart(6, '0'));

/**
 * .xls (BIFF8) bytes of `sheets` with their fills. `palette`: [[index 8-63, '#rrggbb'], …] entries that replace
 * the default palette (written as a PALETTE record); a fill colour absent from the palette takes a free entry
 * from 63 down.
 */
function writeXls(sheets, opts = {}) {
  const buf = XLSX.write(toWorkbook(sheets), { type: 'buffer', bookType: 'biff8', bookSST: true });
  const wanted = sheets.flatMap((s) => (s.fills || []).map((f) => f[2]));
  const custom = opts.palette || [];
  if (!wanted.length && !custom.length) return buf;
  const palette = DEFAULT_PALETTE.slice();
  for (const [i, css] of custom) palette[i - 8] = css.toLowerCase();
  let free = 63;
  const icvOf = (css) => {
    let i = palette.indexOf(css.toLowerCase());
    if (i < 0) {
      while (custom.some(([k]) => k === free)) free--;
      if (free < 8) throw new Error('palette full');
      palette[free - 8] = css.toLowerCase();
      i = free - 8;
      free--;
    }
    return i + 8;
  };
  const colours = [...new Set(wanted.map((c) => c.toLowerCase()))];
  const icvs = colours.map(icvOf);
  const paletteChanged = palette.some((c, i) => c !== DEFAULT_PALETTE[i]);

  const cfb = XLSX.CFB.read(buf, { type: 'buffer' });
  const entry = XLSX.CFB.find(cfb, 'Workbook');
  const data = Buffer.from(entry.content);
  // records: [type, body]
  const recs = [];
  for (let p = 0; p + 4 <= data.length;) {
    const type = data.readUInt16LE(p);
    const len = data.readUInt16LE(p + 2);
    recs.push([type, Buffer.from(data.subarray(p + 4, p + 4 + len))]);
    p += 4 + len;
  }
  const firstEof = recs.findIndex(([t]) => t === 0x000a);
  let lastXf = -1;
  let xfCount = 0;
  for (let i = 0; i < firstEof; i++) {
    if (recs[i][0] === 0x00e0) {
      lastXf = i;
      xfCount++;
    }
  }
  const newRecs = icvs.map((icv) => {
    const b = Buffer.alloc(20);
    b.writeUInt16LE(0, 0); // font
    b.writeUInt16LE(0, 2); // number format
    b.writeUInt16LE(0, 4); // cell XF, parent style 0
    b.writeUInt32LE(1 << 30, 6); // fAtrPat: this XF's own fill
    b.writeUInt32LE(0, 10);
    b.writeUInt32LE(1 << 26, 14); // fls = 1: solid
    b.writeUInt16LE((icv & 0x7f) | (64 << 7), 18); // icvFore, icvBack = 64 (system window background)
    return [0x00e0, b];
  });
  if (paletteChanged) {
    const b = Buffer.alloc(2 + 56 * 4);
    b.writeUInt16LE(56, 0);
    palette.forEach((css, i) => {
      const v = parseInt(css.slice(1), 16);
      b[2 + i * 4] = (v >> 16) & 255;
      b[3 + i * 4] = (v >> 8) & 255;
      b[4 + i * 4] = v & 255;
      b[5 + i * 4] = 0;
    });
    newRecs.push([0x0092, b]);
  }
  recs.splice(lastXf + 1, 0, ...newRecs);
  // cell XF indexes of the filled cells
  let sheetNo = -1;
  for (let i = firstEof + newRecs.length + 1; i < recs.length; i++) {
    const [type, body] = recs[i];
    if (type === 0x0809) sheetNo++;
    const fillsOf = sheets[sheetNo] && sheets[sheetNo].fills;
    if (!fillsOf || ![0x0201, 0x0203, 0x0204, 0x00fd, 0x0205, 0x027e, 0x0006].includes(type)) continue;
    const r = body.readUInt16LE(0);
    const c = body.readUInt16LE(2);
    const f = fillsOf.find(([fr, fc]) => fr === r && fc === c);
    if (f) body.writeUInt16LE(xfCount + colours.indexOf(f[2].toLowerCase()), 4);
  }
  // BOUNDSHEET positions of the sheets' BOF records
  const out = Buffer.concat(
    recs.map(([t, b]) => {
      const h = Buffer.alloc(4);
      h.writeUInt16LE(t, 0);
      h.writeUInt16LE(b.length, 2);
      return Buffer.concat([h, b]);
    }),
  );
  const bofs = [];
  const sheetsAt = [];
  for (let p = 0, i = 0; p + 4 <= out.length; i++) {
    const t = out.readUInt16LE(p);
    if (t === 0x0809 && p > 0) bofs.push(p);
    if (t === 0x0085) sheetsAt.push(p + 4);
    p += 4 + out.readUInt16LE(p + 2);
  }
  sheetsAt.forEach((at, k) => out.writeUInt32LE(bofs[k], at));
  entry.content = out;
  entry.size = out.length;
  return XLSX.CFB.write(cfb, { fileType: 'cfb', type: 'buffer' });
}

/**
 * A migration case (issue 12): the shapes a real installation's workbook has that a fresh one does not. Written to
 * test/fixtures/migration/ by `node scripts/make-example-workbook.js --migration`:
 *  - COMaster 1 disabled and first; COMaster 2 a concentrator (one block of its IED 20); COMaster 3 a multi-drop
 *    line of three IEDs (addresses 1, 2, 3) polled one by one;
 *  - reserve (untagged) DI rows inside a block, and a reserve AI word;
 *  - generic varsys names repeated in every IED, plus one name used twice inside IED 20;
 *  - an eg row whose screen is GENERAL (no screen); a hot-spot jump to a missing screen; both toggle spellings
 *    the screen rejects ("1, 1", "1 (), 0") next to a good one;
 *  - formulas with a syntax error, an unknown reference, a cycle and a division by zero at run time.
 */
const SV_NAMES = ['ComErrorL', 'ComErrorH', 'SesgoL', 'SesgoH', 'ClockError', 'UartError'];
const MIG_IEDS = [
  // id, comaster, offset, can_varsys, can_dis, can_ais, address
  [10, 1, 1, 6, 2, 1, 1],
  [20, 2, 1, 6, 2, 2, 1],
  [31, 3, 1, 6, 2, 1, 1],
  [32, 3, 2, 6, 2, 1, 2],
  [33, 3, 3, 6, 2, 1, 3],
];

function migrationSheets() {
  const di = [['id', 'ied_id', 'offset', 'port', 'bit', 'tag', 'trasducer', 'description', 'q', 'value', 'maskinv', 'tipodi', 'nrodi', 'idTextoEv2']];
  let id = 1;
  // IED 10 (disabled COMaster 1): two DIs
  di.push([id++, 10, 1, 0, 0, 'X1152B01', '', 'COMaster deshabilitado', 0, 0, 0, 2, 1, 0]);
  di.push([id++, 10, 1, 0, 1, 'X1152B02', '', 'COMaster deshabilitado', 0, 0, 0, 2, 2, 0]);
  // IED 20: 16 inputs, reserves at bits 2 and 9 (no tag: the original counted them in the bit order)
  for (let b = 0; b < 16; b++) {
    const reserve = b === 2 || b === 9;
    di.push([
      id++,
      20,
      1,
      b >> 4,
      b & 15,
      reserve ? '' : `M21DI_${String(b).padStart(2, '0')}`,
      `RL${b}`,
      reserve ? 'Reserva' : `Entrada ${b}`,
      0,
      0,
      0,
      1,
      id,
      5,
    ]);
  }
  // IEDs 31-33 of the multi-drop line: 16 inputs each (the whole block, as the original's zip needs), a reserve at bit 1
  for (const ied of [31, 32, 33])
    for (let b = 0; b < 16; b++)
      di.push([
        id++,
        ied,
        1,
        0,
        b,
        b === 1 ? '' : `L${ied}52B${String(b).padStart(2, '0')}`,
        '',
        b === 1 ? 'Reserva' : `Interruptor ${ied}/${b}`,
        0,
        0,
        0,
        2,
        id,
        0,
      ]);

  const ai = [
    ['id', 'ied_id', 'offset', 'Channel', 'trasducer', 'description', 'tag', 'unit', 'multip_asm', 'divider', 'RelTV', 'RelTI', 'Rel33-13', 'escala', 'escE'],
  ];
  ai.push([1, 10, 1, 0, '', 'deshabilitado', 'X12VV_00', 'kV', '', '', '', '', '', 1, '']);
  ai.push([2, 20, 1, 0, '', 'Reserva', '', '', '', '', '', '', '', '', '']); // a reserve word: the next AI reads word 1
  ai.push([3, 20, 2, 0, '', 'Tensión barra', 'M22VV_00', 'kV', 33, 1796, 1, 1, 1, 33 / 1796, '']);
  for (const ied of [31, 32, 33]) ai.push([ai.length, ied, 1, 0, '', `Corriente ${ied}`, `L${ied}II_00`, 'A', '', '', '', '', '', 0.5, '']);

  const varsys = [['id', 'ied_id', 'offset', 'bit', 'param', 'description', 'value']];
  for (const [ied] of MIG_IEDS) SV_NAMES.forEach((n, k) => varsys.push([varsys.length, ied, k + 1, '', n, n, '']));
  varsys.push([varsys.length, 20, 7, '', 'UartError', 'repetida en el IED 20', '']); // the same name twice inside one IED

  const eg = [
    ['id', 'tag', 'description', 'text', 'fill', 'Stroke', 'mark', 'screen', 'disabled', 'on_click_jump', 'on_click_text_toggle', 'linked_text_change'],
  ];
  const E = (tag, description, text, fill, stroke, mark, screen, extra = {}) =>
    eg.push([eg.length, tag, description, text, fill, stroke, mark, screen, 0, extra.jump || '', extra.toggle || '', extra.linked || '']);
  E('M12ETT00', 'Alarma mapa estación M1', '0', 11, '', '', 'GENERAL'); // lives in map.svg, prefix says M1
  E('M1152B01', 'Interruptor', '0', 10, '', 1, 'M1');
  E('M1189S01', 'Seccionador (toggle "1, 1")', '1', '', 12, '', 'M1', { toggle: '1, 1' });
  E('M1189S02', 'Seccionador (toggle "1 (), 0")', '1', '', 12, '', 'M1', { toggle: '1 (), 0' });
  E('M1189S03', 'Seccionador', '1', '', 12, '', 'M1', { toggle: '1 (Cerrado), 0 (Abierto)' });
  E('M1TXT001', 'Salto a una pantalla que no existe', 'E9', '', '', '', 'M1', { jump: 'E9' });
  E('M1CYC_A', 'ciclo A', '0', '', '', '', 'M1');
  E('M1CYC_B', 'ciclo B', '0', '', '', '', 'M1');
  E('M1DIV0', 'division por cero', '7', '', '', '', 'M1');

  const formulas = [['disp', 'Var_eg', 'tabla', 'tag', 'atributo', 'Formula']];
  const Fm = (tag, attr, text) => formulas.push(['', `eg.${tag}.${attr}`, 'eg.', tag, attr, text]);
  Fm('M12ETT00', 'fill', 'SI(SUMA(APLICAR(lambda e: int(e.text), FILTRAR(lambda x: x.mark = 1, eg))),6,11)');
  Fm('M1152B01', 'fill', 'SI(di.M21DI_03.value),6,3)'); // syntax error (the real row hmi-046)
  Fm('M1152B01', 'text', 'str(di.M21DI_03.value)');
  Fm('M1189S01', 'stroke', 'SI(di.NOPE.value,2,12)'); // unknown reference
  Fm('M1CYC_A', 'text', 'eg.M1CYC_B.text');
  Fm('M1CYC_B', 'text', 'eg.M1CYC_A.text'); // cycle
  Fm('M1DIV0', 'text', 'str(1/int(eg.M1CYC_A.text))'); // division by zero while the text is 0

  return [
    {
      name: 'comaster',
      rows: [
        ['id', 'ip_address', 'port', 'enabled'],
        [1, '10.0.0.1', 9761, 0],
        [2, '10.0.0.2', 9761, 1],
        [3, '10.0.0.3', 4001, 1],
      ],
    },
    { name: 'ied', rows: [['id', 'comaster_id', 'offset', 'can_varsys', 'can_dis', 'can_ais', 'rs485_address'], ...MIG_IEDS] },
    { name: 'di', rows: di },
    { name: 'ai', rows: ai },
    { name: 'varsys', rows: varsys },
    {
      name: 'screens',
      rows: [
        ['path', 'name', 'description', 'prefix', 'parent'],
        ['map.svg', 'MAP', 'Mapa general', 'ETT', ''],
        ['m1.svg', 'M1', 'Estación M1', 'M1', 'MAP'],
      ],
    },
    { name: 'eg', rows: eg },
    { name: 'formulas', rows: formulas },
  ];
}

/** The drawings of the migration case: the map (GENERAL element, a good and a dead hot-spot) and station M1. */
function migrationDrawings() {
  const svg = (w, h, body) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">\n${body}\n</svg>\n`;
  return {
    'map.svg': svg(
      400,
      300,
      [
        '  <circle tag="M12ETT00" jump-to="M1" id="st1" inkscape:label="Estación M1" cx="100" cy="100" r="20" style="fill:#99cc00"/>',
        '  <circle jump-to="E9" id="st9" inkscape:label="Estación E9" cx="300" cy="100" r="20" style="fill:#cccccc"/>',
        '  <text x="80" y="150">Entre Ríos</text>',
      ].join('\n'),
    ),
    'm1.svg': svg(
      800,
      600,
      [
        '  <rect tag="M1152B01" id="b1" x="10" y="10" width="20" height="20"/>',
        '  <path tag="M1189S01" id="s1" d="M 50,10 L 70,30" style="stroke:#c0c0c0"/>',
        '  <path tag="M1189S02" id="s2" d="M 90,10 L 110,30" style="stroke:#c0c0c0"/>',
        '  <path tag="M1189S03" id="s3" d="M 130,10 L 150,30" style="stroke:#c0c0c0"/>',
        '  <text tag="M1TXT001" id="t1" x="10" y="80">Ir a E9</text>',
        '  <text tag="M12ETT00" id="t2" x="10" y="120">0</text>',
      ].join('\n'),
    ),
  };
}

function writeMigration(outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'migration.xlsx'), writeXlsx(migrationSheets()));
  for (const [name, text] of Object.entries(migrationDrawings())) fs.writeFileSync(path.join(outDir, name), text);
  console.log(`[mara] wrote ${path.join(outDir, 'migration.xlsx')} and its drawings`);
}

function main() {
  if (process.argv[2] === '--migration') return writeMigration(path.resolve(process.argv[3] || path.join(__dirname, '..', 'test', 'fixtures', 'migration')));
  const outDir = path.resolve(process.argv[2] || path.join(__dirname, '..', 'examples'));
  fs.mkdirSync(outDir, { recursive: true });
  const sheets = exampleSheets();
  fs.writeFileSync(path.join(outDir, 'substation.xlsx'), writeXlsx(sheets));
  // the original's palette had one custom entry (index 58); keep one so the .xls exercises a PALETTE record
  fs.writeFileSync(path.join(outDir, 'substation.xls'), writeXls(sheets, { palette: [[58, '#141312']] }));
  console.log(`[mara] wrote ${path.join(outDir, 'substation.xlsx')} and substation.xls`);
}

module.exports = {
  exampleSheets,
  toWorkbook,
  writeXlsx,
  writeXls,
  DEFAULT_PALETTE,
  COLOURS,
  EVENT_TEXTS,
  diList,
  aiList,
  migrationSheets,
  migrationDrawings,
  writeMigration,
};

if (require.main === module) main();
