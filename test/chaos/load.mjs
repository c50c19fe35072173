// Load for the supervision test (supervision.sh): blocking invokes of one action
// through the gateway, CONCURRENCY at a time, for SECONDS; then every activation id
// the platform answered with is read back. Prints one JSON line:
// {"sent","ok","failed","lost","p99_ms"}: "failed" got no activation (an error status
// or a broken connection: the client knows), "lost" got an id whose record cannot be
// read afterwards (the client was told it ran, and it is gone) — must be 0.
// Usage: node load.mjs ACTION SECONDS CONCURRENCY   |   node load.mjs ACTION --probe
// Env: APIHOST, AUTH (uuid:key); NODE_EXTRA_CA_CERTS for the session CA.
const [action, secondsArg, concurrencyArg] = process.argv.slice(2);
const headers = {
  Authorization: 'Basic ' + Buffer.from(process.env.AUTH).toString('base64'),
  'Content-Type': 'application/json',
};
const base = `${process.env.APIHOST}/api/v1/namespaces/_`;

async function invoke() {
  const r = await fetch(`${base}/actions/${action}?blocking=true`, {
    method: 'POST', headers, body: '{"n":1}', signal: AbortSignal.timeout(20000),
  });
  const body = await r.json().catch(() => ({}));
  return { status: r.status, id: body.activationId };
}

if (secondsArg === '--probe') {
  try {
    const r = await invoke();
    process.exit(r.status === 200 ? 0 : 1);
  } catch {
    process.exit(1);
  }
}

const until = Date.now() + Number(secondsArg) * 1000;
const counts = { sent: 0, ok: 0, failed: 0, lost: 0 };
const ids = [];
const latencies = [];
async function worker() {
  while (Date.now() < until) {
    counts.sent++;
    const t = Date.now();
    try {
      const r = await invoke();
      if (r.id && (r.status === 200 || r.status === 202)) {
        ids.push(r.id);
        counts.ok++;
        latencies.push(Date.now() - t);
      } else {
        counts.failed++;
        await new Promise((res) => setTimeout(res, 50));
      }
    } catch {
      counts.failed++;
      await new Promise((res) => setTimeout(res, 50));
    }
  }
}
await Promise.all(Array.from({ length: Number(concurrencyArg) }, worker));
for (const id of ids) {
  let found = false;
  for (let attempt = 0; attempt < 3 && !found; attempt++) {
    try {
      const r = await fetch(`${base}/activations/${id}`, { headers, signal: AbortSignal.timeout(10000) });
      found = r.status === 200;
    } catch { /* retried */ }
    if (!found) await new Promise((res) => setTimeout(res, 500));
  }
  if (!found) counts.lost++;
}
latencies.sort((a, b) => a - b);
counts.p99_ms = latencies.length ? latencies[Math.floor(latencies.length * 0.99)] : null;
console.log(JSON.stringify(counts));
