/**
 * The mara-line node the flow tests load against a MaraSimulator on 127.0.0.1 (device 1, polled every 50 ms);
 * `extra` overrides or adds (project, persist, devices …).
 */
export function simLineNode(port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'line',
    type: 'mara-line',
    transport: 'tcp',
    host: '127.0.0.1',
    port,
    masterAddress: 64,
    devices: [{ address: 1, name: 'comaster', pollInterval: 0.05, timeout: 150, retries: 1 }],
    pehInterval: 60,
    pehOnConnect: true,
    maxQueue: 100,
    ...extra,
  };
}
