// Sequences: ordering, result passing, short-circuit on error, component ids in logs.
import test from 'node:test';
import assert from 'node:assert/strict';
import { ow, unique, rejectsWith, exampleLibrary } from './helpers.mjs';

test('a three-kind sequence passes each result to the next step', async () => {
  const client = ow();
  const a = unique('seq-a'), b = unique('seq-b'), c = unique('seq-c'), s = unique('seq');
  await client.actions.create({ name: a, action: 'def main(p):\n    return {"trail": p.get("trail", []) + ["py"]}\n', kind: 'python:3' });
  await client.actions.create({ name: b, action: 'function main(p) { return { trail: p.trail.concat(["js"]) }; }', kind: 'nodejs:20' });
  await client.actions.create({ name: c, action: 'def main(p):\n    return {"trail": p["trail"] + ["end"]}\n', kind: 'python:3' });
  await client.actions.create({ name: s, sequence: [`/_/${a}`, `/_/${b}`, `/_/${c}`] });

  const record = await client.actions.invoke({ name: s, params: { trail: ['start'] }, blocking: true });
  assert.deepEqual(record.response.result, { trail: ['start', 'py', 'js', 'end'] });
  assert.equal(record.logs.length, 3);
  for (const id of record.logs) {
    const component = await client.activations.get({ name: id });
    assert.equal(component.response.status, 'success');
  }
  assert.ok(record.annotations.some((x) => x.key === 'kind' && x.value === 'sequence'));
});

test('a component error stops the sequence', async () => {
  const client = ow();
  const ok = unique('seq-ok'), bad = unique('seq-bad'), never = unique('seq-never'), s = unique('seq-err');
  await client.actions.create({ name: ok, action: 'def main(p):\n    return {"n": 1}\n', kind: 'python:3' });
  await client.actions.create({ name: bad, action: 'def main(p):\n    return {"error": "stop here"}\n', kind: 'python:3' });
  await client.actions.create({ name: never, action: 'def main(p):\n    return {"reached": True}\n', kind: 'python:3' });
  await client.actions.create({ name: s, sequence: [`/_/${ok}`, `/_/${bad}`, `/_/${never}`] });
  const err = await rejectsWith(client.actions.invoke({ name: s, blocking: true }), 502);
  assert.match(err.message, /stop here/);
  assert.equal(err.error.logs.length, 2);
  const neverRuns = await client.activations.list({ name: never, limit: 10 });
  assert.equal(neverRuns.length, 0);
});

test('sequences refuse missing components and cycles', async () => {
  const client = ow();
  const s = unique('seq-missing');
  await rejectsWith(client.actions.create({ name: s, sequence: [`/_/${unique('nope')}`] }), 400);
  const a = unique('seq-self-a');
  await client.actions.create({ name: a, action: 'def main(p):\n    return p\n', kind: 'python:3' });
  const loop = unique('seq-loop');
  await client.actions.create({ name: loop, sequence: [`/_/${a}`] });
  await rejectsWith(client.actions.update({ name: loop, sequence: [`/_/${a}`, `/_/${loop}`] }), 400);
});

test('cpp functions chain in a sequence', async () => {
  const client = ow();
  const h = unique('seq-cpp');
  await client.actions.create({ name: h, action: exampleLibrary('libhello.so'), kind: 'cpp' });
  const s = unique('seq-cpp-s');
  await client.actions.create({ name: s, sequence: [`/_/${h}`] });
  const result = await client.actions.invoke({ name: s, params: { name: 'Grace' }, blocking: true, result: true });
  assert.match(JSON.stringify(result), /Grace/);
});
