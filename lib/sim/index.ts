/** The device simulator: simulated IEDs (SimDevice), a COMaster over TCP or serial (MaraSimulator), substation activity. */
export { SimDevice, SimDeviceOptions, SimDeviceStats } from './device';
export { MaraSimulator, SimulatorStats, SimulatorEvents, SerialSimOptions } from './simulator';
export { startActivity, SubstationActivity, ActivityOptions, mulberry32 } from './activity';
