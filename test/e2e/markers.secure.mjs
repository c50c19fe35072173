// Secure-mode confidentiality probe (run by run.sh after the secure suites, NOT a
// *.test.mjs suite): deploys and invokes an action whose code, default parameters,
// arguments, logs and result each carry a distinct marker, and whose policy entry
// (run.sh's `clemmys up --policy`) hands it a secret in its environment, which it
// logs and returns. run.sh then scans the provider's side for the markers, the
// secret and everything else the suites recorded (plaintext-scan.mjs). The marker
// text is assembled at run time in the action, so e.g. the RESULT marker is never
// in the code.
import test from 'node:test';
import assert from 'node:assert/strict';
import { ow } from './helpers.mjs';

const tag = process.env.CLEMMYS_MARKER_TAG;
const secret = process.env.CLEMMYS_MARKER_SECRET;
const marker = (what) => `${what}MARK${tag}`;  // what + "MARK" + tag, e.g. ARGMARKx1y2

const code = `
import os
# CODE${'MARK'}${tag} lives only in this comment
def main(args):
    secret = os.environ.get("MARKER_SECRET", "")
    print("LOG" + "MARK" + "${tag}", args.get("secret_arg"), args.get("p"), secret)
    return {"answer": "RESULT" + "MARK" + "${tag}", "echo_param_len": len(args.get("p", "")), "secret": secret}
`;

test('invoke with markers in code, parameters, arguments, logs, result and a policy secret', async () => {
  assert.ok(tag && tag.length >= 6, 'CLEMMYS_MARKER_TAG must be set');
  assert.ok(secret && secret.length >= 16, 'CLEMMYS_MARKER_SECRET must be set');
  const client = ow();
  const name = `markers-${tag}`;  // run.sh's policy names /guest/markers-<tag>
  await client.actions.create({
    name, kind: 'python:3', action: code,
    params: { p: marker('PARAM') },
  });
  const r = await client.actions.invoke({ name, blocking: true, params: { secret_arg: marker('ARG') } });
  assert.equal(r.response.success, true, JSON.stringify(r.response));
  assert.equal(r.response.result.answer, marker('RESULT'));
  assert.equal(r.response.result.secret, secret, 'the policy secret did not reach the function');
  assert.ok(r.logs.some((l) => l.includes(marker('LOG')) && l.includes(secret)), JSON.stringify(r.logs));
  const got = await client.actions.get({ name });
  assert.ok(got.exec.code.includes(marker('CODE')));
});
