'use strict';
// The workbook reader: runs in a fresh child process (`node -e`) or worker thread (`eval: true`) started by
// workbook-worker.ts, which reads this file as text and hands it over, so it runs the same from dist/ and from
// the TypeScript sources under tsx, with no loader. Plain ES2020 CommonJS; keep it small: everything that can
// be done on plain rows is done by the caller.
const { parentPort, workerData, isMainThread } = require('node:worker_threads');
const zlib = require('node:zlib');
const v8 = require('node:v8');
const stamp = () => performance.timeOrigin + performance.now();
// thread: the job is workerData; process: the first IPC message (and the process ends once the reply is out)
// The reply goes out serialised (v8), its size checked here first and again by the parent before it
// deserialises anything: one 8 MB shared string referenced by 300 cells is one string here but 300 copies in
// a structured clone, gigabytes for the parent to rebuild.
if (!isMainThread)
  main(workerData, (m) => {
    const b = pack(m, workerData.maxReplyBytes);
    parentPort.postMessage(b, [b.buffer]);
  });
else process.once('message', (wd) => main(wd, (m) => process.send(pack(m, wd.maxReplyBytes), () => process.exit(0))));

function pack(m, max) {
  let b = v8.serialize(m);
  if (b.length > max) b = v8.serialize({ ok: false, message: 'REPLY_TOO_LARGE: the rows read serialise to ' + b.length + ' bytes' });
  // a Buffer may share a pooled ArrayBuffer: give the message one of its own
  return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

function main(wd, send) {
  try {
    const bytes = Buffer.from(wd.bytes.buffer, wd.bytes.byteOffset, wd.bytes.byteLength);
    const isZip = bytes[0] === 0x50;
    // SheetJS loads its codepage tables (dist/cpexcel.js, 60 ms) at start-up. .xlsx text is UTF-8 and BIFF8 .xls
    // text UTF-16 or Latin-1: they only ask for UTF-16, which Buffer decodes. The tables are loaded on the first
    // other code page (the 8-bit text of BIFF5 and older .xls).
    let cpexcel = null;
    const tables = () => cpexcel || (cpexcel = require(wd.cpexcelPath));
    globalThis.cptable = {
      utils: {
        decode: (cp, data, fmt) => (cp === 1200 && fmt === undefined ? Buffer.from(data).toString('utf16le') : tables().utils.decode(cp, data, fmt)),
        encode: (cp, data, fmt) => tables().utils.encode(cp, data, fmt),
      },
    };
    const XLSX = require(wd.xlsxPath);
    const stamps = { required: stamp(), read: 0, styled: 0, extracted: 0 };
    // Node's zlib instead of SheetJS's JS inflater: faster, and bounded by a budget on the decompressed total.
    let budget = wd.maxUnzippedBytes;
    function InflateRaw() {
      this.bytesRead = 0;
    }
    InflateRaw.prototype._finishFlushFlag = zlib.constants.Z_FINISH;
    InflateRaw.prototype._processChunk = function (chunk) {
      let r;
      try {
        r = zlib.inflateRawSync(chunk, { info: true, maxOutputLength: Math.max(budget, 1) });
      } catch (e) {
        if (e && e.code === 'ERR_BUFFER_TOO_LARGE') throw new Error('UNZIP_BUDGET', { cause: e });
        throw e;
      }
      this.bytesRead = r.engine.bytesWritten;
      budget -= r.buffer.length;
      if (budget < 0) throw new Error('UNZIP_BUDGET');
      return r.buffer;
    };
    XLSX.CFB.utils.use_zlib({ InflateRaw: InflateRaw, deflateRawSync: zlib.deflateRawSync });

    const ERR = { 0: '#NULL!', 7: '#DIV/0!', 15: '#VALUE!', 23: '#REF!', 29: '#NAME?', 36: '#NUM!', 42: '#N/A', 43: '#GETTING_DATA' };
    const base = {
      type: 'buffer',
      dense: true,
      sheetRows: wd.maxRows + 2,
      cellFormula: false,
      cellHTML: false,
      cellText: false,
      cellNF: false,
      cellDates: false,
      bookVBA: false,
      bookDeps: false,
      bookFiles: false,
      WTF: false,
    };
    // fills need cellStyles: .xlsx reads the colour sheet a second time with styles (SheetJS's sheets option keeps
    // that cheap); the .xls reader has no such option, so an .xls is read once, with styles
    const wb = XLSX.read(bytes, isZip ? base : Object.assign({}, base, { cellStyles: true }));
    stamps.read = stamp();
    const names = wb.SheetNames.filter((n) => typeof n === 'string' && wd.sheets.indexOf(n.trim().toLowerCase()) >= 0);
    const wantFills = names.filter((n) => wd.fillSheets.indexOf(n.trim().toLowerCase()) >= 0);
    let styled = isZip ? null : wb;
    if (isZip && wantFills.length) styled = XLSX.read(bytes, Object.assign({}, base, { cellStyles: true, sheets: wantFills }));
    stamps.styled = stamp();
    const maxCols = wd.maxCols;
    const maxCell = wd.maxCellChars;
    // an estimate of the serialised size, kept while the rows are built: a string costs its UTF-16 length
    // (at most), anything else a few bytes; stops at the first cell that would pass the budget
    let budgetLeft = wd.maxReplyBytes;
    const colName = (c) => {
      let s = '';
      for (let n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
      return s;
    };
    const sheets = [];
    for (let si = 0; si < names.length; si++) {
      const name = names[si];
      const ws = wb.Sheets[name];
      const rows = [],
        errors = [],
        longCells = [];
      let truncatedRows = false,
        truncatedCols = false;
      if (Array.isArray(ws)) {
        let n = ws.length;
        if (n > wd.maxRows + 1) {
          n = wd.maxRows + 1;
          truncatedRows = true;
        }
        for (let r = 0; r < n; r++) {
          const src = ws[r];
          if (!src) {
            rows.push([]);
            continue;
          }
          let len = src.length;
          if (len > maxCols) {
            len = maxCols;
            truncatedCols = true;
          }
          const out = new Array(len);
          for (let c = 0; c < len; c++) {
            const cell = src[c];
            let v = '';
            if (cell) {
              const t = cell.t;
              if (t === 's' || t === 'n' || t === 'b') v = cell.v;
              else if (t === 'e') {
                errors.push([r, c, ERR[cell.v] || '#ERROR']);
                v = '';
              } else if (t === 'd') v = String(cell.v);
              if (v === undefined || v === null) v = '';
              else if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') v = '';
              if (typeof v === 'string' && v.length > maxCell) {
                longCells.push([r, c, v.length]);
                v = '';
              }
            }
            budgetLeft -= typeof v === 'string' ? 8 + 2 * v.length : 10;
            if (budgetLeft < 0)
              throw new Error(
                'REPLY_TOO_LARGE: the rows read up to sheet ' +
                  JSON.stringify(String(name).slice(0, 40)) +
                  ' cell ' +
                  colName(c) +
                  (r + 1) +
                  ' exceed ' +
                  wd.maxReplyBytes +
                  ' bytes',
              );
            out[c] = v;
          }
          rows.push(out);
        }
      }
      let fills = null;
      const sws = styled && wantFills.indexOf(name) >= 0 ? styled.Sheets[name] : null;
      if (Array.isArray(sws)) {
        fills = [];
        const n = Math.min(sws.length, rows.length);
        for (let r = 0; r < n; r++) {
          const src = sws[r] || [];
          const len = Math.min(src.length, maxCols);
          const out = new Array(len).fill(null);
          budgetLeft -= 2 * len;
          for (let c = 0; c < len; c++) {
            if (budgetLeft < 0)
              throw new Error(
                'REPLY_TOO_LARGE: the fills read up to sheet ' +
                  JSON.stringify(String(name).slice(0, 40)) +
                  ' cell ' +
                  colName(c) +
                  (r + 1) +
                  ' exceed ' +
                  wd.maxReplyBytes +
                  ' bytes',
              );
            const s = src[c] && src[c].s;
            if (!s || !s.patternType || s.patternType === 'none' || !s.fgColor) continue;
            const rgb = s.fgColor.rgb;
            if (typeof rgb === 'string' && /^([0-9A-Fa-f]{2})?[0-9A-Fa-f]{6}$/.test(rgb)) {
              out[c] = '#' + rgb.slice(-6).toLowerCase();
              budgetLeft -= 20;
            }
          }
          fills.push(out);
        }
      }
      sheets.push({ name: String(name), rows, errors, fills, truncatedRows, truncatedCols, longCells });
    }
    stamps.extracted = stamp();
    send({ ok: true, sheets, stamps });
  } catch (e) {
    const m = e && typeof e.message === 'string' ? e.message : String(e);
    send({ ok: false, message: m.slice(0, 300) });
  }
}
