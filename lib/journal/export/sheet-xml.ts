import type { Cell } from './columns';

/** Excel's rows per sheet: an export with more goes on to a next sheet. */
export const SHEET_ROWS = 1_048_576;

// characters XML 1.0 cannot carry (controls other than tab, LF, CR; U+FFFE, U+FFFF) and lone surrogates;
// OOXML writes them as _xHHHH_ (ST_Xstring), and a literal _xHHHH_ in the text as _x005F_xHHHH_
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- the control characters are what it finds
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|_(?=x[0-9A-Fa-f]{4}_)|[<>&"]/g;

function escapeChar(c: string): string {
  switch (c) {
    case '<':
      return '&lt;';
    case '>':
      return '&gt;';
    case '&':
      return '&amp;';
    case '"':
      return '&quot;';
    case '_':
      return '_x005F_';
    default: {
      const code = c.charCodeAt(0);
      // a lone surrogate cannot be encoded in UTF-8 at all: the replacement character
      if (code >= 0xd800 && code <= 0xdfff) return '\ufffd';
      return `_x${code.toString(16).toUpperCase().padStart(4, '0')}_`;
    }
  }
}

/** Text for an XLSX inline string: XML-escaped, and what XML cannot carry in OOXML's _xHHHH_ form. */
export function xmlText(s: string): string {
  return s.replace(UNSAFE, escapeChar);
}

/** Column letters: A … Z, AA … */
export function columnName(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** One sheet row: numbers as numbers, text as inline strings (no shared-string table to hold in memory). */
export function sheetRow(r: number, row: readonly Cell[], cols: readonly string[]): string {
  let s = `<row r="${r}">`;
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (v === null || v === '') continue;
    const ref = `${cols[i]}${r}`;
    if (typeof v === 'number') s += Number.isFinite(v) ? `<c r="${ref}"><v>${v}</v></c>` : '';
    else {
      const t = xmlText(v);
      const space = t.trim() !== t ? ' xml:space="preserve"' : '';
      s += `<c r="${ref}" t="inlineStr"><is><t${space}>${t}</t></is></c>`;
    }
  }
  return s + '</row>';
}

export const SHEET_HEAD =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
  '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>' +
  '<cols><col min="1" max="1" width="24" customWidth="1"/><col min="2" max="2" width="14" customWidth="1"/><col min="3" max="3" width="40" customWidth="1"/>' +
  '<col min="4" max="4" width="24" customWidth="1"/><col min="5" max="5" width="14" customWidth="1"/><col min="7" max="7" width="26" customWidth="1"/></cols>' +
  '<sheetData>';
export const SHEET_TAIL = '</sheetData></worksheet>';

const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** The parts of the package around its sheets, once their number is known. */
export function packageParts(sheetNames: readonly string[]): Array<[string, string]> {
  const sheets = sheetNames.map((_, i) => i + 1);
  return [
    [
      '[Content_Types].xml',
      `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
        sheets
          .map(
            (n) =>
              `<Override PartName="/xl/worksheets/sheet${n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
          )
          .join('') +
        '</Types>',
    ],
    [
      '_rels/.rels',
      `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        `<Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ],
    [
      'xl/workbook.xml',
      `${XML}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${REL}"><sheets>` +
        sheetNames.map((name, i) => `<sheet name="${xmlText(name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('') +
        '</sheets></workbook>',
    ],
    [
      'xl/_rels/workbook.xml.rels',
      `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        sheets.map((n) => `<Relationship Id="rId${n}" Type="${REL}/worksheet" Target="worksheets/sheet${n}.xml"/>`).join('') +
        `<Relationship Id="rId${sheets.length + 1}" Type="${REL}/styles" Target="styles.xml"/></Relationships>`,
    ],
    [
      'xl/styles.xml',
      `${XML}<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>' +
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>' +
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
        '</styleSheet>',
    ],
  ];
}
