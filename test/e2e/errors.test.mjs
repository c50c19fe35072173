// Bad input gets a clear OpenWhisk-style error and changes nothing.
import test from 'node:test';
import assert from 'node:assert/strict';
import { ow, unique, raw } from './helpers.mjs';

const PY = 'def main(a):\n    return a\n';

test('wrong credentials get 401 with the OpenWhisk realm', async () => {
  const r = await raw('GET', '/namespaces/_/actions', { auth: 'nobody:' + 'k'.repeat(64) });
  assert.equal(r.status, 401);
  assert.match(r.headers.get('www-authenticate'), /OpenWhisk secure realm/);
  assert.ok(r.json.error && r.json.code);
  const none = await fetch(`${process.env.__OW_API_HOST}/api/v1/namespaces/_/actions`);
  assert.equal(none.status, 401);
});

async function refused(body, name = unique('bad')) {
  const r = await raw('PUT', `/namespaces/_/actions/${encodeURIComponent(name)}`, { body });
  assert.equal(r.status, 400, `${r.status} ${r.text}`);
  assert.equal(typeof r.json.error, 'string');
  assert.ok(r.json.code);
  const after = await raw('GET', `/namespaces/_/actions/${encodeURIComponent(name)}`);
  assert.equal(after.status, 404, 'a refused create must store nothing');
  return r.json.error;
}

test('malformed JSON, unknown kind, empty code, bad limits are refused', async () => {
  assert.match(await refused('{"exec": {"kind": "python:3", "code": '), /malformed/i);
  assert.match(await refused(JSON.stringify({ exec: { kind: 'cobol:85', code: PY } })), /runtime .cobol:85. is not supported/);
  await refused(JSON.stringify({ exec: { kind: 'python:3', code: '' } }));
  await refused(JSON.stringify({ exec: { kind: 'python:3' } }));
  assert.match(await refused(JSON.stringify({ exec: { kind: 'python:3', code: PY }, limits: { timeout: 50 } })), /timeout/i);
  assert.match(await refused(JSON.stringify({ exec: { kind: 'python:3', code: PY }, limits: { memory: 4096 } })), /memory/i);
  assert.match(await refused(JSON.stringify({ exec: { kind: 'python:3', code: PY }, limits: { logs: 11 } })), /log/i);
  await refused(JSON.stringify({ exec: { kind: 'python:3', code: PY }, parameters: 'not-a-list' }));
});

test('bad names are refused', async () => {
  for (const bad of [' leading', 'has*star', 'x'.repeat(300)]) {
    const r = await raw('PUT', `/namespaces/_/actions/${encodeURIComponent(bad)}`, { body: JSON.stringify({ exec: { kind: 'python:3', code: PY } }) });
    assert.ok([400, 404].includes(r.status), `${bad}: ${r.status}`);
  }
});

test('an update with bad input leaves the action unchanged', async () => {
  const client = ow();
  const name = unique('keep');
  await client.actions.create({ name, action: PY, kind: 'python:3' });
  const r = await raw('PUT', `/namespaces/_/actions/${name}?overwrite=true`, { body: JSON.stringify({ exec: { kind: 'python:3', code: PY }, limits: { timeout: 1 } }) });
  assert.equal(r.status, 400);
  const got = await client.actions.get({ name });
  assert.equal(got.version, '0.0.1');
  assert.equal(got.limits.timeout, 60000);
});

test('invoke carries the activation id header and accepts no non-object body', async () => {
  const client = ow();
  const name = unique('hdr');
  await client.actions.create({ name, action: PY, kind: 'python:3' });
  const r = await raw('POST', `/namespaces/_/actions/${name}?blocking=true`, { body: '{"a":1}' });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('x-openwhisk-activation-id'), r.json.activationId);
  const bad = await raw('POST', `/namespaces/_/actions/${name}?blocking=true`, { body: '[1,2' });
  assert.equal(bad.status, 400);
});
