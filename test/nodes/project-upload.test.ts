/**
 * Issue 10 item 6: the workbook upload and the formula try box in a real Node-RED runtime without adminAuth.
 * Requests a web page of another site can make (text/plain, form-encoded, or with another Origin) are refused
 * and change nothing; the editor's own request stores the file, keeps the previous one and never replaces a
 * workbook with one that holds nothing; no symbolic link leads a read or a write outside the user directory;
 * no answer shows an absolute path.
 */
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { until } from '../helpers/pipe';
import { helper } from '../helpers/red';
import projectNode = require('../../nodes/mara-project');
import formulaNode = require('../../nodes/mara-formula');

const NODES = [projectNode, formulaNode];
const EXAMPLE = fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'substation.xlsx'));
const OCTET = 'application/octet-stream';

describe('mara-project upload and admin endpoints (item 6)', () => {
  let base = '';
  let userDir = '';
  let outside = '';
  const target = () => path.join(userDir, 'mara-projects', 'substation.xlsx');
  const flow = () => [
    { id: 'proj', type: 'mara-project', path: 'mara-projects/substation.xlsx', dialect: 'txscada', watch: false },
    { id: 't', type: 'tab' },
    { id: 'frm', type: 'mara-formula', z: 't', project: '', dialect: 'txscada', formulas: [{ tag: 'T', attr: 'text', formula: 'str(1)' }], wires: [[]] },
  ];
  const points = () => (helper.getNode('proj') as any).project.model.points.length as number;
  const upload = (name = 'substation.xlsx') => helper.request().post(`/mara/project/upload?name=${name}`);
  /** Every answer body, to check that none names a server path. */
  const bodies: string[] = [];
  const keep = <R extends { text: string }>(r: R) => {
    bodies.push(r.text);
    return r;
  };

  before(() => new Promise<void>((r) => helper.startServer(() => r())));
  after(() => new Promise<void>((r) => helper.stopServer(() => r())));
  beforeEach(async () => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'mara-upload-'));
    userDir = path.join(base, 'user');
    outside = path.join(base, 'outside');
    fs.mkdirSync(path.join(userDir, 'mara-projects'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(target(), EXAMPLE);
    helper.settings({ userDir });
  });
  afterEach(async () => {
    await helper.unload();
    helper.settings({});
    for (const b of bodies.splice(0)) {
      assert.ok(!b.includes(base), `an answer shows a server path: ${b}`);
      assert.ok(!b.includes(os.tmpdir() + path.sep), `an answer shows a server path: ${b}`);
    }
    fs.rmSync(base, { recursive: true, force: true });
  });

  const loaded = async () => {
    await helper.load(NODES, flow());
    await until(() => ((helper.getNode('proj') as any).project?.version ?? 0) > 0, 15000, 'workbook loaded');
    assert.ok(points() > 20, String((helper.getNode('proj') as any).project.error));
  };

  it('refuses what an HTML form or another page can send, and the workbook stays', async () => {
    await loaded();
    const before = points();
    // the attack of the issue: a text/plain body (a form with enctype=text/plain, or fetch no-cors)
    keep(await upload().set('content-type', 'text/plain').send('0123456789abcdef').expect(415));
    keep(await upload().type('form').send({ a: 'b' }).expect(415));
    keep(await upload().set('content-type', 'multipart/form-data; boundary=x').send('--x--').expect(415));
    // a page of another origin with the editor's content type (Node-RED would answer its preflight)
    const r = keep(await upload().set('content-type', OCTET).set('origin', 'http://127.0.0.1:1').send(Buffer.from('x')).expect(403));
    assert.equal(r.body.code, 'ECROSSORIGIN');
    keep(await upload().set('content-type', OCTET).set('sec-fetch-site', 'same-site').send(Buffer.from('x')).expect(403));
    keep(await upload().set('content-type', OCTET).set('sec-fetch-site', 'cross-site').send(Buffer.from('x')).expect(403));
    keep(await upload().set('content-type', OCTET).set('origin', 'null').send(Buffer.from('x')).expect(403));
    assert.deepEqual(fs.readFileSync(target()), EXAMPLE, 'the file is unchanged');
    await helper.request().post('/mara/project/proj/reload').set('sec-fetch-site', 'cross-site').expect(403);
    await helper.request().get('/mara/project/proj/problems').set('origin', 'http://evil.example').expect(403);
    assert.equal(points(), before, 'the running project is unchanged');
  });

  it('the editor request stores the file and keeps the previous one; an empty model replaces nothing', async () => {
    await loaded();
    // what the editor sends: same origin, application/octet-stream
    const junk = keep(await upload().set('content-type', OCTET).set('sec-fetch-site', 'same-origin').send(Buffer.from('0123456789abcdef')).expect(422));
    assert.equal(junk.body.code, 'EEMPTYMODEL');
    keep(await upload().set('content-type', OCTET).send(Buffer.from('{}')).expect(422));
    keep(await upload().set('content-type', OCTET).send(Buffer.alloc(0)).expect(400));
    assert.deepEqual(fs.readFileSync(target()), EXAMPLE);
    // a good workbook (a smaller one: the example as JSON, without its formulas)
    const model = (helper.getNode('proj') as any).project.model;
    const json = Buffer.from(JSON.stringify({ ...model, formulas: [] }));
    const host = helper.url().replace(/^http:\/\//, '');
    const ok = keep(await upload('substation.xlsx').set('content-type', OCTET).set('host', host).set('origin', `http://${host}`).send(json).expect(200));
    assert.deepEqual(ok.body, { path: 'mara-projects/substation.xlsx', backup: 'mara-projects/substation.xlsx.bak', problems: 0 });
    assert.deepEqual(fs.readFileSync(target()), json);
    assert.deepEqual(fs.readFileSync(`${target()}.bak`), EXAMPLE, 'the previous file is kept');
    const r = keep(await helper.request().post('/mara/project/proj/reload').expect(200));
    assert.equal(r.body.error, null);
    assert.equal(points(), model.points.length);
  });

  it('follows no symbolic link out of the user directory', async () => {
    await loaded();
    const victim = path.join(outside, 'victim.xlsx');
    fs.writeFileSync(victim, 'precious');
    // a link planted in place of the uploaded file
    fs.rmSync(target());
    fs.symlinkSync(victim, target());
    let r = keep(await upload().set('content-type', OCTET).send(EXAMPLE).expect(403));
    assert.equal(r.body.code, 'EPATH');
    // the upload folder itself replaced by a link
    fs.rmSync(path.join(userDir, 'mara-projects'), { recursive: true });
    fs.symlinkSync(outside, path.join(userDir, 'mara-projects'));
    r = keep(await upload('other.xlsx').set('content-type', OCTET).send(EXAMPLE).expect(403));
    assert.equal(r.body.code, 'EPATH');
    // the backup name as a link
    fs.rmSync(path.join(userDir, 'mara-projects'));
    fs.mkdirSync(path.join(userDir, 'mara-projects'));
    fs.writeFileSync(target(), EXAMPLE);
    fs.symlinkSync(victim, `${target()}.bak`);
    keep(await upload().set('content-type', OCTET).send(EXAMPLE).expect(403));
    assert.equal(fs.readFileSync(victim, 'utf8'), 'precious', 'nothing outside was written');
    assert.deepEqual(fs.readdirSync(outside), ['victim.xlsx']);
    // reading: a reload through a link planted after the deploy is refused, the previous model stays
    fs.rmSync(`${target()}.bak`);
    fs.rmSync(target());
    fs.symlinkSync(victim, target());
    const before = points();
    r = keep(await helper.request().post('/mara/project/proj/reload').expect(200));
    assert.match(r.body.error, /symbolic link/);
    assert.equal(points(), before);
  });

  it('a project path through a symbolic link is refused at deploy, without an absolute path', async () => {
    fs.symlinkSync(outside, path.join(userDir, 'elsewhere'));
    fs.writeFileSync(path.join(outside, 'w.xlsx'), EXAMPLE);
    await helper.load(NODES, [{ id: 'proj', type: 'mara-project', path: 'elsewhere/w.xlsx', dialect: 'txscada', watch: false }]);
    const n = helper.getNode('proj') as any;
    assert.equal(n.project, null);
    assert.match(n.configError.message, /symbolic link/);
    assert.ok(!n.configError.message.includes(base));
  });

  it('POST /mara/formula/try accepts only the editor JSON request', async () => {
    await helper.load(NODES, flow());
    keep(await helper.request().post('/mara/formula/try').type('form').send({ formula: 'str(1)' }).expect(415));
    keep(await helper.request().post('/mara/formula/try').set('content-type', 'text/plain').send('{"formula":"str(1)"}').expect(415));
    keep(await helper.request().post('/mara/formula/try').set('origin', 'http://127.0.0.1:1').send({ formula: 'str(1)' }).expect(403));
    const r = keep(await helper.request().post('/mara/formula/try').send({ formula: 'str(1)' }).expect(200));
    assert.deepEqual(r.body, { ok: true, value: '1', type: 'string' });
  });
});
