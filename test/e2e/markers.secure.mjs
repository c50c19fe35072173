// Secure-mode confidentiality probe (run by run.sh after the secure suites, NOT a
// *.test.mjs suite): deploys and invokes an action whose code, default parameters,
// arguments, logs and result each carry a distinct marker; run.sh then greps the
// controller's database files for every marker. Each marker appears in exactly one
// place, so a hit names the leak. The marker text is assembled at run time in the
// action, so e.g. the RESULT marker is never in the code.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { ow, unique } from './helpers.mjs';

const tag = process.env.CLEMMYS_MARKER_TAG;
const marker = (what) => `${what}MARK${tag}`;  // what + "MARK" + tag, e.g. ARGMARKx1y2

const code = `
# CODE${'MARK'}${tag} lives only in this comment
def main(args):
    print("LOG" + "MARK" + "${tag}", args.get("secret_arg"), args.get("p"))
    return {"answer": "RESULT" + "MARK" + "${tag}", "echo_param_len": len(args.get("p", ""))}
`;

test('invoke with markers in code, parameters, arguments, logs and result', async () => {
  assert.ok(tag && tag.length >= 6, 'CLEMMYS_MARKER_TAG must be set');
  const client = ow();
  const name = unique('markers');
  await client.actions.create({
    name, kind: 'python:3', action: code,
    params: { p: marker('PARAM') },
  });
  const r = await client.actions.invoke({ name, blocking: true, params: { secret_arg: marker('ARG') } });
  assert.equal(r.response.success, true, JSON.stringify(r.response));
  assert.equal(r.response.result.answer, marker('RESULT'));
  assert.ok(r.logs.some((l) => l.includes(marker('LOG'))), JSON.stringify(r.logs));
  const got = await client.actions.get({ name });
  assert.ok(got.exec.code.includes(marker('CODE')));
  if (process.env.CLEMMYS_MARKER_LIST) {
    fs.writeFileSync(process.env.CLEMMYS_MARKER_LIST,
      ['CODE', 'PARAM', 'ARG', 'LOG', 'RESULT'].map(marker).join('\n') + '\n');
  }
});
