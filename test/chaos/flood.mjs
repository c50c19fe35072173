// Hostile connections against one server while a normal client keeps invoking
// (floods.sh). Usage:
//   node flood.mjs MODE PORT FROM CONNECTIONS SECONDS ACTION
// MODE slowloris: each connection drips a request header one byte every 2 s;
// MODE idle: each connection sends nothing. Connections come from the local address
// FROM (127.0.0.2, ...) and are reopened when the server closes them. Meanwhile the
// normal client (from 127.0.0.1) invokes ACTION through APIHOST (env, with AUTH and
// NODE_EXTRA_CA_CERTS) one request at a time. Prints one JSON line: the normal
// client's requests, successes and p99 latency, and the flood's connections opened,
// closed by the server and held at the end.
import net from 'node:net';

const [mode, port, from, connections, seconds, action] = process.argv.slice(2);
const until = Date.now() + Number(seconds) * 1000;
const header = 'POST /api/v1/namespaces/_/actions/x HTTP/1.1\r\nHost: localhost\r\nX-Padding: ' + 'a'.repeat(4000);
const flood = { opened: 0, closedByServer: 0, held: 0 };
const sockets = new Set();

function open() {
  if (Date.now() >= until) return;
  const s = net.connect({ host: '127.0.0.1', port: Number(port), localAddress: from });
  flood.opened++;
  sockets.add(s);
  let i = 0;
  let timer = null;
  s.on('connect', () => {
    if (mode === 'slowloris') {
      timer = setInterval(() => { if (i < header.length) s.write(header[i++]); }, 2000);
    }
  });
  s.on('error', () => {});
  s.on('close', () => {
    clearInterval(timer);
    sockets.delete(s);
    if (Date.now() < until) {
      flood.closedByServer++;
      setTimeout(open, 100);
    }
  });
}
for (let k = 0; k < Number(connections); k++) setTimeout(open, k % 200);

const headers = {
  Authorization: 'Basic ' + Buffer.from(process.env.AUTH).toString('base64'),
  'Content-Type': 'application/json',
};
const client = { requests: 0, ok: 0 };
const latencies = [];
await new Promise((res) => setTimeout(res, 3000));  // the flood is in place first
while (Date.now() < until) {
  client.requests++;
  const t = Date.now();
  try {
    const r = await fetch(`${process.env.APIHOST}/api/v1/namespaces/_/actions/${action}?blocking=true&result=true`, {
      method: 'POST', headers, body: '{}', signal: AbortSignal.timeout(10000),
    });
    await r.text();
    if (r.status === 200) client.ok++;
  } catch { /* counted as a failure */ }
  latencies.push(Date.now() - t);
  await new Promise((res) => setTimeout(res, 20));
}
flood.held = sockets.size;
for (const s of sockets) s.destroy();
latencies.sort((a, b) => a - b);
console.log(JSON.stringify({
  mode, port: Number(port), client: { ...client, p99_ms: latencies[Math.floor(latencies.length * 0.99)] ?? null }, flood,
}));
