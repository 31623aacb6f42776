// Summarises a V8 .cpuprofile (node --cpu-prof): self time by bucket (app module, library, node
// internals, GC) and the top self-time functions, plus inclusive time of app-level functions.
import { readFileSync } from 'node:fs';
import { round } from './util.mjs';

function bucketOf(cf) {
  const u = cf.url || '';
  const fn = cf.functionName || '';
  if (!u) {
    if (fn === '(garbage collector)') return 'GC';
    if (fn === '(idle)') return 'idle';
    if (fn === '(program)') return '(program: native/unattributed)';
    if (fn === '(root)') return 'root';
    return `native: ${fn || 'anonymous'}`;
  }
  // better-sqlite3's run()/all()/get() are native: their time lands on the JS frame that calls them.
  if (/\/kysely\/.*\/sqlite-driver\.js$/.test(u) && fn === 'executeQuery') return 'sqlite: statement execution (native)';
  if (/\/dist\/storage\/dialects\/sqlite\.js$/.test(u) && fn === 'prepare') return 'sqlite: prepare/cache';
  const nm = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
  if (nm) {
    const p = nm[1];
    if (/^(fastify|find-my-way|avvio|light-my-request|fast-json-stringify|@fastify\/.*|fast-querystring|fastify-plugin|secure-json-parse|abstract-logging|process-warning|toad-cache|rfdc|fast-uri)$/.test(p)) return `lib: fastify (${p})`;
    return `lib: ${p}`;
  }
  const dist = /\/dist\/(.+?)\.js$/.exec(u);
  if (dist) return `app: ${dist[1]}`;
  if (u.startsWith('node:')) return `node: ${u.slice(5).replace(/^internal\//, '').split('/').slice(0, 2).join('/')}`;
  return `other: ${u.split('/').slice(-2).join('/')}`;
}

export function summariseProfile(file, { top = 25 } = {}) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + dt);
    total += dt;
  }
  const idle = [...self].filter(([id]) => byId.get(id).callFrame.functionName === '(idle)').reduce((a, [, v]) => a + v, 0);
  const busy = total - idle;
  const buckets = new Map(), fns = new Map(), incl = new Map();
  for (const [id, us] of self) {
    const n = byId.get(id);
    const b = bucketOf(n.callFrame);
    if (b === 'idle') continue;
    buckets.set(b, (buckets.get(b) ?? 0) + us);
    const key = `${n.callFrame.functionName || '(anonymous)'} ${(n.callFrame.url || '').replace(/^.*\/(node_modules|dist)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    // inclusive: charge every distinct app function (dist/) on the stack once
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur).callFrame;
      if (!/\/dist\//.test(cf.url || '')) continue;
      const k = `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*\/dist\//, 'dist/')}:${cf.lineNumber + 1}`;
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + us);
    }
  }
  const pctOf = (us) => round((100 * us) / (busy || 1), 1);
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]);
  return {
    file, wallS: round(total / 1e6, 2), busyS: round(busy / 1e6, 2),
    buckets: sorted(buckets).map(([k, v]) => ({ bucket: k, ms: round(v / 1000, 1), pct: pctOf(v) })),
    topSelf: sorted(fns).slice(0, top).map(([k, v]) => ({ fn: k, ms: round(v / 1000, 1), pct: pctOf(v) })),
    topInclusiveApp: sorted(incl).slice(0, top).map(([k, v]) => ({ fn: k, ms: round(v / 1000, 1), pct: pctOf(v) })),
  };
}

/** Coarse groups for a one-line summary: app / kysely / sqlite driver / fastify / node / GC. */
export function coarse(summary) {
  const g = {};
  for (const b of summary.buckets) {
    const k = b.bucket.startsWith('sqlite: ') ? 'sqlite (native)' : b.bucket.startsWith('app: ') ? `app:${b.bucket.slice(5).split('/')[0]}` : b.bucket.startsWith('lib: fastify') ? 'fastify' : b.bucket.startsWith('lib: ') ? b.bucket.slice(5) : b.bucket.startsWith('node: ') ? 'node core' : b.bucket.startsWith('native: ') ? 'native (JSON, crypto, writev, …)' : b.bucket;
    g[k] = round((g[k] ?? 0) + b.pct, 1);
  }
  return Object.entries(g).sort((a, b) => b[1] - a[1]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of process.argv.slice(2)) {
    const s = summariseProfile(f);
    console.log(`\n## ${f}  (busy ${s.busyS}s of ${s.wallS}s)`);
    console.log('coarse:', coarse(s).map(([k, v]) => `${k} ${v}%`).join(', '));
    console.log('\nbuckets:'); for (const b of s.buckets.slice(0, 25)) console.log(`  ${String(b.pct).padStart(5)}%  ${b.bucket}`);
    console.log('\ntop self:'); for (const b of s.topSelf) console.log(`  ${String(b.pct).padStart(5)}%  ${b.fn}`);
    console.log('\ntop inclusive (app):'); for (const b of s.topInclusiveApp) console.log(`  ${String(b.pct).padStart(5)}%  ${b.fn}`);
  }
}
