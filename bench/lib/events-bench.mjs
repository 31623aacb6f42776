// Webhook delivery benchmark (issue #13 "Cost"): delivery throughput and commit → delivery lag of the
// real server (`node dist/main.js serve`, SQLite) to a local receiver that verifies every signature
// with `standardwebhooks`. Standalone, so it does not touch the SCIM bench (bench/run.mjs):
//
//   npm run build && node bench/lib/events-bench.mjs [--backlog 5000] [--load-seconds 10] [--concurrency 8]
//
// 1. Lag under write load: SCIM POSTs from `--concurrency` clients for `--load-seconds`; for every
//    delivery, lag = arrival at the receiver − the event's `timestamp` (taken inside the write's
//    transaction, before COMMIT, so this is an upper bound of commit → delivery). p50/p99/max.
// 2. Throughput: `--backlog` users are created while the endpoint is disabled; the endpoint is
//    enabled and the time until every event has arrived gives events/s (fan-out, claim, sign, send,
//    record — the whole path).
// Processes are ended only by the PID this script started.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const BACKLOG = opt('backlog', 5000);
const LOAD_SECONDS = opt('load-seconds', 10);
const CONCURRENCY = opt('concurrency', 8);

const dir = mkdtempSync(join(tmpdir(), 'wd-events-bench-'));
const dbPath = join(dir, 'bench.db');
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  DATABASE_URL: `sqlite:${dbPath}`,
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: 'warn',
  PUBLIC_URL: 'https://wd.bench',
  ALLOW_PRIVATE_TARGETS: '1',
  SCIM_RATE_LIMIT_PER_SECOND: '1000000',
  SCIM_RATE_LIMIT_BURST: '10000000',
};
for (const [k, v] of Object.entries(env)) process.env[k] = v;

// --- receiver
const arrivals = new Map(); // webhook-id → { at (epoch ms), lagMs }
let verifier;
let badSignatures = 0;
const receiver = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const at = performance.timeOrigin + performance.now();
    const body = Buffer.concat(chunks).toString('utf8');
    try {
      verifier.verify(body, { 'webhook-id': req.headers['webhook-id'], 'webhook-timestamp': req.headers['webhook-timestamp'], 'webhook-signature': req.headers['webhook-signature'] });
    } catch {
      badSignatures++;
    }
    const id = String(req.headers['webhook-id']);
    if (!arrivals.has(id)) arrivals.set(id, { at, lagMs: at - Date.parse(JSON.parse(body).timestamp) });
    res.writeHead(204);
    res.end();
  });
});
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
const hookUrl = `http://127.0.0.1:${receiver.address().port}/hook`;

// --- organisation, key, endpoint (through the app's own services, before the server starts)
const { loadConfig } = await import(join(ROOT, 'dist/config/config.js'));
const { compose } = await import(join(ROOT, 'dist/compose.js'));
const setup = await compose(loadConfig(process.env));
const s = setup.services;
const org = await s.organizations.create('Events Bench', { apiAccessApproved: true });
const store = s.platform.forTenant(org.id);
const { key } = await s.apiKeys.create(store, { name: 'bench', createdBy: null });
const { endpoint, secret } = await s.events.webhooks.add(store, { url: hookUrl, eventTypes: ['user.created'], createdBy: null });
verifier = new Webhook(secret);

// --- server
const child = spawn(process.execPath, ['dist/main.js', 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (d) => {
    out += d.toString();
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
    if (m) resolve(m[1]);
  });
  child.once('exit', (c) => reject(new Error(`server exited (${c})\n${out}`)));
});
const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/scim+json' };
let n = 0;
const createUser = async () => {
  const r = await fetch(`${base}/scim/v2/Users`, { method: 'POST', headers, body: JSON.stringify({ userName: `bench-${n++}@events.example` }) });
  if (r.status !== 201) throw new Error(`POST /Users → ${r.status} ${await r.text()}`);
};
const waitFor = async (cond, ms) => {
  const until = Date.now() + ms;
  while (!cond() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  return cond();
};
const pct = (xs, p) => {
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))];
};
const cpuMs = () => {
  // The server's CPU time (user + system) from /proc, in ms.
  try {
    const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
};

try {
  // 1. Lag under write load.
  const loadUntil = Date.now() + LOAD_SECONDS * 1000;
  let written = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < loadUntil) {
        await createUser();
        written++;
      }
    }),
  );
  const allArrived = await waitFor(() => arrivals.size >= written, 60_000);
  const lags = [...arrivals.values()].map((a) => a.lagMs);
  const load = { writes: written, writesPerSecond: written / LOAD_SECONDS, delivered: arrivals.size, allArrived, lagP50: pct(lags, 50), lagP99: pct(lags, 99), lagMax: Math.max(...lags) };

  // 2. Throughput on a backlog.
  await s.events.webhooks.setEnabled(store, endpoint.id, false);
  const before = arrivals.size;
  for (let i = 0; i < BACKLOG; i += CONCURRENCY) await Promise.all(Array.from({ length: Math.min(CONCURRENCY, BACKLOG - i) }, createUser));
  const cpu0 = cpuMs();
  const t0 = performance.now();
  await s.events.webhooks.setEnabled(store, endpoint.id, true);
  const drained = await waitFor(() => arrivals.size >= before + BACKLOG, 300_000);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuMs() - cpu0;
  const throughput = { events: arrivals.size - before, seconds, eventsPerSecond: (arrivals.size - before) / seconds, serverCpuMsPerEvent: cpu / (arrivals.size - before), drained };

  const result = { database: 'sqlite', load, throughput, badSignatures };
  console.log(JSON.stringify(result, null, 2));
  console.log(
    `\nwebhooks (SQLite): ${throughput.eventsPerSecond.toFixed(0)} events/s delivered from a backlog of ${BACKLOG} (server CPU ${throughput.serverCpuMsPerEvent.toFixed(3)} ms/event); ` +
      `lag commit→delivery under ${load.writesPerSecond.toFixed(0)} writes/s: p50 ${load.lagP50.toFixed(0)} ms, p99 ${load.lagP99.toFixed(0)} ms, max ${load.lagMax.toFixed(0)} ms; bad signatures: ${badSignatures}`,
  );
  if (!load.allArrived || !drained || badSignatures > 0) process.exitCode = 1;
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await setup.close();
  receiver.close();
  rmSync(dir, { recursive: true, force: true });
}
