// WiggleDesk's own phases on a seeded population (the shared harness only knows users it POSTed):
// user lookup by userName, lookup by emails.value, GET by id, Entra-style PATCH — each against
// random users of the whole population — and group membership at two sizes (a group of 100 and a
// group of up to 100,000), plus full GETs of the big group while its RSS is sampled.
import { drive, Recorder, repeated } from './driver.mjs';
import { procStats, round, sleep, log } from './util.mjs';

const S_PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const S_ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const TITLES = ['Engineer', 'Senior Engineer', 'Staff Engineer', 'Manager', 'Director', 'Analyst', 'Designer', 'Product Manager'];
const parse = (t) => { try { return JSON.parse(t); } catch { return null; } };
const is2xx = (s) => typeof s === 'number' && s >= 200 && s < 300;

function rng(seed) {
  let s = seed >>> 0 || 1;
  return (n) => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return Math.floor((s / 4294967296) * n); };
}

/** Waits until a cheap request answers quickly again (as scim-bench's settle()). */
export async function settle(client) {
  const t0 = performance.now();
  for (let i = 0; i < 240 && performance.now() - t0 < 120_000; i++) {
    const r = await client.req('GET', '/ServiceProviderConfig');
    if (r.ms < 50) break;
    await sleep(500);
  }
}

export async function userPhases({ client, pid, ids, population, duration, repeat, warmupS = 1, readConc = 32, writeConc = 16, tag, which = ['lookup', 'emails', 'get', 'patch'] }) {
  const rand = rng(0x5eed ^ population);
  let postSeq = 0;
  const out = {};
  const specs = {
    lookup: { conc: readConc, one: async () => {
      const i = rand(population);
      const r = await client.req('GET', `/Users?filter=${encodeURIComponent(`userName eq "${ids.userName(i)}"`)}`);
      let ok = r.status === 200; if (ok) { const j = parse(r.text); ok = j?.totalResults === 1 && j.Resources?.[0]?.id === ids.userId(i); }
      return { ms: r.ms, status: r.status, ok, sample: ok ? null : `${r.status} ${r.text.slice(0, 200)}` };
    } },
    emails: { conc: readConc, one: async () => {
      const i = rand(population);
      const r = await client.req('GET', `/Users?filter=${encodeURIComponent(`emails.value eq "${ids.email(i)}"`)}`);
      let ok = r.status === 200; if (ok) { const j = parse(r.text); ok = j?.totalResults === 1 && j.Resources?.[0]?.id === ids.userId(i); }
      return { ms: r.ms, status: r.status, ok, sample: ok ? null : `${r.status} ${r.text.slice(0, 200)}` };
    } },
    get: { conc: readConc, one: async () => {
      const i = rand(population);
      const r = await client.req('GET', `/Users/${ids.userId(i)}`);
      const ok = r.status === 200;
      return { ms: r.ms, status: r.status, ok, sample: ok ? null : `${r.status} ${r.text.slice(0, 200)}` };
    } },
    post: { conc: 16, one: async () => {
      const k = postSeq++;
      const un = `p${tag}.${population}.${k}@contoso.example`;
      const r = await client.req('POST', '/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', S_ENT], externalId: `post-${tag}-${population}-${k}`, userName: un, active: true,
        displayName: 'Ada Lovelace', title: 'Engineer', emails: [{ primary: true, type: 'work', value: un }],
        name: { formatted: 'Ada Lovelace', familyName: 'Lovelace', givenName: 'Ada' },
        [S_ENT]: { department: `Dept ${k % 40}`, manager: { value: ids.userId(rand(population)) } },
      });
      const ok = r.status === 201;
      return { ms: r.ms, status: r.status, ok, sample: ok ? null : `${r.status} ${r.text.slice(0, 200)}` };
    } },
    list: { conc: 16, one: async () => {
      const start = 1 + rand(Math.max(1, population - 100));
      const r = await client.req('GET', `/Users?startIndex=${start}&count=100`);
      let ok = r.status === 200; if (ok) { const j = parse(r.text); ok = Array.isArray(j?.Resources) && j.Resources.length === 100; }
      return { ms: r.ms, status: r.status, ok, sample: ok ? null : `${r.status} ${r.text.slice(0, 200)}` };
    } },
    patch: { conc: writeConc, one: async (k) => {
      const i = rand(population);
      const r = await client.req('PATCH', `/Users/${ids.userId(i)}`, { schemas: [S_PATCH], Operations: [{ op: 'Replace', path: 'title', value: TITLES[k % TITLES.length] }, { op: 'Replace', path: 'active', value: k % 2 === 0 }] });
      const ok = is2xx(r.status);
      return { ms: r.ms, status: r.status, ok, sample: ok ? null : `${r.status} ${r.text.slice(0, 200)}` };
    } },
  };
  for (const name of which) {
    const spec = specs[name];
    await settle(client);
    if (warmupS > 0) await drive(new Recorder('warmup', pid), { conc: spec.conc, seconds: warmupS, one: spec.one });
    const label = `${name}@${population}`;
    log(`phase ${label} …`);
    out[name] = await repeated(repeat, async () => (await drive(new Recorder(label, pid), { conc: spec.conc, seconds: duration / repeat, one: spec.one })).summary({ population }));
    log(`phase ${label}: ${out[name].rps} req/s, p50 ${out[name].p50ms} ms, p99 ${out[name].p99ms} ms, cpu ${out[name].serverCpuMsPerReq} ms/req, errors ${out[name].errors}`);
  }
  return out;
}

/** Plan for the group-scale phases, given the seeded population. */
export function groupPlan(population, { firstIndex = 0, rounds = 50, smallSize = 100, bigMax = 100_000 } = {}) {
  const pool = rounds * 100; // users not in the big group, added 100 per round
  const bigSize = Math.max(0, Math.min(bigMax, population - pool));
  return {
    rounds, smallSize, bigSize,
    big: { index: firstIndex, members: [0, bigSize] },
    small: Array.from({ length: rounds }, (_, k) => ({ index: firstIndex + 1 + k, members: [0, Math.min(smallSize, bigSize)] })),
    poolFrom: bigSize,
  };
}

export async function groupPhases({ client, pid, ids, plan, duration, repeat, readConc = 32 }) {
  const out = { bigSize: plan.bigSize, smallSize: plan.smallSize, rounds: plan.rounds };
  const addBody = (from) => ({ schemas: [S_PATCH], Operations: [{ op: 'Add', path: 'members', value: Array.from({ length: 100 }, (_, j) => ({ value: ids.userId(from + j) })) }] });
  const rmBody = (uid) => ({ schemas: [S_PATCH], Operations: [{ op: 'Remove', path: `members[value eq "${uid}"]` }] });
  // Sequential requests: the server's CPU time is read around each one (10 ms /proc ticks, so it is
  // an estimate that converges over the 50 rounds) and charged to that request's recorder.
  const one = async (rec, method, path, body) => {
    const c0 = procStats(pid)?.cpuS;
    const r = await client.req(method, path, body);
    const c1 = procStats(pid)?.cpuS;
    if (c0 != null && c1 != null) rec.cpuSum = (rec.cpuSum ?? 0) + (c1 - c0);
    const ok = is2xx(r.status);
    rec.add(r.ms, r.status, ok, ok ? null : `${r.status} ${r.text.slice(0, 200)}`);
  };
  const own = (rec) => { const s = rec.summary(); if (rec.cpuSum != null && s.requests) { s.serverCpuS = round(rec.cpuSum); s.serverCpuMsPerReq = round((rec.cpuSum * 1000) / s.requests, 4); } return s; };
  const bigId = ids.groupId(plan.big.index);
  await settle(client);
  // Add 100 members: to a group of 100 (a fresh small group each round) and to the big group, interleaved.
  const addSmall = new Recorder('groups.add100@small', pid), addBig = new Recorder(`groups.add100@${plan.bigSize}`, pid);
  addSmall.start(); addBig.start();
  for (let r = 0; r < plan.rounds; r++) {
    await one(addSmall, 'PATCH', `/Groups/${ids.groupId(plan.small[r].index)}`, addBody(plan.poolFrom + r * 100));
    await one(addBig, 'PATCH', `/Groups/${bigId}`, addBody(plan.poolFrom + r * 100));
  }
  addSmall.stop(); addBig.stop();
  out.add100Small = own(addSmall); out.add100Big = own(addBig);
  log(`groups add 100: small p50 ${out.add100Small.p50ms} ms, big(${plan.bigSize}) p50 ${out.add100Big.p50ms} ms`);
  // Remove one member with a value filter path.
  const rmSmall = new Recorder('groups.remove1@small', pid), rmBig = new Recorder(`groups.remove1@${plan.bigSize}`, pid);
  rmSmall.start(); rmBig.start();
  for (let r = 0; r < plan.rounds; r++) {
    await one(rmSmall, 'PATCH', `/Groups/${ids.groupId(plan.small[r].index)}`, rmBody(ids.userId(r)));
    await one(rmBig, 'PATCH', `/Groups/${bigId}`, rmBody(ids.userId(r)));
  }
  rmSmall.stop(); rmBig.stop();
  out.remove1Small = own(rmSmall); out.remove1Big = own(rmBig);
  log(`groups remove 1: small p50 ${out.remove1Small.p50ms} ms, big p50 ${out.remove1Big.p50ms} ms`);
  // GET without members: the same whatever the size.
  for (const [key, gid] of [['getNoMembersSmall', ids.groupId(plan.small[0].index)], ['getNoMembersBig', bigId]]) {
    await settle(client);
    const probe = await client.req('GET', `/Groups/${gid}?excludedAttributes=members`);
    const pj = parse(probe.text);
    const spec = async () => {
      const r = await client.req('GET', `/Groups/${gid}?excludedAttributes=members`);
      return { ms: r.ms, status: r.status, ok: r.status === 200, sample: r.status === 200 ? null : `${r.status} ${r.text.slice(0, 200)}` };
    };
    await drive(new Recorder('warmup', pid), { conc: readConc, seconds: 1, one: spec });
    out[key] = await repeated(repeat, async () => (await drive(new Recorder(`groups.getNoMembers@${key.endsWith('Big') ? plan.bigSize : 'small'}`, pid), { conc: readConc, seconds: duration / repeat, one: spec })).summary({ bytes: probe.text.length }));
    if (Array.isArray(pj?.members)) out[key].notes.push(`excludedAttributes=members ignored: ${pj.members.length} members returned`);
    log(`groups ${key}: ${out[key].rps} req/s p50 ${out[key].p50ms} ms`);
  }
  // Full GET of the big group, three times, RSS sampled every 20 ms.
  await settle(client);
  const expected = plan.bigSize + plan.rounds * 100 - plan.rounds;
  out.fullGet = [];
  for (let k = 0; k < 3; k++) {
    const rss0 = procStats(pid)?.rssMB ?? null;
    let rssMax = rss0 ?? 0;
    const timer = setInterval(() => { const s = procStats(pid); if (s && s.rssMB > rssMax) rssMax = s.rssMB; }, 20);
    const t = performance.now();
    const r = await client.req('GET', `/Groups/${bigId}`);
    const ms = performance.now() - t;
    clearInterval(timer);
    const j = parse(r.text);
    const members = Array.isArray(j?.members) ? j.members.length : null;
    out.fullGet.push({ status: r.status, ms: round(ms), bytes: r.text.length, members, expectedMembers: expected, rssStartMB: round(rss0), rssMaxMB: round(rssMax) });
    log(`groups full GET: ${r.status} ${members} members (expected ${expected}), ${(r.text.length / 1e6).toFixed(1)} MB in ${ms.toFixed(0)} ms, server RSS max ${rssMax.toFixed(0)} MB`);
  }
  return out;
}
