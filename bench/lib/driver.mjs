// A small closed-loop load generator with the shared harness's semantics: `conc` workers, each
// bounded by a request count and a wall-clock cap; latency percentiles, status histogram, error
// samples, server RSS max (sampled from /proc every 100 ms) and server CPU ms per request.
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pct, procStats, round } from './util.mjs';

export async function loadUndici(scratchDir) {
  return import(pathToFileURL(join(scratchDir, 'node_modules', 'undici', 'index.js')).href);
}

export function httpClient(undici, baseUrl, token, conns = 32) {
  const base = new URL(baseUrl);
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(base.hostname)) throw new Error(`refusing non-loopback target ${base.hostname}`);
  const prefix = base.pathname.replace(/\/+$/, '');
  const pool = new undici.Pool(base.origin, { connections: conns, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: 60_000, bodyTimeout: 120_000 });
  const CT = 'application/scim+json';
  const auth = token ? { authorization: `Bearer ${token}` } : {};
  const HG = { ...auth, accept: CT };
  const HB = { ...auth, accept: CT, 'content-type': CT };
  return {
    async req(method, path, body, { onChunk } = {}) {
      const t = performance.now();
      try {
        const r = await pool.request({ method, path: prefix + path, headers: body === undefined ? HG : HB, body: body === undefined ? undefined : JSON.stringify(body) });
        let text = '';
        if (onChunk) { let bytes = 0; for await (const c of r.body) { bytes += c.length; onChunk(c); } text = String(bytes); }
        else text = await r.body.text();
        return { status: r.statusCode, text, ms: performance.now() - t };
      } catch (e) {
        return { status: 'ERR', text: String(e?.code || e?.message || e), ms: performance.now() - t };
      }
    },
    close: () => pool.close(),
  };
}

export class Recorder {
  constructor(name, pid) { this.name = name; this.pid = pid; this.lat = []; this.ok = 0; this.errors = 0; this.status = {}; this.errSamples = []; this.notes = []; this.rssMax = 0; }
  add(ms, status, ok, sample) {
    this.lat.push(ms);
    this.status[status] = (this.status[status] || 0) + 1;
    if (ok) this.ok++; else { this.errors++; if (this.errSamples.length < 3 && sample) this.errSamples.push(sample); }
  }
  start() {
    this.t0 = performance.now(); this.ps0 = procStats(this.pid); this.rssMax = this.ps0?.rssMB ?? 0; this.load0 = os.loadavg()[0];
    this.sampler = setInterval(() => { const s = procStats(this.pid); if (s && s.rssMB > this.rssMax) this.rssMax = s.rssMB; }, 100);
  }
  stop() {
    this.t1 = performance.now(); clearInterval(this.sampler);
    this.ps1 = procStats(this.pid); if (this.ps1 && this.ps1.rssMB > this.rssMax) this.rssMax = this.ps1.rssMB;
  }
  summary(extra = {}) {
    const s = Float64Array.from(this.lat).sort();
    const dur = (this.t1 - this.t0) / 1000;
    const n = this.lat.length;
    const cpu = this.ps0 && this.ps1 ? this.ps1.cpuS - this.ps0.cpuS : null;
    const mean = n ? this.lat.reduce((a, b) => a + b, 0) / n : null;
    return {
      phase: this.name, requests: n, ok: this.ok, errors: this.errors, status: this.status,
      durationS: round(dur, 3), rps: dur > 0 ? round(n / dur, 1) : null,
      p50ms: round(pct(s, 50)), p90ms: round(pct(s, 90)), p99ms: round(pct(s, 99)), maxms: round(n ? s[n - 1] : null), meanms: round(mean),
      rssStartMB: round(this.ps0?.rssMB), rssMaxMB: round(this.rssMax || null),
      serverCpuS: round(cpu), serverCpuMsPerReq: cpu != null && n ? round((cpu * 1000) / n, 4) : null,
      load1: round(this.load0), errSamples: this.errSamples, notes: this.notes, ...extra,
    };
  }
}

/** `conc` workers call `one(i)` until `count` requests or `seconds` elapsed; one() → {ms,status,ok,sample}. */
export async function drive(rec, { conc, count = Infinity, seconds = Infinity, one }) {
  let next = 0;
  const deadline = performance.now() + seconds * 1000;
  rec.start();
  const worker = async () => {
    for (;;) {
      if (performance.now() >= deadline) return;
      const i = next++;
      if (i >= count) return;
      const r = await one(i);
      rec.add(r.ms, r.status, r.ok, r.sample);
    }
  };
  await Promise.all(Array.from({ length: conc }, worker));
  rec.stop();
  if (next < count && Number.isFinite(count)) rec.notes.push(`time cap ${seconds}s hit after ${Math.min(next, count)}/${count}`);
  return rec;
}

/** Runs a timed phase `repeat` times and reports the repeat with the median req/s (as scim-bench does). */
export async function repeated(repeat, fn) {
  const runs = [];
  for (let i = 0; i < Math.max(1, repeat); i++) runs.push(await fn(i));
  const ok = runs.filter((r) => r.rps != null).sort((a, b) => a.rps - b.rps);
  if (!ok.length) return runs[0];
  const med = ok[Math.floor((ok.length - 1) / 2)];
  return { ...med, repeats: ok.length, rpsAll: ok.map((r) => r.rps), p99All: ok.map((r) => r.p99ms), cpuAll: ok.map((r) => r.serverCpuMsPerReq), rssMaxMB: Math.max(...ok.map((r) => r.rssMaxMB ?? 0)), errors: ok.reduce((a, r) => a + r.errors, 0), errSamples: ok.flatMap((r) => r.errSamples).slice(0, 3) };
}
