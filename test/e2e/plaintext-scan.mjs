// Looks for every confidential string the suites used (plaintext-recorder.mjs) in
// what the provider holds: files under the given directories (the controller's
// database and data directory) and, with --pcap, every TCP stream of a tcpdump
// capture of loopback except those touching --exclude-port (the client's own TLS
// connections to the gateway), reassembled: gateway <-> controller, invoker <->
// runtimes, runtimes and gateway <-> KMS.
//
//   node plaintext-scan.mjs --log FILE [--secret S]... --public NAME [--require-marks TAG]
//        [--pcap FILE [--exclude-port P]] [--file F]... [--expect none|found] DIR...
//
// --require-marks: the recorder must have recorded markers.secure.mjs's five markers
// (CODE/PARAM/ARG/LOG/RESULT + "MARK" + TAG), or the recording itself failed. --file:
// a single file to scan as well (no public-name check for it).
//
// --expect none (secure run): any hit is a leak, exit 1. The scan must not be void:
// NAME (public metadata of the run) must be found in every directory and in the
// traffic. --expect found (the plain run, a negative control): the same scan must
// find code, parameters, results and logs, or the scanner is broken.
import fs from 'node:fs';
import path from 'node:path';

const args = { secret: [], dirs: [], expect: 'none' };
for (let i = 2; i < process.argv.length; ++i) {
  const a = process.argv[i];
  const next = () => process.argv[++i];
  if (a === '--log') args.log = next();
  else if (a === '--secret') args.secret.push(next());
  else if (a === '--public') args.public = next();
  else if (a === '--pcap') args.pcap = next();
  else if (a === '--exclude-port') args.exclude = Number(next());
  else if (a === '--require-marks') args.marks = next();
  else if (a === '--file') (args.files ||= []).push(next());
  else if (a === '--expect') args.expect = next();
  else args.dirs.push(a);
}

// ---- what to look for ---------------------------------------------------------
const recorded = fs.readFileSync(args.log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
recorded.push(...args.secret.map((value) => ({ what: 'secret', value })));
const recorderErrors = recorded.filter((r) => r.what === 'recorder-error');
const publicTokens = recorded.filter((r) => r.what === 'public').map((r) => r.value);
// Searched raw, a string is found wherever a public name contains it, or it contains
// one; searched quoted, only where a metadata field equals it.
const isPublic = (s, long) => publicTokens.some((p) => (long ? p.includes(s) || (p.length >= 8 && s.includes(p)) : p === s));

const patterns = new Map();  // latin1 view of the UTF-8 bytes -> {what, text}
const skipped = { short: 0, public: 0 };
// A string of 8 or more characters is searched as it is (and JSON-escaped); a shorter
// one (3 to 7) only as a JSON string with its quotes, the form it would have in a
// leaked JSON document: "Ada" in three bytes would match random ciphertext. Below 32
// characters a string needs 4 distinct characters (3 when short): "00000000" is noise.
// Object keys count only from 8 characters ("name" is in every record).
const add = (what, text, form) => {
  const key = Buffer.from(form, 'utf8').toString('latin1');
  if (!patterns.has(key)) patterns.set(key, { what, text });
};
for (const { what, value } of recorded) {
  if (what === 'public' || what === 'recorder-error') continue;
  for (const piece of value.split(/[\r\n]+/)) {
    const long = piece.length >= 8;
    const distinct = new Set(piece).size;
    if ((!long && what === 'key') || piece.length < 3 || (piece.length < 32 && distinct < (long ? 4 : 3))) {
      skipped.short++;
      continue;
    }
    if (isPublic(piece, long)) { skipped.public++; continue; }
    if (!long) { add(what, piece, JSON.stringify(piece)); continue; }
    const slices = piece.length <= 64 ? [piece]
      : [piece.slice(0, 48), piece.slice((piece.length >> 1) - 24, (piece.length >> 1) + 24), piece.slice(-48)];
    for (const s of slices) for (const form of new Set([s, JSON.stringify(s).slice(1, -1)])) add(what, s, form);
  }
}

// ---- where to look --------------------------------------------------------------
function* filesUnder(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* filesUnder(p);
    else if (e.isFile()) yield p;
  }
}

// TCP payload per direction and connection, in sequence order (pcap, EN10MB or
// Linux cooked capture, IPv4).
function tcpStreams(file, exclude) {
  const b = fs.readFileSync(file);
  const magic = b.readUInt32LE(0);
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error(`${file}: not a little-endian pcap file`);
  const link = b.readUInt32LE(20);
  const l2 = link === 1 ? 14 : link === 113 ? 16 : -1;
  if (l2 < 0) throw new Error(`${file}: link type ${link} not supported`);
  const streams = new Map();
  const resets = new Set();
  const connection = (key) => key.split(' > ').sort().join(' ');
  for (let off = 24; off + 16 <= b.length;) {
    const len = b.readUInt32LE(off + 8), wireLen = b.readUInt32LE(off + 12);
    const pkt = b.subarray(off + 16, off + 16 + len);
    off += 16 + len;
    if (len !== wireLen || pkt.length !== len) gaps.push(`a packet of ${wireLen} bytes was cut to ${pkt.length}`);
    if (pkt.length >= l2 && pkt.readUInt16BE(l2 - 2) === 0x86dd) gaps.push('an IPv6 packet, which this parser skips');
    if (pkt.length < l2 + 20 || pkt.readUInt16BE(l2 - 2) !== 0x0800) continue;
    const ip = pkt.subarray(l2);
    if (ip[9] !== 6) continue;
    const ihl = (ip[0] & 15) * 4;
    const tcp = ip.subarray(ihl, ip.readUInt16BE(2));
    const sport = tcp.readUInt16BE(0), dport = tcp.readUInt16BE(2);
    if (sport === exclude || dport === exclude) continue;
    const key = `${ip.subarray(12, 16).join('.')}:${sport} > ${ip.subarray(16, 20).join('.')}:${dport}`;
    const seq = tcp.readUInt32BE(4), syn = tcp[13] & 2;
    let s = streams.get(key);
    if (!s || (syn && ((seq + 1) >>> 0) !== s.isn)) {  // a retransmitted SYN is the same
      if (s) streams.set(`${key} #${streams.size}`, s);  // an earlier connection on the same ports
      s = { isn: syn ? (seq + 1) >>> 0 : seq, syn: !!syn, segments: [] };
      streams.set(key, s);
    }
    if (tcp[13] & 1) s.fin = true;
    if (tcp[13] & 4) resets.add(connection(key));  // a reset ends both directions
    const data = tcp.subarray((tcp[12] >> 4) * 4);
    if (data.length) s.segments.push({ at: (seq - s.isn) >>> 0, data });
  }
  const out = [];
  for (const [key, s] of streams) {
    if (!s.syn) gaps.push(`${key}: no SYN, the start may be missing`);
    if (!s.fin && !resets.has(connection(key.split(' #')[0]))) gaps.push(`${key}: no FIN or RST, the tail may be missing`);
    s.segments.sort((x, y) => x.at - y.at);
    const parts = [];
    let end = 0;
    for (const { at, data } of s.segments) {
      if (at + data.length <= end) continue;  // retransmission
      if (at > end) gaps.push(`${key}: ${at - end} bytes missing at ${end}`);
      parts.push(data.subarray(Math.max(0, end - at)));
      end = at + data.length;
    }
    out.push({ name: `tcp ${key}`, bytes: Buffer.concat(parts) });
  }
  return out;
}

const trafficGroup = `loopback TCP${args.exclude ? ` except port ${args.exclude}` : ''}`;
const gaps = [];    // what the capture lacks: a scan with gaps is void
const places = [];  // {group, name, text}
for (const dir of args.dirs) {
  for (const f of filesUnder(dir)) places.push({ group: dir, name: f, text: fs.readFileSync(f).toString('latin1') });
}
for (const f of args.files || []) places.push({ group: 'files', name: f, text: fs.readFileSync(f).toString('latin1') });
if (args.pcap) {
  for (const s of tcpStreams(args.pcap, args.exclude)) {
    places.push({ group: trafficGroup, name: s.name, text: s.bytes.toString('latin1') });
  }
}

// ---- the scan --------------------------------------------------------------------
// A quoted short string followed by ':' is a JSON key ("start": 1733...), not the value.
function occurs(text, key) {
  if (!key.startsWith('"')) return text.includes(key);
  for (let i = text.indexOf(key); i >= 0; i = text.indexOf(key, i + 1)) {
    let j = i + key.length;
    while (text[j] === ' ') ++j;
    if (text[j] !== ':') return true;
  }
  return false;
}
const hits = [];
for (const [key, p] of patterns) {
  for (const pl of places) if (occurs(pl.text, key)) hits.push({ ...p, where: pl.name });
}
const groups = [...new Set(places.map((p) => p.group))];
if (args.pcap && !groups.includes(trafficGroup)) groups.push(trafficGroup);
const sizeOf = (g) => places.filter((p) => p.group === g).reduce((n, p) => n + p.text.length, 0);
const byWhat = (list) => {
  const c = {};
  for (const x of list) c[x.what] = (c[x.what] || 0) + 1;
  return Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ');
};
console.log(`plaintext scan: ${patterns.size} patterns (${byWhat([...patterns.values()])}); `
  + `skipped ${skipped.short} short/low-entropy and ${skipped.public} equal to public names`);
for (const g of groups) {
  console.log(`  ${g}: ${places.filter((p) => p.group === g).length} files/streams, ${sizeOf(g)} bytes`);
}

let failed = false;
for (const e of recorderErrors.slice(0, 5)) {
  console.log(`  VOID: the recorder failed: ${e.value}`);
  failed = true;
}
if (args.marks) {
  for (const w of ['CODE', 'PARAM', 'ARG', 'LOG', 'RESULT']) {
    if (![...patterns.values()].some((p) => p.text.includes(`${w}MARK${args.marks}`))) {
      console.log(`  VOID: the probe's ${w} marker was never recorded`);
      failed = true;
    }
  }
}
for (const g of gaps) {
  console.log(`  VOID: incomplete capture: ${g}`);
  failed = true;
}
if (args.public) {
  for (const g of groups.filter((x) => x !== 'files')) {
    const key = Buffer.from(args.public, 'utf8').toString('latin1');
    if (!places.some((p) => p.group === g && p.text.includes(key))) {
      console.log(`  VOID: the public name ${args.public} is not in ${g}: this place was not scanned for real`);
      failed = true;
    }
  }
}
if (args.expect === 'none') {
  for (const h of hits.slice(0, 40)) console.log(`  LEAK (${h.what}): ${JSON.stringify(h.text.slice(0, 80))} in ${h.where}`);
  if (hits.length) failed = true;
  console.log(hits.length ? `  ${hits.length} leaks` : '  none found');
} else {
  const found = new Set(hits.map((h) => h.text));
  const foundWhat = new Set(hits.map((h) => h.what));
  console.log(`  negative control: ${found.size} of the recorded strings found (${byWhat(
    [...new Map(hits.map((h) => [h.text, h])).values()])})`);
  for (const g of groups) {
    if (!hits.some((h) => places.some((p) => p.group === g && p.name === h.where))) {
      console.log(`  BROKEN: nothing found in ${g}, where the plain platform has it all in the clear`);
      failed = true;
    }
  }
  for (const w of ['code', 'parameter', 'result', 'log']) {
    if (!foundWhat.has(w)) {
      console.log(`  BROKEN: no recorded ${w} found where the plain platform stores it in the clear`);
      failed = true;
    }
  }
}
process.exit(failed ? 1 : 0);
