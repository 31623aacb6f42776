// The `wiggledesk` CLI (issue #2): commands with --json, errors on stderr with a non-zero exit,
// keys that authenticate, and `serve` bootstrapping an empty database exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/index.js';
import { loadConfig } from '../../src/config/config.js';
import { serve } from '../../src/serve.js';

describe('wiggledesk CLI', () => {
  let dir: string;
  const env = () => ({ DATABASE_URL: `sqlite:${join(dir, 'cli.db')}`, LOG_LEVEL: 'silent' });
  const run = async (...argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, () => loadConfig(env()), { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) }, serve);
    return { code, stdout, stderr };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wd-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrate, org create/list/approve-api/revoke-api with --json', async () => {
    expect((await run('migrate')).code).toBe(0);
    const created = await run('org', 'create', 'Fabrikam', '--json');
    expect(created.code).toBe(0);
    const org = JSON.parse(created.stdout);
    expect(org).toMatchObject({ name: 'Fabrikam', apiAccessApproved: false });
    const listed = JSON.parse((await run('org', 'list', '--json')).stdout);
    expect(listed.map((o: { id: string }) => o.id)).toContain(org.id);
    expect(JSON.parse((await run('org', 'approve-api', 'Fabrikam', '--json')).stdout).apiAccessApproved).toBe(true);
    expect(JSON.parse((await run('org', 'revoke-api', org.id, '--json')).stdout).apiAccessApproved).toBe(false);
  });

  it('key create refuses an unapproved organisation with a clear message on stderr', async () => {
    const r = await run('key', 'create', 'Fabrikam');
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/not approved for API access/);
  });

  it('key create prints the key alone; --json gives {id,key,name,scopes}; list never shows secrets; revoke', async () => {
    await run('org', 'approve-api', 'Fabrikam');
    const plain = await run('key', 'create', 'Fabrikam', '--name', 'Entra');
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^wdk_[0-9a-f]{24}_[A-Za-z0-9_-]{43}\n$/);
    const asJson = JSON.parse((await run('key', 'create', 'Fabrikam', '--json', '--name', 'Okta')).stdout);
    expect(Object.keys(asJson).sort()).toEqual(['id', 'key', 'name', 'scopes']);
    expect(asJson.name).toBe('Okta');
    // Without --scopes a key keeps the SCIM scope.
    expect(asJson.scopes).toEqual(['scim']);
    const list = await run('key', 'list', 'Fabrikam', '--json');
    expect(list.stdout).not.toContain(asJson.key.slice(29));
    expect(JSON.parse(list.stdout)).toHaveLength(2);
    expect((await run('key', 'revoke', asJson.id)).code).toBe(0);
    const after = JSON.parse((await run('key', 'list', 'Fabrikam', '--json')).stdout);
    expect(after.find((k: { id: string }) => k.id === asJson.id).revokedAt).not.toBeNull();
  });

  it('key create --scopes; webhook add|list|rotate-secret|remove with --json (secret shown once)', async () => {
    const both = JSON.parse((await run('key', 'create', 'Fabrikam', '--name', 'Events', '--scopes', 'scim,events:read', '--json')).stdout);
    expect(both.scopes).toEqual(['scim', 'events:read']);
    const bad = await run('key', 'create', 'Fabrikam', '--scopes', 'root');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/Unknown scope "root"/);
    const added = await run('webhook', 'add', 'Fabrikam', '--url', 'https://hooks.fabrikam.example/wd', '--events', 'user.created,user.deleted', '--json');
    expect(added.code, added.stderr).toBe(0);
    const hook = JSON.parse(added.stdout);
    expect(Object.keys(hook).sort()).toEqual(['id', 'secret']);
    expect(hook.secret).toMatch(/^whsec_/);
    const listed = await run('webhook', 'list', 'Fabrikam', '--json');
    expect(listed.stdout).not.toContain(hook.secret.slice(6));
    expect(JSON.parse(listed.stdout)[0]).toMatchObject({ id: hook.id, url: 'https://hooks.fabrikam.example/wd', eventTypes: ['user.created', 'user.deleted'], enabled: true });
    const rotated = JSON.parse((await run('webhook', 'rotate-secret', 'Fabrikam', hook.id, '--json')).stdout);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(hook.secret);
    const insecure = await run('webhook', 'add', 'Fabrikam', '--url', 'http://10.0.0.1/hook');
    expect(insecure.code).not.toBe(0);
    expect(insecure.stderr).toMatch(/https/);
    expect((await run('webhook', 'remove', 'Fabrikam', hook.id)).code).toBe(0);
    expect(JSON.parse((await run('webhook', 'list', 'Fabrikam', '--json')).stdout)).toEqual([]);
  });

  it('admin create prints a one-time password', async () => {
    const r = JSON.parse((await run('admin', 'create', 'Fabrikam', 'it@fabrikam.example', '--json')).stdout);
    expect(r.email).toBe('it@fabrikam.example');
    expect(r.password).toMatch(/^[A-Za-z0-9]{20}$/);
  });

  it('unknown organisation → stderr and a non-zero exit; unknown command → non-zero', async () => {
    const r = await run('key', 'list', 'Nope Inc');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/No organisation/);
    expect((await run('frobnicate')).code).not.toBe(0);
  });

  it('--help works for every command', async () => {
    for (const argv of [['--help'], ['org', '--help'], ['key', 'create', '--help'], ['serve', '--help']]) {
      const r = await run(...argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: wiggledesk/);
    }
  });

  it('binding move gives a binding to an organisation (the operator\'s proof), moves it on, and binding list shows it (issue #18)', async () => {
    expect((await run('org', 'create', 'Tailspin')).code).toBe(0);
    expect((await run('org', 'create', 'Wingtip')).code).toBe(0);
    const first = await run('binding', 'move', 'google', '@Tailspin.Example', '--to', 'Tailspin', '--json');
    expect(first.code, first.stderr).toBe(0);
    const granted = JSON.parse(first.stdout);
    expect(granted).toMatchObject({ provider: 'google', value: 'tailspin.example', linksEnded: 0 });
    expect(granted.from).toBeUndefined();
    const second = await run('binding', 'move', 'google', 'tailspin.example', '--to', 'Wingtip', '--reason', 'ticket 42', '--by', 'ops-anna');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(new RegExp(`^Moved google tailspin.example from ${granted.to} to [0-9a-f-]+\\n$`));
    const list = JSON.parse((await run('binding', 'list', '--org', 'Wingtip', '--json')).stdout);
    expect(list).toEqual([expect.objectContaining({ provider: 'google', value: 'tailspin.example', status: 'verified', method: 'operator', verifiedBy: 'cli:ops-anna' })]);
    expect(JSON.parse((await run('binding', 'list', '--org', 'Tailspin', '--json')).stdout)).toEqual([]);
    const bad = await run('binding', 'move', 'google', 'gmail.com', '--to', 'Wingtip');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/consumer domain/);
    const nowhere = await run('binding', 'move', 'microsoft', '72f988bf-86f1-41af-91ab-2d7cd011db47', '--to', 'No Such Org');
    expect(nowhere.code).not.toBe(0);
    expect(nowhere.stderr).toMatch(/No organisation with id or name "No Such Org"/);
  });

  it('bad configuration: one readable line per bad value', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' })).toThrow(
      /PORT must be a whole number[\s\S]*LOG_LEVEL must be one of[\s\S]*DATABASE_URL must start with sqlite: or postgres:\/\//,
    );
  });
});

describe('wiggledesk serve (a real process)', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wd-serve-'));
  });
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (port: number, extra: string[] = []) =>
    new Promise<{ child: ChildProcess; output: () => string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', ...extra], {
        env: { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'serve.db')}`, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let out = '';
      const fail = (why: string) => { clearTimeout(timer); reject(Object.assign(new Error(`${why}: ${out}`), { output: out })); };
      const timer = setTimeout(() => fail('server did not start'), 30_000);
      const onData = (d: Buffer) => {
        out += d.toString();
        if (/WiggleDesk listening/.test(out)) {
          clearTimeout(timer);
          resolve({ child, output: () => out });
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      child.once('exit', (code, signal) => fail(`server exited (${signal ?? code}) before it listened`));
    });
  // Ports below the kernel's ephemeral range (32768+), so no client socket of a parallel test holds
  // one; a port taken anyway (EADDRINUSE) is retried on another.
  const randomPort = () => 10_000 + Math.floor(Math.random() * 22_000);
  const startOnFreePort = async (extra: string[] = []) => {
    for (let attempt = 1; ; attempt++) {
      const port = randomPort();
      try {
        return { port, ...(await start(port, extra)) };
      } catch (e) {
        if (attempt >= 5 || !String((e as { output?: string }).output).includes('EADDRINUSE')) throw e;
      }
    }
  };
  const stop = (child: ChildProcess) => new Promise<string>((resolve) => { child.once('exit', (code, signal) => resolve(`${code}/${signal}`)); child.kill('SIGTERM'); });

  it('first start bootstraps an organisation and admin and prints how to sign in; a second start prints no secrets; SIGTERM exits 0', async () => {
    const { port, ...first } = await startOnFreePort();
    expect(first.output()).toMatch(/Set your password[^\n]*\n\s+http:\/\/127\.0\.0\.1:\d+\/console\/reset-password\?token=wdr_[\w-]{43}/);
    expect(first.output()).toContain(`http://127.0.0.1:${port}/scim/v2`);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    expect(await stop(first.child), first.output()).toBe('0/null');
    const second = await start(port);
    expect(second.output()).not.toMatch(/Password|token=/);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    expect(await stop(second.child), second.output()).toBe('0/null');
  }, 60_000);

  it('--workers 2 serves from two processes on one port', async () => {
    const { port, ...s } = await startOnFreePort(['--workers', '2']);
    const pids = new Set<string>();
    for (let i = 0; i < 40 && pids.size < 2; i++) {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { connection: 'close' } });
      pids.add(String((await r.json() as { pid?: number }).pid));
    }
    expect(pids.size).toBe(2);
    await stop(s.child);
  }, 60_000);

  it.each([[[]], [['--workers', '2']]])('serve %j on a port already in use exits 1 and says why (no hang, no endless worker restarts)', async (extra: string[]) => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', ...extra], {
        env: { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'serve.db')}`, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      expect(code, out).toBe(1);
      expect(out).toContain('EADDRINUSE');
      expect(out).not.toMatch(/starting another/);
    } finally {
      blocker.close();
    }
  }, 60_000);
});
