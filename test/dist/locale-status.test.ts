/**
 * Status texts come from the locale catalogs (issue 11): every key the nodes look up exists in the
 * catalog of the node that looks it up, and no status in nodes/ is an English literal. Scans the sources.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { lineStatus } from '../../nodes/shared/line-status';

import { resolveFromNodeRed } from '../helpers/node-red-path';

const root = path.resolve(__dirname, '../..');
const nodesDir = path.join(root, 'nodes');
const types: string[] = Object.keys(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))['node-red'].nodes);
const core = JSON.parse(fs.readFileSync(resolveFromNodeRed('@node-red/nodes/locales/en-US/messages.json'), 'utf8'));

const catalog = (type: string): unknown => JSON.parse(fs.readFileSync(path.join(nodesDir, 'locales', 'en-US', `${type}.json`), 'utf8'));
const lookup = (obj: unknown, key: string): unknown => key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
const sources = (): string[] =>
  [...fs.readdirSync(nodesDir).map((f) => path.join(nodesDir, f)), ...fs.readdirSync(path.join(nodesDir, 'shared')).map((f) => path.join(nodesDir, 'shared', f))].filter((f) => f.endsWith('.ts'));

/**
 * The string literals (quoted, or the fixed parts of a template) of the expression that starts at `i`
 * and sit at its own level: not inside a call such as tr(...), which is where translated text comes from.
 */
function topLevelLiterals(src: string, i: number): string[] {
  const out: string[] = [];
  let depth = 0;
  const stack: ('(' | '{' | '[' | '${')[] = [];
  while (i < src.length) {
    const c = src[i];
    if (c === "'" || c === '"') {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\') { s += src[j + 1]; j += 2; } else s += src[j++];
      }
      if (depth === 0) out.push(s);
      i = j + 1;
      continue;
    }
    if (c === '`') {
      // a template: its fixed parts count at this level; ${...} parts are scanned as nested code
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== '`') {
        if (src[j] === '\\') { j += 2; continue; }
        if (src[j] === '$' && src[j + 1] === '{') {
          let k = j + 2;
          let d = 1;
          while (k < src.length && d) {
            if (src[k] === '{') d++;
            else if (src[k] === '}') d--;
            else if (src[k] === '`') k = src.indexOf('`', k + 1);
            else if (src[k] === "'" || src[k] === '"') k = src.indexOf(src[k], k + 1);
            k++;
          }
          out.push(...(depth === 0 ? topLevelLiterals(src.slice(j + 2, k - 1) + ',', 0) : []));
          j = k;
          continue;
        }
        s += src[j++];
      }
      if (depth === 0) out.push(s);
      i = j + 1;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') { stack.push(c); depth++; }
    else if (c === ')' || c === ']' || c === '}') {
      if (!stack.length) return out;
      stack.pop();
      depth--;
    } else if ((c === ',' || c === ';') && depth === 0) return out;
    i++;
  }
  return out;
}

/** `file:line text` for every `text:` of a status whose own literals hold a word. */
function englishStatusTexts(): string[] {
  const bad: string[] = [];
  for (const file of sources()) {
    const src = fs.readFileSync(file, 'utf8');
    const lines = src.split('\n');
    let offset = 0;
    lines.forEach((line, n) => {
      const t = line.trim();
      const at = line.search(/\btext: /);
      if (at >= 0 && !t.startsWith('*') && !t.startsWith('//') && !t.startsWith('/*')) {
        const words = topLevelLiterals(src, offset + at + 'text: '.length).filter((s) => /[A-Za-z]/.test(s));
        if (words.length) bad.push(`${path.relative(root, file)}:${n + 1} ${JSON.stringify(words)}`);
      }
      offset += line.length + 1;
    });
  }
  return bad;
}

describe('status texts come from the locale catalogs', () => {
  it('the scanner sees an English literal and passes a translated one', () => {
    const src = "node.status({ fill: 'red', text: `${n} bad formula${n > 1 ? 's' : ''}` }); x({ text: tr(RED, 'k', {}, 'bad') }); y({ text: a ? `${t} · ${tr(RED, 'b', {}, 'c')}` : t })";
    const starts = [...src.matchAll(/text: /g)].map((m) => m.index! + 'text: '.length);
    const at = (k: number) => topLevelLiterals(src, starts[k - 1]);
    assert.ok(at(1).some((s) => /bad formula/.test(s)), 'a template with words is English');
    assert.deepEqual(at(2), [], 'tr(...) is translated');
    assert.ok(!at(3).some((s) => /[A-Za-z]/.test(s)), 'separators alone are not words');
  });

  it('no node.status(...) or status.set(...) in nodes/ passes a literal English text', () => {
    assert.deepEqual(englishStatusTexts(), []);
  });

  it("every '<type>.…' key a node looks up is in that node's catalog", () => {
    const missing: string[] = [];
    let seen = 0;
    for (const type of types) {
      const src = fs.readFileSync(path.join(nodesDir, `${type}.ts`), 'utf8');
      const cat = catalog(type);
      const esc = type.replace(/[-.]/g, '\\$&');
      // the key argument of each tr(RED, …): up to its vars object (a ternary may name two keys)
      for (const call of src.split('tr(RED, ').slice(1)) {
        const keys = [...call.slice(0, call.indexOf('{')).matchAll(new RegExp(`'(${esc}\\.[A-Za-z0-9_.]+)'`, 'g'))].map((m) => m[1]);
        if (!keys.length) missing.push(`${type}: a tr(RED, …) whose key is not '${type}.…': ${call.slice(0, 60)}`);
        for (const k of keys) {
          seen++;
          if (typeof lookup(cat, k) !== 'string') missing.push(`${type}: ${k}`);
        }
      }
    }
    assert.ok(seen > 40, `keys found: ${seen}`);
    assert.deepEqual(missing, []);
  });

  it("every line status key is in the catalog of each node that shows a line's status", () => {
    const src = fs.readFileSync(path.join(nodesDir, 'shared', 'line-status.ts'), 'utf8');
    const keys = [...src.matchAll(/t\('(status\.line\.[A-Za-z0-9_.]+)'/g)].map((m) => m[1]);
    assert.ok(keys.length >= 6, 'line-status keys found');
    const users = types.filter((type) => /lineStatus\(/.test(fs.readFileSync(path.join(nodesDir, `${type}.ts`), 'utf8')));
    assert.deepEqual(users.sort(), ['mara-command', 'mara-poll']);
    for (const type of users) {
      assert.match(fs.readFileSync(path.join(nodesDir, `${type}.ts`), 'utf8'), new RegExp(`scoped\\(RED, '${type}'\\)`), `${type} passes its own catalog`);
      for (const k of keys) assert.equal(typeof lookup(catalog(type), `${type}.${k}`), 'string', `${type}.${k}`);
    }
  });

  it("every node-red:common.… key used is one of Node-RED's", () => {
    const used = new Set<string>();
    for (const file of sources()) for (const m of fs.readFileSync(file, 'utf8').matchAll(/'node-red:(common\.[A-Za-z0-9_.-]+)'/g)) used.add(m[1]);
    assert.ok(used.size >= 3, [...used].join());
    for (const k of used) assert.equal(typeof lookup(core, k), 'string', k);
  });

  it('lineStatus reads the given catalog and defaults to English', () => {
    const t = (key: string, vars: Record<string, string | number>) => `[${key}${Object.keys(vars).length ? ' ' + JSON.stringify(vars) : ''}]`;
    const dev = (online: boolean | null) => ({ online }) as never;
    assert.equal(lineStatus({ state: 'connecting' } as never, [], undefined, t).text, '[node-red:common.status.connecting]');
    assert.equal(lineStatus({ state: 'connected' } as never, [dev(true), dev(false)], undefined, t).text, '[status.line.offline {"n":1}]');
    assert.equal(lineStatus({ state: 'connected' } as never, [dev(true)]).text, 'ok 1/1');
    assert.equal(lineStatus({ state: 'waiting', retryInMs: 1500 } as never, []).text, 'disconnected · retry 2s');
  });

  it('lineStatus: a write-ahead journal that fails is red "holding replies", a workbook still loading yellow, a plain store yellow', () => {
    const up = { state: 'connected' } as never;
    const dev = [{ online: true }] as never;
    const err = (code: string) => Object.assign(new Error(code), { code });
    assert.deepEqual(lineStatus(up, dev, { ok: false, holding: true, error: err('EJOURNAL_READONLY') }), {
      fill: 'red',
      shape: 'dot',
      text: 'ok 1/1 · holding replies (EJOURNAL_READONLY)',
    });
    assert.equal(lineStatus(up, dev, { ok: false, holding: true, error: err('EJOURNAL_WAITING') }).fill, 'yellow');
    assert.deepEqual(lineStatus(up, dev, { ok: false, error: err('ESTATE') }), { fill: 'yellow', shape: 'dot', text: 'ok 1/1 · state not saved (ESTATE)' });
    assert.equal(lineStatus(up, dev, { ok: true }).text, 'ok 1/1');
  });
});
