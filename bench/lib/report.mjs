// Tables and the issue #9 target checks, from the run's JSON.
import { round } from './util.mjs';

export function mdTable(header, rows) {
  const all = [header, ...rows].map((r) => r.map((c) => (c == null ? '—' : String(c))));
  const w = header.map((_, i) => Math.max(3, ...all.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(w[i])).join(' | ')} |`;
  return [line(all[0]), `|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`, ...all.slice(1).map(line)].join('\n');
}

const fmt = (v, d = 1) => (v == null || Number.isNaN(v) ? '—' : Number(v).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const ratio = (a, b, d = 2) => (a != null && b ? round(a / b, d) : null);

export function phaseRow(label, s) {
  if (!s) return [label, '—', '—', '—', '—', '—', '—', '—'];
  return [label, s.requests, fmt(s.rps), fmt(s.p50ms, 2), fmt(s.p99ms, 2), fmt(s.serverCpuMsPerReq, 3), s.errors, fmt(s.rssMaxMB, 0)];
}
export const PHASE_HEADER = ['phase', 'reqs', 'req/s', 'p50 ms', 'p99 ms', 'server CPU ms/req', 'errors', 'RSS max MB'];

/** Flattens a scim-bench summary into { phase → stats } (groups sub-phases as groups.x). */
export function harnessPhases(summary) {
  const out = {};
  for (const r of summary?.results ?? []) {
    if (r.phase === 'groups') {
      for (const k of ['create', 'addMembers', 'removeMember', 'getNoMembers']) if (r[k]) out[`groups.${k}`] = r[k];
      if (r.fullGet) out['groups.fullGet'] = r.fullGet;
      out['groups.notes'] = r.notes;
      out['groups.raw'] = r;
    } else out[r.phase] = r;
  }
  return out;
}

const verdict = (ok) => (ok == null ? 'n/a' : ok ? 'MET' : 'NOT MET');

/**
 * Issue #15: a ratio between two servers is only reported when neither saw an error in that phase (an
 * error answer is usually cheaper than a real one, so a ratio with errors flatters the faster-failing
 * side). Returns the reason to refuse, or null.
 */
export function refuseRatio(a, b) {
  const why = [];
  if (a?.errors) why.push(`${a.errors} errors`);
  if (b?.errors) why.push(`${b.errors} errors on the other side`);
  if (a?.unsupported || b?.unsupported) why.push('unsupported');
  return why.length ? why.join(', ') : null;
}

/** Scale targets: cost at the last checkpoint within 1.5× the first (10,000 users). */
export function scaleTargets(checkpoints) {
  if (!checkpoints || checkpoints.length < 2) return [];
  const a = checkpoints[0], b = checkpoints[checkpoints.length - 1];
  const rows = [];
  for (const ph of ['lookup', 'emails', 'get', 'patch', 'post', 'list']) {
    const x = a.phases[ph], y = b.phases[ph];
    if (!x || !y) continue;
    const info = ph === 'list' ? ' (informational: no issue #9 target)' : '';
    const cpu = ratio(y.serverCpuMsPerReq, x.serverCpuMsPerReq);
    const thr = ratio(x.rps, y.rps);
    const p50 = ratio(y.p50ms, x.p50ms);
    const errs = (x.errors || 0) + (y.errors || 0);
    const ok = errs === 0 && cpu != null && cpu <= 1.5 && thr != null && thr <= 1.5;
    rows.push({ target: `${ph}: cost at ${b.population.toLocaleString()} ≤ 1.5× cost at ${a.population.toLocaleString()}${info}`, measured: `CPU/req ×${cpu}, req/s ×${ratio(y.rps, x.rps)} (slowdown ×${thr}), p50 ×${p50}${errs ? `, ${errs} errors` : ''}`, met: ok, verdict: verdict(ok) });
  }
  return rows;
}

export function groupTargets(g, rssLimit = 300) {
  if (!g) return [];
  const rows = [];
  const cmp = (name, small, big, lowerIsBetter = true) => {
    const r = lowerIsBetter ? ratio(big.p50ms, small.p50ms) : ratio(small.rps, big.rps);
    const rm = ratio(big.meanms, small.meanms);
    const errs = (small.errors || 0) + (big.errors || 0);
    const ok = errs === 0 && r != null && r <= 1.5;
    rows.push({ target: `${name}: group of ${g.bigSize.toLocaleString()} within 1.5× of group of ${g.smallSize}`, measured: lowerIsBetter ? `p50 ${fmt(small.p50ms, 2)} → ${fmt(big.p50ms, 2)} ms (×${r}; mean ×${rm})${errs ? `, ${errs} errors` : ''}` : `${fmt(small.rps)} → ${fmt(big.rps)} req/s (slowdown ×${r})${errs ? `, ${errs} errors` : ''}`, met: ok, verdict: verdict(ok) });
  };
  cmp('add 100 members', g.add100Small, g.add100Big);
  cmp('remove 1 member', g.remove1Small, g.remove1Big);
  cmp('GET ?excludedAttributes=members', g.getNoMembersSmall, g.getNoMembersBig, false);
  const fg = g.fullGet ?? [];
  const rss = Math.max(...fg.map((f) => f.rssMaxMB ?? 0));
  const correct = fg.every((f) => f.status === 200 && f.members === f.expectedMembers);
  rows.push({ target: `full GET of the ${g.bigSize.toLocaleString()}-member group: RSS < ${rssLimit} MB`, measured: `${fg.map((f) => `${fmt(f.ms, 0)} ms`).join(', ')}; RSS max ${fmt(rss, 0)} MB; members ${fg[0]?.members ?? '—'} (expected ${fg[0]?.expectedMembers ?? '—'})`, met: rss > 0 && rss < rssLimit && correct, verdict: verdict(rss > 0 && rss < rssLimit && correct) });
  return rows;
}

/** Ratios against the ceiling and the peers, from the harness summaries of one run. */
export function ceilingTargets(wd, peers) {
  const W = harnessPhases(wd);
  const C = peers['fastify-sqlite'] ? harnessPhases(peers['fastify-sqlite']) : undefined;
  const rows = [];
  if (C) {
    for (const ph of ['load', 'lookup', 'get', 'patch']) {
      const w = W[ph], c = C[ph];
      if (!w || !c) continue;
      if (w.unsupported) { rows.push({ target: `${ph}: ≥ 0.5× ceiling req/s, p99 ≤ 2× ceiling p99`, measured: `failed: ${(w.notes || []).join('; ').slice(0, 160)}`, met: false, verdict: verdict(false) }); continue; }
      const refusedP = refuseRatio(w, c);
      if (refusedP) { rows.push({ target: `${ph}: ≥ 0.5× ceiling req/s, p99 ≤ 2× ceiling p99`, measured: `no ratio: ${refusedP}`, met: false, verdict: 'REFUSED' }); continue; }
      const r = ratio(w.rps, c.rps), p = ratio(w.p99ms, c.p99ms);
      const ok = !w.unsupported && !w.errors && r >= 0.5 && p <= 2;
      rows.push({ target: `${ph}: ≥ 0.5× ceiling req/s, p99 ≤ 2× ceiling p99`, measured: `×${r} req/s (${fmt(w.rps)} vs ${fmt(c.rps)}), p99 ×${p} (${fmt(w.p99ms, 1)} vs ${fmt(c.p99ms, 1)} ms)${w.errors ? `, ${w.errors} errors` : ''}`, met: ok, verdict: verdict(ok) });
    }
    for (const [ph, min] of [['groups.addMembers', 1], ['groups.removeMember', 0.5], ['groups.getNoMembers', 0.5], ['list', 10]]) {
      const w = W[ph], c = C[ph];
      if (!w || !c) continue;
      if (w.unsupported) { rows.push({ target: `${ph}: ≥ ${min}× ceiling req/s`, measured: `failed: ${(w.notes || []).join('; ').slice(0, 160)}`, met: false, verdict: verdict(false) }); continue; }
      const refusedG = refuseRatio(w, c);
      if (refusedG) { rows.push({ target: `${ph}: ≥ ${min}× ceiling req/s`, measured: `no ratio: ${refusedG}`, met: false, verdict: 'REFUSED' }); continue; }
      const r = ratio(w.rps, c.rps);
      const ok = !w.unsupported && !w.errors && r >= min;
      rows.push({ target: `${ph}: ≥ ${min}× ceiling req/s`, measured: `×${r} (${fmt(w.rps)} vs ${fmt(c.rps)} req/s)${w.errors ? `, ${w.errors} errors` : ''}`, met: ok, verdict: verdict(ok) });
    }
  }
  const B = peers.betterauth ? harnessPhases(peers.betterauth) : undefined;
  const J = peers['jackson-sqlite'] ? harnessPhases(peers['jackson-sqlite']) : undefined;
  if (B || J) {
    for (const ph of ['load', 'lookup', 'get', 'patch', 'list', 'groups.create', 'groups.addMembers', 'groups.removeMember', 'groups.getNoMembers']) {
      const w = W[ph];
      if (!w) continue;
      if (w.unsupported) { rows.push({ target: `${ph}: ≥ 10× Better Auth, ahead of Polis SQL`, measured: `WiggleDesk failed: ${(w.notes || []).join('; ').slice(0, 160)}`, met: false, verdict: verdict(false) }); continue; }
      const b = B?.[ph], j = J?.[ph];
      const rb = b && !b.unsupported && !refuseRatio(w, b) ? ratio(w.rps, b.rps) : null;
      const rj = j && !j.unsupported && !refuseRatio(w, j) ? ratio(w.rps, j.rps) : null;
      const okB = B ? (rb == null ? true : rb >= 10) : null;
      const okJ = J ? (rj == null ? true : rj > 1) : null;
      const ok = okB !== false && okJ !== false && !w.errors;
      rows.push({ target: `${ph}: ≥ 10× Better Auth, ahead of Polis SQL`, measured: `×${rb ?? (b?.unsupported ? 'BA unsupported' : '—')} vs Better Auth, ×${rj ?? (j?.unsupported ? 'Polis unsupported' : '—')} vs Polis SQL`, met: ok, verdict: verdict(ok) });
    }
  }
  return rows;
}

export function targetsTable(rows) {
  return mdTable(['target', 'measured', 'verdict'], rows.map((r) => [r.target, r.measured, r.verdict]));
}

/** Side-by-side ratio table (every label vs the baseline) for the main phases. */
export function ratioTable(summaries, baseline = 'fastify-sqlite') {
  const labels = Object.keys(summaries);
  const P = Object.fromEntries(labels.map((l) => [l, harnessPhases(summaries[l])]));
  const base = P[baseline];
  const phases = ['load', 'lookup', 'get', 'patch', 'list', 'groups.create', 'groups.addMembers', 'groups.removeMember', 'groups.getNoMembers'];
  const rows = phases.map((ph) => [ph, ...labels.map((l) => {
    const s = P[l][ph];
    if (!s) return '—';
    if (s.unsupported && s.rps == null) return 'unsupported';
    const refused = l !== baseline && base?.[ph] && refuseRatio(s, base[ph]);
    const r = refused ? ` (no ratio: ${refused})` : base?.[ph]?.rps && l !== baseline ? ` (×${fmt(s.rps / base[ph].rps, s.rps / base[ph].rps < 0.1 ? 3 : 2)})` : '';
    return `${fmt(s.rps, 0)}${r}${s.errors ? ` [${s.errors} err]` : ''}`;
  })]);
  const p99 = phases.map((ph) => [ph, ...labels.map((l) => { const s = P[l][ph]; return s?.p99ms != null ? `${fmt(s.p50ms, 1)} / ${fmt(s.p99ms, 1)}` : '—'; })]);
  const cpu = phases.map((ph) => [ph, ...labels.map((l) => { const s = P[l][ph]; return s?.serverCpuMsPerReq != null ? `${fmt(s.serverCpuMsPerReq, 3)} / ${fmt(s.rssMaxMB, 0)}` : '—'; })]);
  return `req/s (ratio to ${baseline})\n${mdTable(['phase', ...labels], rows)}\n\np50 / p99 ms\n${mdTable(['phase', ...labels], p99)}\n\nserver CPU ms/req / RSS max MB\n${mdTable(['phase', ...labels], cpu)}`;
}

const medianOf = (xs) => { const v = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b); return v.length ? v[Math.floor((v.length - 1) / 2)] : null; };

/** Several scim-bench summaries of one server → one, each metric the median across them. */
export function medianOfRuns(runs) {
  const ok = runs.filter((r) => r && Array.isArray(r.results));
  if (ok.length <= 1) return ok[0] ?? runs[0] ?? null;
  const merge = (list) => {
    const present = list.filter(Boolean);
    if (!present.length) return undefined;
    const base = { ...present[0] };
    for (const k of ['rps', 'okRps', 'p50ms', 'p90ms', 'p99ms', 'maxms', 'serverCpuMsPerReq', 'rssMaxMB']) base[k] = medianOf(present.map((s) => s[k]));
    base.errors = present.reduce((a, s) => a + (s.errors || 0), 0);
    base.errSamples = present.flatMap((s) => s.errSamples || []).slice(0, 3);
    base.notes = [...new Set(present.flatMap((s) => s.notes || []))];
    base.unsupported = base.rps == null && present.some((s) => s.unsupported);
    base.roundsRps = list.map((s) => s?.rps ?? null);
    return base;
  };
  const results = ok[0].results.map((r) => {
    const same = ok.map((o) => o.results.find((x) => x.phase === r.phase));
    if (r.phase !== 'groups') return merge(same);
    const g = { ...r };
    for (const k of ['create', 'addMembers', 'removeMember', 'getNoMembers']) if (r[k]) g[k] = merge(same.map((s) => s?.[k]));
    return g;
  });
  return { ...ok[0], results, rounds: ok.length };
}

/** Per-round req/s ratio of WiggleDesk to fastify-sqlite, per phase, with the median. */
export function roundRatios(rounds) {
  const phases = ['load', 'lookup', 'get', 'patch', 'list', 'groups.create', 'groups.addMembers', 'groups.removeMember', 'groups.getNoMembers'];
  const rows = phases.map((ph) => {
    const rs = rounds.map((r) => { const w = harnessPhases(r.wiggledesk)[ph], c = r.peers?.['fastify-sqlite'] ? harnessPhases(r.peers['fastify-sqlite'])[ph] : undefined; return refuseRatio(w, c) ? 'refused' : w?.rps != null && c?.rps ? w.rps / c.rps : null; });
    return [ph, ...rs.map((x) => (x == null ? '—' : x === 'refused' ? 'errors: no ratio' : `×${fmt(x, 2)}`)), (() => { const m = medianOf(rs); return m == null ? '—' : `×${fmt(m, 2)}`; })()];
  });
  return mdTable(['phase', ...rounds.map((_, i) => `round ${i + 1}`), 'median'], rows);
}

/** The phases of issue #15's final table: harness phase → label, whether it is a point phase (p99 target). */
export const ISSUE15_PHASES = [
  ['load', 'POST /Users', true], ['lookup', 'lookup (userName eq)', true], ['get', 'GET /Users/{id}', true], ['patch', 'PATCH (Entra Replace)', true],
  ['list', 'list (100/page, deep)', false], ['groups.create', 'groups.create', false], ['groups.removeMember', 'groups.removeMember', false],
  ['groups.getNoMembers', 'GET group ?excludedAttributes=members', false],
];

const spread = (xs) => { const v = (xs || []).filter((x) => typeof x === 'number'); return v.length > 1 ? `±${fmt((100 * (Math.max(...v) - Math.min(...v))) / (2 * medianOf(v)), 0)} %` : '—'; };

/**
 * Issue #15's final table: WiggleDesk against the ceiling (fastify-sqlite) and Ory Polis in memory
 * (jackson-mem), from the medians of the alternating rounds. A ratio is printed only when neither side
 * saw errors in that phase (refuseRatio). Targets: ≥ 0.5× the ceiling's throughput on every phase,
 * p99 ≤ 2× the ceiling's on the point phases, ahead of Polis (memory) on every phase.
 */
export function issue15Table(wd, peers, { ceiling = 'fastify-sqlite', polis = 'jackson-mem', rounds = [] } = {}) {
  // With rounds, a ratio is the median of the per-round ratios (both sides measured minutes apart at most),
  // not the ratio of two medians that may come from different rounds of a drifting machine.
  const perRound = (ph, peer) => rounds.map((r) => { const w = harnessPhases(r.wiggledesk)[ph], c = r.peers?.[peer] ? harnessPhases(r.peers[peer])[ph] : undefined; return !w || !c || refuseRatio(w, c) || !c.rps ? null : w.rps / c.rps; });
  const W = harnessPhases(wd), C = peers[ceiling] ? harnessPhases(peers[ceiling]) : {}, J = peers[polis] ? harnessPhases(peers[polis]) : {};
  const rows = [];
  let verdicts = 0, met = 0;
  for (const [ph, label, point] of ISSUE15_PHASES) {
    const w = W[ph], c = C[ph], j = J[ph];
    if (!w) { rows.push([label, '—', '—', '—', '—', '—', '—', 'not run']); continue; }
    const rc = refuseRatio(w, c), rj = refuseRatio(w, j);
    const rcs = perRound(ph, ceiling), rjs = perRound(ph, polis);
    const xc = !rc && c?.rps ? (rounds.length > 1 ? medianOf(rcs) : w.rps / c.rps) : null, xj = !rj && j?.rps ? (rounds.length > 1 ? medianOf(rjs) : w.rps / j.rps) : null;
    const xcpu = !rc && w.serverCpuMsPerReq && c?.serverCpuMsPerReq ? c.serverCpuMsPerReq / w.serverCpuMsPerReq : null;
    const rr = (xs) => (rounds.length > 1 ? `; rounds ${xs.map((x) => (x == null ? '—' : fmt(x, 2))).join(', ')}` : '');
    const p99x = !rc && c?.p99ms ? w.p99ms / c.p99ms : null;
    const fails = [];
    if (xc == null) fails.push(rc ? `ceiling ratio refused (${rc})` : 'no ceiling'); else if (xc < 0.5) fails.push('< 0.5× ceiling');
    if (point) { if (p99x == null) fails.push('no p99 ratio'); else if (p99x > 2) fails.push('p99 > 2×'); }
    if (xj == null) fails.push(rj ? `Polis ratio refused (${rj})` : 'no Polis'); else if (xj <= 1) fails.push('behind Polis');
    verdicts++; if (!fails.length) met++;
    rows.push([
      label,
      `${fmt(w.rps, 0)} (rounds ${(w.roundsRps || [w.rps]).map((x) => fmt(x, 0)).join(', ')}; ${spread(w.roundsRps)})`,
      xc == null ? (rc ? `no ratio: ${rc}` : '—') : `×${fmt(xc, 2)} (ceiling ${fmt(c.rps, 0)}${rr(rcs)})`,
      xcpu == null ? '—' : `×${fmt(xcpu, 2)}`,
      xj == null ? (rj ? `no ratio: ${rj}` : '—') : `×${fmt(xj, 2)} (Polis ${fmt(j.rps, 0)}${rr(rjs)})`,
      `${fmt(w.serverCpuMsPerReq, 3)} · ${fmt(c?.serverCpuMsPerReq, 3)} · ${fmt(j?.serverCpuMsPerReq, 3)}`,
      `${fmt(w.p99ms, 1)} · ${fmt(c?.p99ms, 1)}${p99x != null ? ` (×${fmt(p99x, 1)})` : ''}`,
      `${w.errors ?? 0} · ${c?.errors ?? '—'} · ${j?.errors ?? '—'}`,
      fails.length ? `NOT MET: ${fails.join('; ')}` : 'MET',
    ]);
  }
  const table = mdTable(['phase', 'WiggleDesk req/s (median; per round; spread)', `× ceiling (${ceiling}) req/s${rounds.length > 1 ? ', median of per-round ratios' : ''}`, '× ceiling by CPU cost (ceiling CPU/req ÷ WD CPU/req)', `× Polis in memory (${polis})`, 'server CPU ms/req: WD · ceiling · Polis', 'p99 ms: WD · ceiling', 'errors: WD · ceiling · Polis', 'issue #15 target'], rows);
  return { table, met, verdicts };
}

/** Our point phases on SQLite and on PostgreSQL, measured in the same run (same population, same client). */
export function dialectTable(sqlite, postgres, population) {
  const phases = [...new Set([...Object.keys(sqlite || {}), ...Object.keys(postgres || {})])];
  const rows = phases.map((ph) => {
    const a = sqlite?.[ph], b = postgres?.[ph];
    const refused = refuseRatio(a, b);
    return [ph, fmt(a?.rps, 0), fmt(a?.p99ms, 2), fmt(a?.serverCpuMsPerReq, 3), fmt(b?.rps, 0), fmt(b?.p99ms, 2), fmt(b?.serverCpuMsPerReq, 3),
      refused ? `no ratio: ${refused}` : a?.rps && b?.rps ? `×${fmt(b.rps / a.rps, 2)}` : '—'];
  });
  return `${population.toLocaleString()} users each; PostgreSQL's CPU column is the WiggleDesk process only (the database's own backends run outside it, on both CPUs)\n${mdTable(['phase', 'SQLite req/s', 'SQLite p99 ms', 'SQLite CPU ms/req', 'PostgreSQL req/s', 'PostgreSQL p99 ms', 'PostgreSQL CPU ms/req (app only)', 'PostgreSQL / SQLite req/s'], rows)}`;
}
