// ActionLoop launcher for nodejs:20 actions of clemmys-runtime.
//
// Usage: node nodejs_launcher.js <action dir> <main> <source|package> [function args...]
//        node nodejs_launcher.js --prestart
//
// "source": <action dir>/index.js is plain action code; it is evaluated like a
// CommonJS module, and the entry point is exports[<main>] or a top-level function
// declaration named <main>. "package": require(<action dir>) (package.json "main",
// else index.js) and use exports[<main>] (or the export itself for "main").
// Writes {"ok":true} to fd 3 once loaded, or {"error":"..."} and exits 1.
// Then, per stdin line (one /run body as JSON): exports every key except "value" as
// __OW_<KEY> (strings verbatim, null skipped, other values as JSON text), calls
// main(value), awaits a returned Promise, and writes the result as one JSON line to
// fd 3. A thrown error or rejected promise becomes {"error":"<message>"}.
//
// With --prestart (POST /prestart, before the code exists): writes {"ready":true} to
// fd 3, then reads ONE start line on stdin, {"dir","main","mode","env","argv"}, sets
// each env entry in process.env and makes process.argv what the command line
// `<dir> <main> <mode> ...argv` would have made it, and goes on as above.
'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');
const vm = require('vm');
const Module = require('module');

const RESULTS_FD = 3;

function writeAll(fd, text) {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}

function reply(obj) {
  const text = JSON.stringify(obj);
  // JSON.stringify(undefined) is undefined: send null so the runtime reports a
  // result that is not a dictionary or array.
  writeAll(RESULTS_FD, (text === undefined ? 'null' : text) + '\n');
}

function errorMessage(e) {
  if (e && typeof e === 'object' && typeof e.message === 'string') return e.message;
  return String(e);
}

function loadSource(dir, entry) {
  if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(entry)) {
    throw new Error(`'${entry}' is not a valid function name`);
  }
  const file = path.join(dir, 'index.js');
  const code = fs.readFileSync(file, 'utf8');
  const mod = new Module(file, null);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(dir);
  const wrapper = '(function (exports, require, module, __filename, __dirname) {' + code +
      `\n;return (typeof ${entry} === 'function') ? ${entry} : undefined;\n})`;
  const fn = vm.runInThisContext(wrapper, { filename: file });
  const declared = fn.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dir);
  const exp = mod.exports;
  if (exp && typeof exp[entry] === 'function') return exp[entry];
  if (typeof declared === 'function') return declared;
  if (entry === 'main' && typeof exp === 'function') return exp;
  return undefined;
}

function loadPackage(dir, entry) {
  const exp = require(path.resolve(dir));
  if (exp && typeof exp[entry] === 'function') return exp[entry];
  if (entry === 'main' && typeof exp === 'function') return exp;
  return undefined;
}

function envText(value) {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

// Lines of stdin, one at a time; the same iterator serves the start line and the
// /run lines after it (so nothing read ahead is lost).
function stdinLines() {
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  return lines[Symbol.asyncIterator]();
}

async function nextLine(it) {
  for (;;) {
    const { value, done } = await it.next();
    if (done) return undefined;
    if (value.length !== 0) return value;
  }
}

async function awaitStart(it) {
  reply({ ready: true });
  const line = await nextLine(it);
  if (line === undefined) process.exit(0);  // the runtime let us go before any /init
  const start = JSON.parse(line);
  for (const [name, value] of Object.entries(start.env || {})) process.env[name] = value;
  const args = [start.dir, start.main, start.mode, ...(start.argv || [])];
  process.argv = [process.argv[0], process.argv[1], ...args];
}

async function main() {
  const it = stdinLines();
  if (process.argv.length === 3 && process.argv[2] === '--prestart') await awaitStart(it);
  const [dir, entry, mode] = process.argv.slice(2);
  if (!dir || !entry) {
    process.stderr.write('usage: nodejs_launcher.js <action dir> <main> <source|package>\n' +
                         '       nodejs_launcher.js --prestart\n');
    process.exit(2);
  }
  let fn;
  try {
    fn = mode === 'package' ? loadPackage(dir, entry) : loadSource(dir, entry);
    if (typeof fn !== 'function') throw new Error(`the action has no function named '${entry}'`);
  } catch (e) {
    process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
    reply({ error: `Initialization failed: ${errorMessage(e)}` });
    process.exit(1);
  }
  reply({ ok: true });

  const baseEnv = Object.assign({}, process.env);
  let previous = new Set();
  for (let line = await nextLine(it); line !== undefined; line = await nextLine(it)) {
    let result;
    try {
      const body = JSON.parse(line);
      const current = new Set();
      for (const [key, value] of Object.entries(body)) {
        if (key === 'value') continue;
        const text = envText(value);
        const name = '__OW_' + key.toUpperCase();
        if (text === undefined || name.includes('=') || name.includes('\0')) continue;
        process.env[name] = text;
        current.add(name);
      }
      for (const name of previous) {  // no context outlives its activation
        if (current.has(name)) continue;
        if (name in baseEnv) process.env[name] = baseEnv[name];
        else delete process.env[name];
      }
      previous = current;
      result = await fn(body.value === undefined ? {} : body.value);
    } catch (e) {
      process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
      result = { error: errorMessage(e) };
    }
    try {
      reply(result);
    } catch (e) {
      reply({ error: `The action result is not JSON: ${errorMessage(e)}` });
    }
  }
  process.exit(0);
}

main();
