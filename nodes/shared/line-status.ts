import type { NodeStatus } from 'node-red';
import type { DeviceStats, LinkState, PersistenceState } from '../../lib/link/master-types';

/**
 * The status a consumer of a line shows (CONTRIBUTING.md §5), from the link state and the devices; a state
 * store that fails (issue 10 item 9) turns a good status yellow with ` · state not saved`.
 */
export function lineStatus(link: LinkState, devices: DeviceStats[], persistence?: PersistenceState): NodeStatus {
  const s = linkStatus(link, devices);
  if (!persistence || persistence.ok || link.state === 'stopped') return s;
  const code = (persistence.error as { code?: string } | undefined)?.code ?? 'error';
  return { fill: s.fill === 'green' ? 'yellow' : s.fill, shape: s.shape, text: `${s.text} · state not saved (${code})` };
}

function linkStatus(link: LinkState, devices: DeviceStats[]): NodeStatus {
  switch (link.state) {
    case 'stopped':
      return { fill: 'grey', shape: 'ring', text: 'stopped' };
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: 'connecting' };
    case 'waiting': {
      const code = (link.error as { code?: string } | undefined)?.code ?? 'disconnected';
      const s = Math.ceil((link.retryInMs ?? 0) / 1000);
      return { fill: 'red', shape: 'ring', text: `${code} · retry ${s}s` };
    }
    default: {
      const known = devices.filter((d) => d.online !== null);
      if (known.length === 0) return { fill: 'green', shape: 'ring', text: 'connected' };
      const online = devices.filter((d) => d.online).length;
      const offline = devices.filter((d) => d.online === false).length;
      if (offline === 0) return { fill: 'green', shape: 'dot', text: `ok ${online}/${devices.length}` };
      if (online === 0) return { fill: 'red', shape: 'dot', text: `0/${devices.length} online` };
      return { fill: 'yellow', shape: 'dot', text: `${offline} offline` };
    }
  }
}
