// Action CRUD, invoke semantics and activation records through the official client.
import test from 'node:test';
import assert from 'node:assert/strict';
import { ow, unique, rejectsWith, waitForActivation, exampleLibrary } from './helpers.mjs';

const PY_ECHO = 'def main(args):\n    print("echo called")\n    return args\n';
const PY_FAIL = 'def main(args):\n    return {"error": "bad things: " + str(args.get("why"))}\n';
const JS_GREET = 'function main(p) { console.log("greeting", p.name); return { greeting: `Hello, ${p.name}!` }; }';

test('action CRUD with overwrite semantics', async () => {
  const client = ow();
  const name = unique('crud');
  const created = await client.actions.create({ name, action: PY_ECHO, kind: 'python:3' });
  assert.equal(created.name, name);
  assert.equal(created.exec.kind, 'python:3');
  assert.equal(created.version, '0.0.1');

  await rejectsWith(client.actions.create({ name, action: PY_ECHO, kind: 'python:3' }), 409);

  const got = await client.actions.get({ name });
  assert.equal(got.exec.code, PY_ECHO);
  assert.ok(got.annotations.some((a) => a.key === 'exec' && a.value === 'python:3'));

  const updated = await client.actions.update({ name, action: JS_GREET, kind: 'nodejs:20' });
  assert.equal(updated.exec.kind, 'nodejs:20');
  assert.equal(updated.version, '0.0.2');

  const list = await client.actions.list({ limit: 200 });
  assert.ok(list.some((a) => a.name === name));

  await client.actions.delete({ name });
  await rejectsWith(client.actions.get({ name }), 404);
  await rejectsWith(client.actions.delete({ name }), 404);
});

test('list honours limit and skip', async () => {
  const client = ow();
  const prefix = unique('page');
  for (let i = 0; i < 3; i++) await client.actions.create({ name: `${prefix}-${i}`, action: PY_ECHO, kind: 'python:3' });
  const all = (await client.actions.list({ limit: 200 })).filter((a) => a.name.startsWith(prefix));
  assert.equal(all.length, 3);
  const one = await client.actions.list({ limit: 1 });
  assert.equal(one.length, 1);
  const skipped = await client.actions.list({ limit: 200, skip: 1 });
  const total = await client.actions.list({ limit: 200 });
  assert.equal(skipped.length, total.length - 1);
});

test('blocking, non-blocking and result invokes in every kind', async () => {
  const client = ow();
  const kinds = [
    ['python:3', PY_ECHO, (r) => assert.equal(r.name, 'Ada')],
    ['nodejs:20', JS_GREET, (r) => assert.equal(r.greeting, 'Hello, Ada!')],
    ['cpp', exampleLibrary('libhello.so'), (r) => assert.match(JSON.stringify(r), /Ada/)],
  ];
  for (const [kind, code, check] of kinds) {
    const name = unique(kind.replace(/[:.]/g, '-'));
    await client.actions.create({ name, action: code, kind });
    const record = await client.actions.invoke({ name, params: { name: 'Ada' }, blocking: true });
    assert.equal(record.response.status, 'success', JSON.stringify(record));
    assert.equal(record.response.success, true);
    check(record.response.result);
    assert.ok(record.annotations.some((a) => a.key === 'path'));
    assert.ok(record.annotations.some((a) => a.key === 'kind' && a.value === kind));
    assert.ok(record.annotations.some((a) => a.key === 'limits'));
    assert.ok(record.annotations.some((a) => a.key === 'waitTime'));
    assert.ok(record.duration >= 0 && record.end >= record.start);

    const result = await client.actions.invoke({ name, params: { name: 'Ada' }, blocking: true, result: true });
    check(result);

    const { activationId } = await client.actions.invoke({ name, params: { name: 'Ada' } });
    assert.match(activationId, /^[0-9a-f]{32}$/);
    const later = await waitForActivation(client, activationId);
    assert.equal(later.activationId, activationId);
    check(later.response.result);
  }
});

test('activation get, list, result and logs', async () => {
  const client = ow();
  const name = unique('logs');
  await client.actions.create({ name, action: PY_ECHO, kind: 'python:3' });
  const record = await client.actions.invoke({ name, params: { x: 1 }, blocking: true });
  const id = record.activationId;

  const got = await client.activations.get({ name: id });
  assert.equal(got.activationId, id);
  assert.equal(got.name, name);
  assert.deepEqual(got.response.result, { x: 1 });

  const result = await client.activations.result({ name: id });
  assert.equal(result.success, true);
  assert.equal(result.status, 'success');
  assert.deepEqual(result.result, { x: 1 });

  const logs = await client.activations.logs({ name: id });
  assert.equal(logs.logs.length, 1, JSON.stringify(logs));
  assert.match(logs.logs[0], /^\d{4}-\d\d-\d\dT\S+Z\s+stdout: echo called$/);

  const listed = await client.activations.list({ name, limit: 10 });
  assert.ok(listed.some((a) => a.activationId === id));
  const docs = await client.activations.list({ name, limit: 10, docs: true });
  assert.ok(docs.find((a) => a.activationId === id).response);
  await rejectsWith(client.activations.get({ name: '0'.repeat(32) }), 404);
});

test('default parameters merge under invoke parameters', async () => {
  const client = ow();
  const name = unique('defaults');
  await client.actions.create({ name, action: PY_ECHO, kind: 'python:3', params: { a: 'default', b: 'default' } });
  const result = await client.actions.invoke({ name, params: { b: 'given', c: 3 }, blocking: true, result: true });
  assert.deepEqual(result, { a: 'default', b: 'given', c: 3 });
});

test('application error is 502 with the result', async () => {
  const client = ow();
  const name = unique('apperr');
  await client.actions.create({ name, action: PY_FAIL, kind: 'python:3' });
  const err = await rejectsWith(client.actions.invoke({ name, params: { why: 'test' }, blocking: true }), 502);
  assert.match(err.message, /bad things: test/);
  const record = err.error;
  assert.equal(record.response.status, 'application error');
  assert.equal(record.response.success, false);
});

test('missing action is 404', async () => {
  await rejectsWith(ow().actions.invoke({ name: unique('nothere'), blocking: true }), 404);
});

test('900 KB payload and unicode round-trip', async () => {
  const client = ow();
  const name = unique('big');
  await client.actions.create({ name, action: PY_ECHO, kind: 'python:3' });
  const big = 'x'.repeat(900 * 1024);
  const result = await client.actions.invoke({ name, params: { big }, blocking: true, result: true });
  assert.equal(result.big.length, big.length);
  const text = 'Grüße ❄ ☃ — 雪 🦀';
  const echoed = await client.actions.invoke({ name, params: { text }, blocking: true, result: true });
  assert.equal(echoed.text, text);
});

test('body over 1 MB is 413 and stores nothing', async () => {
  const client = ow();
  const name = unique('toolarge');
  await client.actions.create({ name, action: PY_ECHO, kind: 'python:3' });
  const before = await client.activations.list({ name, limit: 200 });
  await rejectsWith(client.actions.invoke({ name, params: { big: 'y'.repeat(1100 * 1024) }, blocking: true }), 413);
  await rejectsWith(client.actions.create({ name: unique('toolarge'), action: 'z'.repeat(2 * 1024 * 1024), kind: 'python:3' }), 413);
  const after = await client.activations.list({ name, limit: 200 });
  assert.equal(after.length, before.length);
});
