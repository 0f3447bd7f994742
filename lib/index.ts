/**
 * node-red-contrib-mara as a library: `const mara = require('node-red-contrib-mara')`.
 * The codec is at the top level (`mara.decodeFrame`) and also as `mara.mara`.
 */
import * as mara from './mara';

export * from './mara';
export { mara };
