// The first admin's secret never reaches the service log (issue #17): `serve` on an empty database
// prints a one-time link on the terminal (stdout text), and the service's own pino log — here at
// `trace`, every request logged — holds neither the link's token, nor the password chosen through
// it, nor the session cookie, while the link is followed in a browser-like client, the password is
// set and used. The link works once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('first start: a one-time link, never a secret in the service log', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wd-first-'));
  });
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the link on the terminal only; following it sets a password; the log holds no secret', async () => {
    const port = 10_000 + Math.floor(Math.random() * 22_000);
    let out = '';
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
      env: { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'first.db')}`, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'trace' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 300 && !/WiggleDesk listening/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    const link = /(http:\/\/127\.0\.0\.1:\d+\/console\/reset-password\?token=(wdr_[\w-]{43}))/.exec(out);
    expect(link, out).not.toBeNull();
    const [, url, token] = link!;
    const base = `http://127.0.0.1:${port}`;

    // The browser: the link moves the token into a cookie and leaves the address bar.
    const cookies = new Map<string, string>();
    const keep = (r: Response) => {
      for (const c of r.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const [k, v] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
        if (v === '' || /Max-Age=0/i.test(c)) cookies.delete(k);
        else cookies.set(k, v);
      }
      return r;
    };
    const cookie = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const opened = keep(await fetch(url!, { redirect: 'manual' }));
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('/console/reset-password');
    const form = keep(await fetch(`${base}/console/reset-password`, { headers: { cookie: cookie() } }));
    const html = await form.text();
    expect(html).toContain('admin@wiggledesk.local');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
    const password = 'correct horse battery staple 42';
    const post = (pw: string) =>
      fetch(`${base}/console/reset-password`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
        body: new URLSearchParams({ _csrf: csrf, next: pw, confirm: pw }).toString(),
      });
    const set = await post(password);
    expect(set.status).toBe(303);
    expect(set.headers.get('location')).toBe('/console/login?passwordset=1');
    // Once only.
    expect((await post('another good password 43')).status).toBe(410);
    expect((await fetch(url!, { redirect: 'follow' })).status).toBe(410);

    // Sign in with the chosen password.
    const login = keep(await fetch(`${base}/console/login`));
    const loginCsrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
    const signedIn = keep(
      await fetch(`${base}/console/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
        body: new URLSearchParams({ _csrf: loginCsrf, email: 'admin@wiggledesk.local', password }).toString(),
      }),
    );
    expect(signedIn.status).toBe(303);
    const session = cookies.get('wd_session');
    expect(session).toBeDefined();

    await new Promise<void>((resolve) => {
      child!.once('exit', () => resolve());
      child!.kill('SIGTERM');
    });
    // The service log: every JSON line pino wrote (requests included, at trace).
    const logLines = out.split('\n').filter((l) => l.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(5);
    expect(logLines.some((l) => l.includes('/console/reset-password'))).toBe(true);
    for (const secret of [token!, password, session!, encodeURIComponent(password)]) {
      expect(logLines.filter((l) => l.includes(secret)), secret).toEqual([]);
    }
    // The terminal text has the link exactly once.
    expect(out.split(token!).length - 1).toBe(1);
  }, 60_000);
});
