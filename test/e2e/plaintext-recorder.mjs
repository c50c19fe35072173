// Records the confidential strings the end-to-end suites send and receive, so run.sh
// can look for every one of them on the provider's side (plaintext-scan.mjs).
// Loaded into every test process with NODE_OPTIONS=--import=<this file> when
// CLEMMYS_PLAINTEXT_LOG names the output file (JSON lines {what, value}); the suites
// themselves are unchanged. It wraps http/https.request (the openwhisk client's
// transport) and fetch (helpers.raw), reading request and response bodies as they pass.
//
// Confidential (DESIGN.md §3): action code, default parameters, invoke arguments,
// results of successful and application-error activations, log lines. Metadata is
// not recorded: names, kinds, limits, annotations, ids, status, platform errors.
import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';

const out = process.env.CLEMMYS_PLAINTEXT_LOG;

function record(what, value) {
  if (typeof value !== 'string' || value.length < 3) return;
  fs.appendFileSync(out, JSON.stringify({ what, value }) + '\n');
}

// Every string leaf of a JSON value (object keys of arguments are data too).
function leaves(what, v) {
  if (typeof v === 'string') record(what, v);
  else if (Array.isArray(v)) v.forEach((x) => leaves(what, x));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      record('key', k);
      leaves(what, x);
    }
  }
}

function codeOf(what, exec) {
  if (!exec || typeof exec.code !== 'string') return;
  if (exec.binary) {
    // base64 of a zip: a slice from the middle stands for the whole.
    const c = exec.code;
    record(what, c.slice(Math.floor(c.length / 2), Math.floor(c.length / 2) + 48));
    return;
  }
  for (const line of exec.code.split('\n')) if (line.trim().length >= 12) record(what, line.trim());
}

function params(what, list) {
  if (Array.isArray(list)) for (const p of list) leaves(what, p && p.value);
}

function activation(a) {
  if (!a || typeof a !== 'object') return;
  const r = a.response;
  if (r && (r.status === 'success' || r.status === 'application error')) leaves('result', r.result);
  // A sequence's logs are its components' activation ids (metadata, from the controller).
  const isSequence = Array.isArray(a.annotations) && a.annotations.some((x) => x.key === 'kind' && x.value === 'sequence');
  if (Array.isArray(a.logs)) {
    for (const l of a.logs) {
      if (isSequence) { record('public', String(l)); continue; }
      const m = /(?:stdout|stderr): (.*)$/.exec(String(l));
      record('log', m ? m[1] : String(l));
    }
  }
}

// Never throws into the client: a failure is recorded, and the scan counts it as void.
function exchange(...args) {
  try {
    recordExchange(...args);
  } catch (e) {
    try { fs.appendFileSync(out, JSON.stringify({ what: 'recorder-error', value: String(e && e.stack || e) }) + '\n'); } catch {}
  }
}

// One exchange: method, URL path and query, parsed request and response bodies.
function recordExchange(method, url, reqText, status, resText) {
  let req, res;
  try { req = reqText ? JSON.parse(reqText) : undefined; } catch { req = undefined; }
  try { res = resText ? JSON.parse(resText) : undefined; } catch { res = undefined; }
  const path = url.pathname;
  // Public metadata the provider legitimately knows: names and ids in the URL and
  // in responses. The scan ignores confidential strings that coincide with them.
  for (const seg of path.split('/')) {
    let name = seg;
    try { name = decodeURIComponent(seg); } catch { /* kept as sent */ }
    record('public', name);
  }
  for (const v of url.searchParams.values()) record('public', v);
  for (const r of Array.isArray(res) ? res : [res]) {
    if (r && typeof r === 'object') for (const k of ['activationId', 'name', 'namespace']) record('public', r[k]);
  }
  const isAction = /\/api\/v1\/namespaces\/[^/]+\/actions\//.test(path);
  if (isAction && method === 'PUT' && req) {
    codeOf('code', req.exec);
    params('parameter', req.parameters);
  }
  if (isAction && method === 'POST' && req) leaves('argument', req);
  if (status >= 400 || !res || typeof res !== 'object') return;
  if (isAction && method === 'GET') {
    codeOf('code', res.exec);
    params('parameter', res.parameters);
  }
  if (isAction && method === 'POST') {
    if (url.searchParams.get('result') === 'true') leaves('result', res);
    else activation(res);
  }
  if (/\/activations\/[^/]+$/.test(path)) activation(res);
  if (/\/activations\/[^/]+\/result$/.test(path)) activation({ response: res });
  if (/\/activations\/[^/]+\/logs$/.test(path)) activation(res);
  if (/\/activations\/?$/.test(path) && Array.isArray(res)) res.forEach(activation);
}

function toUrl(args) {
  const [a, b] = args;
  if (typeof a === 'string' || a instanceof URL) return new URL(String(a));
  const o = { ...(a || {}), ...(typeof b === 'object' && b ? b : {}) };
  const proto = o.protocol || 'http:';
  return new URL(`${proto}//${o.hostname || o.host || 'localhost'}${o.port ? ':' + o.port : ''}${o.path || '/'}`);
}

function wrap(mod) {
  const original = mod.request;
  mod.request = function request(...args) {
    const req = original.apply(this, args);
    let url;
    try { url = toUrl(args); } catch { return req; }
    const sent = [];
    for (const fn of ['write', 'end']) {
      const f = req[fn];
      req[fn] = function (chunk, ...rest) {
        if (chunk && typeof chunk !== 'function') sent.push(Buffer.from(chunk));
        return f.call(this, chunk, ...rest);
      };
    }
    req.once('response', (res) => {
      const got = [];
      const emit = res.emit;
      res.emit = function (event, chunk, ...rest) {
        if (event === 'data') got.push(Buffer.from(chunk));
        if (event === 'end') {
          exchange(req.method, url, Buffer.concat(sent).toString(), res.statusCode, Buffer.concat(got).toString());
        }
        return emit.call(this, event, chunk, ...rest);
      };
    });
    return req;
  };
}

if (out) {
  wrap(http);
  wrap(https);
  const originalFetch = globalThis.fetch;
  globalThis.fetch = async (input, init = {}) => {
    const isRequest = input instanceof Request;
    const sent = isRequest ? await input.clone().text() : typeof init.body === 'string' ? init.body : '';
    const res = await originalFetch(input, init);
    const url = new URL(isRequest ? input.url : String(input));
    const method = (init.method || (isRequest ? input.method : 'GET')).toUpperCase();
    exchange(method, url, sent, res.status, await res.clone().text());
    return res;
  };
}
