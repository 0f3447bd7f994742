/** Crafted workbooks shared by the workbook, restart and fuzz tests. */
import assert from 'node:assert/strict';
import * as XLSX from 'xlsx';

/**
 * An .xlsx whose eg sheet has `cells` description cells that all reference one shared string of `len`
 * characters (issue 10: 8 MB × 300 cells is a file of about 100 KB here, 13 KB with a better deflater). SheetJS
 * refuses to write a cell above Excel's 32 767 characters: a marker is written, then replaced in the zip's
 * shared-string table, as a crafted file would have it.
 */
export function sharedStringBomb(len: number, cells: number): Buffer {
  const rows: unknown[][] = [['tag', 'description', 'text']];
  for (let i = 0; i < cells; i++) rows.push([`E${String(i).padStart(4, '0')}`, 'BIGSTRINGMARKER', '0']);
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), 'eg');
  const zip = XLSX.CFB.read(XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', bookSST: true, compression: true }), { type: 'buffer' });
  const sst = XLSX.CFB.find(zip, '/xl/sharedStrings.xml')!;
  const xml = Buffer.from(sst.content as Uint8Array).toString('utf8');
  assert.ok(xml.includes('BIGSTRINGMARKER'));
  sst.content = Buffer.from(xml.replace('BIGSTRINGMARKER', 'A'.repeat(len)), 'utf8');
  sst.size = (sst.content as Buffer).length;
  return Buffer.from(XLSX.CFB.write(zip, { type: 'buffer', fileType: 'zip', compression: true }) as Uint8Array);
}
