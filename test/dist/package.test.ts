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

  it('examples import cleanly side by side: no sub-folder (an empty Import menu category), no shared node id, no shared port', () => {
    const dir = path.join(root, 'examples');
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    assert.deepEqual(entries.filter((e) => e.isDirectory()).map((e) => e.name), [], 'Node-RED lists every folder of examples/ as a category');
    const ids = new Map<string, string>();
    const ports = new Map<string, string>();
    for (const f of entries.filter((e) => e.name.endsWith('.json')).map((e) => e.name)) {
      for (const n of JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))) {
        assert.ok(!ids.has(n.id), `${f}: node id ${n.id} is also in ${ids.get(n.id)}`);
        ids.set(n.id, f);
        if (n.type === 'mara-simulator' && n.transport === 'tcp') {
          assert.ok(!ports.has(n.port), `${f}: TCP port ${n.port} is also used by ${ports.get(n.port)}`);
          ports.set(n.port, f);
        }
      }
    }
  });

  it('every example node carries every property its editor defines (else the editor shows it as not configured)', () => {
    const defaults = new Map<string, string[]>();
    for (const type of Object.keys(nodes)) {
      const html = fs.readFileSync(path.join(root, 'nodes', `${type}.html`), 'utf8');
      const start = html.indexOf('defaults:', html.indexOf(`registerType('${type}'`));
      let depth = 0;
      let end = start;
      for (let i = html.indexOf('{', start); i < html.length; i++) {
        if (html[i] === '{') depth++;
        else if (html[i] === '}' && --depth === 0) {
          end = i;
          break;
        }
      }
      const block = html.slice(html.indexOf('{', start) + 1, end);
      // top-level keys of the defaults object: `name: {` at depth 0 of the block
      const keys: string[] = [];
      let d = 0;
      for (const m of block.matchAll(/([{}])|(?:^|[,{\s])(\w+)\s*:\s*\{/g)) {
        if (m[1] === '{') d++;
        else if (m[1] === '}') d--;
        else if (d === 0 && m[2]) {
          keys.push(m[2]);
          d++;
        }
      }
      defaults.set(type, keys);
    }
    assert.ok(defaults.get('mara-simulator')!.includes('breakers'));
    for (const f of fs.readdirSync(path.join(root, 'examples')).filter((n) => n.endsWith('.json'))) {
      for (const n of JSON.parse(fs.readFileSync(path.join(root, 'examples', f), 'utf8'))) {
        for (const k of defaults.get(n.type) ?? []) assert.ok(k in n, `${f}: ${n.type} ${n.id} lacks ${k}`);
      }
    }
  });
});
