/**
 * node-red-contrib-mara as a library: `const mara = require('node-red-contrib-mara')`.
 * The codec is at the top level (`mara.decodeFrame`) and also as `mara.mara`; the transports, the line
 * master and the simulator are `mara.link`.
 */
import * as link from './link';
import * as mara from './mara';

export * from './mara';
export { mara, link };
