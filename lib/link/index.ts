/** Transports, the line master and the device simulator: pure Node, no Node-RED import. */
export * from './transport';
export { TcpTransport } from './tcp';
export { SerialTransport } from './serial';
export { listSerialPorts, SerialPortInfo } from './serial-ports';
export { createTransport, describeTransport } from './open-transport';
export { Backoff } from './backoff';
export { MaraMaster } from './master';
export * from './master-types';
export { Timers, TimerHandle, realTimers } from './timers';
export { StateStore, LineState, DeviceState, FileStateStore, MemoryStateStore, STATE_FILE_MAX_BYTES } from './state-store';
export { LineHub, LineConsumer } from './line-hub';
export { SimDevice, SimDeviceOptions, SimDeviceStats } from '../sim/device';
export { MaraSimulator, SimulatorStats } from '../sim/simulator';
export { startActivity, SubstationActivity, ActivityOptions } from '../sim/activity';
