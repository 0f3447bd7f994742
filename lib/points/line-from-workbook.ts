/**
 * A line's settings from the workbook (issue 12 item 4): the host and port of a `comaster` row and the devices a
 * line polls there, so a `mara-line` can take them from the project and the workbook stays the one source.
 */
import { ComasterCandidate, ComasterPickCode, comasterChoices } from './line-mapper';
import type { ProjectModel } from '../project/model';

export interface WorkbookLine {
  ok: true;
  comaster: string;
  host: string;
  port: number;
  /** 'direct': each IED row at its RS-485 address; 'concentrator': the COMaster at its first IED row's address. */
  poll: 'direct' | 'concentrator';
  devices: { address: number; name: string }[];
  /** Said once when the line starts (e.g. a disabled COMaster used because it was named). */
  notes: string[];
}

export type WorkbookLineFailure = { ok: false; code: ComasterPickCode | 'ENOHOST' | 'ENODEVICE'; message: string; choices: ComasterCandidate[] };

const list = (cs: ComasterCandidate[]) =>
  cs.map((c) => `${c.id} (${c.host || 'no host'}${c.port ? `:${c.port}` : ''}${c.enabled ? '' : ', disabled'})`).join('; ') || 'none';

/** The line of COMaster `comaster` (its id in the workbook); a coded failure naming the choices otherwise. */
export function lineFromWorkbook(
  model: Pick<ProjectModel, 'comasters' | 'devices'>,
  opts: { comaster: string; poll?: 'direct' | 'concentrator' },
): WorkbookLine | WorkbookLineFailure {
  const choices = comasterChoices(model);
  const fail = (code: WorkbookLineFailure['code'], why: string): WorkbookLineFailure => ({
    ok: false,
    code,
    choices,
    message: `${why}; the workbook's COMasters: ${list(choices)}`,
  });
  if (!choices.length) return fail('ENOCOMASTER', 'the workbook has no COMaster');
  const id = String(opts.comaster ?? '').trim();
  if (!id) return fail('EAMBIGUOUS', 'name the COMaster whose line this is');
  const c = choices.find((x) => x.id === id);
  if (!c) return fail('EUNKNOWN', `COMaster ${id} is not in the workbook`);
  if (!c.host || !c.port) return fail('ENOHOST', `COMaster ${id} has no host and port in the comaster sheet`);
  const ieds = (Array.isArray(model.devices) ? model.devices : [])
    .filter((d) => d && d.comaster === id && Number.isInteger(d.address) && d.address >= 0 && d.address <= 254)
    .sort((a, b) => a.offset - b.offset);
  if (!ieds.length) return fail('ENODEVICE', `COMaster ${id} has no IED row with an RS-485 address 0-254`);
  const poll = opts.poll === 'concentrator' ? 'concentrator' : 'direct';
  const seen = new Set<number>();
  const devices: WorkbookLine['devices'] = [];
  for (const d of poll === 'concentrator' ? ieds.slice(0, 1) : ieds) {
    if (seen.has(d.address)) continue; // two IED rows at one address: one device on the line
    seen.add(d.address);
    devices.push({ address: d.address, name: poll === 'concentrator' ? `COMaster ${id}` : `IED ${d.id}` });
  }
  const notes = c.enabled ? [] : [`COMaster ${id} is disabled in the workbook; used because it is named`];
  return { ok: true, comaster: id, host: c.host, port: c.port, poll, devices, notes };
}
