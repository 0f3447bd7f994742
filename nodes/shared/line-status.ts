import type { NodeStatus } from 'node-red';
import type { DeviceStats, LinkState, PersistenceState } from '../../lib/link/master-types';
import { english, type Translate } from './i18n';

/**
 * The status a consumer of a line shows (CONTRIBUTING.md §5), from the link state and the devices; a state
 * store that fails (issue 10 item 9) turns a good status yellow with ` · state not saved`. Texts come
 * from `t` (the consumer's catalog: keys `status.line.*`, plus Node-RED's common.status.*); the default
 * is the English, so this stays a pure function.
 */
export function lineStatus(link: LinkState, devices: DeviceStats[], persistence?: PersistenceState, t: Translate = english): NodeStatus {
  const s = linkStatus(link, devices, t);
  if (!persistence || persistence.ok || link.state === 'stopped') return s;
  const code = (persistence.error as { code?: string } | undefined)?.code ?? t('node-red:common.status.error', {}, 'error');
  // write-ahead: what cannot be recorded is not acknowledged, the devices keep it; the line resumes by itself
  if (persistence.holding) {
    // a workbook still loading is a normal start, not a fault: yellow
    const fill = code === 'EJOURNAL_WAITING' ? 'yellow' : 'red';
    return { fill, shape: s.shape, text: t('status.line.holding', { status: String(s.text), code }, '__status__ · holding replies (__code__)') };
  }
  return {
    fill: s.fill === 'green' ? 'yellow' : s.fill,
    shape: s.shape,
    text: t('status.line.notSaved', { status: String(s.text), code }, '__status__ · state not saved (__code__)'),
  };
}

function linkStatus(link: LinkState, devices: DeviceStats[], t: Translate): NodeStatus {
  switch (link.state) {
    case 'stopped':
      return { fill: 'grey', shape: 'ring', text: t('status.line.stopped', {}, 'stopped') };
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: t('node-red:common.status.connecting', {}, 'connecting') };
    case 'waiting': {
      const code = (link.error as { code?: string } | undefined)?.code ?? t('node-red:common.status.disconnected', {}, 'disconnected');
      const s = Math.ceil((link.retryInMs ?? 0) / 1000);
      return { fill: 'red', shape: 'ring', text: t('status.line.retry', { code, s }, '__code__ · retry __s__s') };
    }
    default: {
      const known = devices.filter((d) => d.online !== null);
      if (known.length === 0) return { fill: 'green', shape: 'ring', text: t('node-red:common.status.connected', {}, 'connected') };
      const online = devices.filter((d) => d.online).length;
      const offline = devices.filter((d) => d.online === false).length;
      const total = devices.length;
      if (offline === 0) return { fill: 'green', shape: 'dot', text: t('status.line.ok', { online, total }, 'ok __online__/__total__') };
      if (online === 0) return { fill: 'red', shape: 'dot', text: t('status.line.noneOnline', { total }, '0/__total__ online') };
      return { fill: 'yellow', shape: 'dot', text: t('status.line.offline', { n: offline }, '__n__ offline') };
    }
  }
}
