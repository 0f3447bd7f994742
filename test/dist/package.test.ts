/** The built package as Node-RED and users see it: dist/ entries, editor files beside them, examples. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const nodes: Record<string, string> = pkg['node-red'].nodes;
const CORE_TYPES = new Set(['tab', 'comment', 'inject', 'debug', 'catch', 'status', 'function', 'change', 'switch', 'link in', 'link out', 'complete', 'junction', 'group']);

describe('built package', () => {
  it('the library entry loads from dist/ without Node-RED and exposes the codec', () => {
    const lib = require(path.join(root, pkg.main));
    for (const f of ['bcc', 'encodeFrame', 'decodeFrame', 'encodePollReply', 'encodeTimeSet', 'FrameReader', 'MaraError'])
      assert.equal(typeof lib[f], 'function', f);
    assert.equal(lib.decodeFrame('FE 08 01 40 80 10 80 A7').seq, 0x80);
    assert.equal(lib.mara.bcc, lib.bcc);
  });

  for (const [type, file] of Object.entries(nodes)) {
    it(`${type}: runtime, editor, help, messages and icon are built beside each other`, () => {
      const js = path.join(root, file);
      const dir = path.dirname(js);
      assert.ok(fs.existsSync(js), js);
      assert.equal(typeof require(js), 'function', 'the module value is the node initialiser');
      const html = fs.readFileSync(path.join(dir, `${type}.html`), 'utf8');
      assert.match(html, new RegExp(`registerType\\('${type}'`));
      assert.match(html, new RegExp(`data-template-name="${type}"`));
      const help = fs.readFileSync(path.join(dir, 'locales', 'en-US', `${type}.html`), 'utf8');
      for (const h of ['Inputs', 'Outputs', 'Details']) assert.match(help, new RegExp(`<h3>${h}</h3>`), `${type} help has ${h}`);
      const messages = JSON.parse(fs.readFileSync(path.join(dir, 'locales', 'en-US', `${type}.json`), 'utf8'));
      assert.ok(messages[type], 'messages are namespaced by the node type');
      const isConfig = /category:\s*'config'/.test(html);
      const icon = /icon:\s*'([^']+)'/.exec(html)?.[1];
      if (!isConfig) assert.ok(icon && fs.existsSync(path.join(dir, 'icons', icon)), `icon ${icon} is in dist/nodes/icons`);
      for (const key of html.matchAll(/data-i18n="(?:\[\w+\])?([\w.-]+)"/g)) {
        const v = key[1].split('.').reduce((o: any, k) => (o == null ? o : o[k]), messages);
        assert.equal(typeof v, 'string', `i18n key ${key[1]} exists`);
      }
    });
  }

  it('example flows use only core nodes and this package’s nodes', () => {
    const dir = path.join(root, 'examples');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    assert.ok(files.length > 0);
    for (const f of files) {
      const flow = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      assert.ok(Array.isArray(flow), f);
      for (const n of flow) assert.ok(CORE_TYPES.has(n.type) || n.type in nodes || /^ui_/.test(n.type), `${f}: ${n.type}`);
      assert.ok(flow.some((n: any) => n.type === 'comment'), `${f} explains itself in a comment node`);
    }
  });
});
