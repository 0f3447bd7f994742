/** Every node type examples/substation-demo.json uses (ours, the core's and Dashboard 1's), for helper.load. */
import { catchNode, coreNode } from './red';
import projectNode = require('../../nodes/mara-project');
import pointsNode = require('../../nodes/mara-points');
import formulaNode = require('../../nodes/mara-formula');
import lineNode = require('../../nodes/mara-line');
import pollNode = require('../../nodes/mara-poll');
import simNode = require('../../nodes/mara-simulator');
import screenNode = require('../../nodes/ui_mara_screen');
import alarmsNode = require('../../nodes/ui_mara_alarms');
import eventsNode = require('../../nodes/mara-events');

const dashboard = ['ui_base', 'ui_tab', 'ui_group'].map((n) => require(`node-red-dashboard/nodes/${n}.js`));

export const DEMO_NODES: unknown[] = [
  projectNode,
  pointsNode,
  formulaNode,
  lineNode,
  pollNode,
  simNode,
  screenNode,
  alarmsNode,
  eventsNode,
  catchNode,
  coreNode('20-inject.js'),
  coreNode('90-comment.js'),
  coreNode('21-debug.js'),
  ...dashboard,
];
