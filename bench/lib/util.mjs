// Small helpers shared by the bench scripts: flags, logging, /proc sampling, percentiles.
import { readFileSync } from 'node:fs';

/** `--key value`, `--key=value`, `--flag` (true), `--no-flag` (false). */
export function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) { out[a.slice(2, eq)] = a.slice(eq + 1); continue; }
    const key = a.slice(2);
    const next = argv[i + 1];
    if (key.startsWith('no-')) out[key.slice(3)] = 'false';
    else if (next !== undefined && !next.startsWith('--')) { out[key] = next; i++; }
    else out[key] = 'true';
  }
  return out;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
export const log = (s) => process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${s}\n`);
export const round = (v, d = 2) => (v == null || Number.isNaN(v) ? null : Math.round(v * 10 ** d) / 10 ** d);

export function pct(sorted, p) {
  if (!sorted.length) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** RSS (MiB) and CPU seconds (utime+stime) of a PID and its descendants, from /proc. */
export function procStats(pid) {
  if (!pid) return null;
  const all = new Set();
  const kids = (p) => { try { return readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean); } catch { return []; } };
  const stack = [String(pid)];
  while (stack.length && all.size < 256) { const p = stack.pop(); if (all.has(p)) continue; all.add(p); stack.push(...kids(p)); }
  let rssKb = 0, ticks = 0, alive = 0;
  for (const p of all) {
    try {
      const st = readFileSync(`/proc/${p}/status`, 'utf8');
      const m = st.match(/VmRSS:\s+(\d+)/); if (m) rssKb += Number(m[1]);
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
      alive++;
    } catch { /* gone */ }
  }
  return alive ? { rssMB: rssKb / 1024, cpuS: ticks / 100 } : null;
}

/** Samples a PID's RSS in the background; `mark(name)` starts attributing the max to a new label. */
export function rssSampler(pid, everyMs = 200) {
  const maxBy = {};
  let label = 'startup', overall = 0;
  const tick = () => {
    const s = procStats(pid);
    if (!s) return;
    overall = Math.max(overall, s.rssMB);
    maxBy[label] = Math.max(maxBy[label] ?? 0, s.rssMB);
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  tick();
  return {
    mark(name) { tick(); label = name; tick(); },
    stop() { clearInterval(timer); tick(); return { overallMaxMB: round(overall), byPhase: Object.fromEntries(Object.entries(maxBy).map(([k, v]) => [k, round(v)])) }; },
  };
}
