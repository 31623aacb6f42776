#!/usr/bin/env node
// A CPU profile of one phase of the in-process request path, and nothing else (not the seeding):
// `node bench/profile-phase.mjs --phase get|lookup|patch|post|list|addMembers|groupsCreate|removeMember [--users 2000] [--requests 20000] [--out FILE]`.
// Writes the .cpuprofile (Chrome DevTools opens it) and prints its summary (bench/lib/cpuprofile.mjs).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { inprocessPhases, startInProcessApp } from './lib/inprocess-app.mjs';
import { coarse, summariseProfile } from './lib/cpuprofile.mjs';

const { values: o } = parseArgs({ options: { 'app-dir': { type: 'string', default: '.' }, phase: { type: 'string', default: 'get' }, users: { type: 'string', default: '2000' }, requests: { type: 'string', default: '20000' }, out: { type: 'string', default: '/tmp/wiggledesk-phase.cpuprofile' }, top: { type: 'string', default: '30' } } });
const { c, inject, users, close } = await startInProcessApp({ appDir: o['app-dir'], users: Number(o.users), headers: { 'user-agent': 'Azure Active Directory SCIM Client' } });
const PHASES = inprocessPhases(inject, users);
const run = PHASES[o.phase];
if (!run) throw new Error(`unknown phase ${o.phase}; one of ${Object.keys(PHASES).join(', ')}`);
const R = Number(o.requests);
for (let i = 0; i < Math.min(R, 2000); i++) await run(); // warm-up: JIT and caches
await c.services.activity.flush();
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 50 });
await session.post('Profiler.start');
const t = process.cpuUsage();
for (let i = 0; i < R; i++) await run();
await c.services.activity.flush();
const d = process.cpuUsage(t);
const { profile } = await session.post('Profiler.stop');
session.disconnect();
console.log(`${o.phase}: ${((d.user + d.system) / R).toFixed(1)} µs CPU per request over ${R} (profiler on)`);
writeFileSync(o.out, JSON.stringify(profile));
const summary = summariseProfile(o.out, { top: Number(o.top) });
console.log(`${o.out}\ncoarse: ${coarse(summary).map(([k, v]) => `${k} ${v}%`).join(', ')}`);
for (const b of summary.topSelf) console.log(`  ${String(b.pct).padStart(5)}%  ${b.fn}`);
await close();
