// Shared set-up for the end-to-end suites: the official OpenWhisk client configured
// from the environment that run.sh exports, and small utilities.
import openwhisk from 'openwhisk';
import fs from 'node:fs';
import path from 'node:path';

export const ow = () => openwhisk({ apihost: process.env.__OW_API_HOST, api_key: process.env.__OW_API_KEY });

export const unique = (prefix) => `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

// Expects a promise to reject with an OpenWhiskError of the given HTTP status.
export async function rejectsWith(promise, statusCode) {
  try {
    await promise;
  } catch (e) {
    if (e.statusCode !== statusCode) throw new Error(`expected ${statusCode}, got ${e.statusCode}: ${e.message}`);
    return e;
  }
  throw new Error(`expected HTTP ${statusCode}, but the call succeeded`);
}

// Raw HTTP for what the client cannot send (malformed JSON, wrong credentials).
export async function raw(method, pathname, { body, auth = process.env.__OW_API_KEY, headers = {} } = {}) {
  const res = await fetch(`${process.env.__OW_API_HOST}/api/v1${pathname}`, {
    method,
    headers: { Authorization: 'Basic ' + Buffer.from(auth).toString('base64'), 'Content-Type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

export function exampleLibrary(name) {
  const file = path.join(process.env.CLEMMYS_BUILD_DIR, 'examples', name);
  if (!fs.existsSync(file)) throw new Error(`example library missing: ${file}`);
  return fs.readFileSync(file);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls for an activation record (non-blocking invokes finish asynchronously).
export async function waitForActivation(client, id, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await client.activations.get({ name: id });
    } catch (e) {
      if (e.statusCode !== 404 || Date.now() > end) throw e;
      await sleep(50);
    }
  }
}
