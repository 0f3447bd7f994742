import type { Node, NodeAPI } from 'node-red';
import { lineFromWorkbook } from '../../lib/points/line-from-workbook';
import type { ProjectModel } from '../../lib/project/model';
import type { DeviceConfig } from '../../lib/link/master-types';
import type { TransportOptions } from '../../lib/link/transport';
import type { MaraProjectNode } from './project-node';

/**
 * A mara-line that names a project COMaster: its dialog copied the workbook's host, port and devices (the runtime
 * needs them when the line starts, before the workbook has loaded); each time the workbook loads, a line that no
 * longer matches it says so, with what the workbook has (issue 12 item 4).
 */
export function watchProjectLine(
  RED: NodeAPI,
  node: Node,
  cfg: { project?: string; comaster?: string; projectPoll?: string },
  running: { transport: TransportOptions; devices: DeviceConfig[] },
): () => void {
  const projectNode = cfg.project ? (RED.nodes.getNode(cfg.project) as MaraProjectNode | null) : null;
  const p = projectNode?.project;
  if (!p) {
    if (cfg.project) node.warn('the project this line takes its COMaster from is not deployed');
    return () => undefined;
  }
  let said = '';
  p.subscribe(node.id, ({ model }: { model: ProjectModel }) => {
    const w = lineFromWorkbook(model, { comaster: cfg.comaster ?? '', poll: cfg.projectPoll === 'concentrator' ? 'concentrator' : 'direct' });
    let m = '';
    if (!w.ok) m = `project COMaster: ${w.code}: ${w.message}`;
    else {
      const have = running.transport.type === 'tcp' ? `${running.transport.host}:${running.transport.port}` : `serial ${running.transport.path}`;
      const addrs = running.devices.map((d) => d.address).join(',');
      const want = w.devices.map((d) => d.address).join(',');
      if (have !== `${w.host}:${w.port}` || addrs !== want)
        m = `the workbook's COMaster ${w.comaster} is ${w.host}:${w.port} with devices ${want}; this line runs ${have} with devices ${addrs}: open the line, take the COMaster from the project again and deploy`;
      else for (const n of w.notes) node.log(n);
    }
    if (m && m !== said) node.warn(m);
    said = m;
  });
  return () => p.unsubscribe(node.id);
}
