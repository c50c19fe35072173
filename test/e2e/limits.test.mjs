// Waiting limits and timeouts: blocking past its wait, action time limit, 429.
import test from 'node:test';
import assert from 'node:assert/strict';
import { ow, unique, raw, waitForActivation } from './helpers.mjs';

const SLEEPER = 'import time\ndef main(p):\n    time.sleep(p.get("s", 1))\n    return {"slept": p.get("s", 1)}\n';

test('a blocking invoke past its wait answers 202 and the activation completes', async () => {
  const client = ow();
  const name = unique('slow');
  await client.actions.create({ name, action: SLEEPER, kind: 'python:3' });
  const r = await raw('POST', `/namespaces/_/actions/${name}?blocking=true&timeout=300`, { body: '{"s": 1.5}' });
  assert.equal(r.status, 202, r.text);
  assert.match(r.json.activationId, /^[0-9a-f]{32}$/);
  const record = await waitForActivation(client, r.json.activationId);
  assert.deepEqual(record.response.result, { slept: 1.5 });
});

test('an action over its time limit is a developer error and the action still works', async () => {
  const client = ow();
  const name = unique('timeout');
  await client.actions.create({ name, action: SLEEPER, kind: 'python:3', limits: { timeout: 500 } });
  const r = await raw('POST', `/namespaces/_/actions/${name}?blocking=true`, { body: '{"s": 5}' });
  assert.equal(r.status, 502, r.text);
  assert.equal(r.json.response.status, 'action developer error');
  assert.match(r.json.response.result.error, /exceeded its time limits of 500 milliseconds/);
  const ok = await client.actions.invoke({ name, params: { s: 0 }, blocking: true, result: true });
  assert.deepEqual(ok, { slept: 0 });
});

test('a timeout query over 60000 ms is refused', async () => {
  const client = ow();
  const name = unique('badwait');
  await client.actions.create({ name, action: SLEEPER, kind: 'python:3' });
  const r = await raw('POST', `/namespaces/_/actions/${name}?blocking=true&timeout=70000`, { body: '{}' });
  assert.equal(r.status, 400);
  assert.match(r.json.error, /Timeout must be number of milliseconds up to 60000/);
});
