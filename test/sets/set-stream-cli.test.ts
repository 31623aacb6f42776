// `wiggledesk set-stream add|list|deliveries|rotate-key|remove` (issue #13, RFC 9967 streams).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/index.js';
import { loadConfig } from '../../src/config/config.js';
import { serve } from '../../src/serve.js';

describe('wiggledesk set-stream', () => {
  let dir: string;
  const run = async (env: Record<string, string>, ...argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, () => loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'cli.db')}`, LOG_LEVEL: 'silent', PUBLIC_URL: 'https://wd.example', ...env }), { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) }, serve);
    return { code, stdout, stderr };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wd-sets-cli-'));
    expect((await run({}, 'org', 'create', 'Fabrikam')).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('add --poll --json prints the stream with its poll URL and a token shown once; list never shows it', async () => {
    const r = await run({}, 'set-stream', 'add', 'Fabrikam', '--poll', '--name', 'SIEM', '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ delivery: 'poll', name: 'SIEM', enabled: true, pollUrl: `https://wd.example/sets/streams/${s.id}/poll` });
    expect(s.pollToken).toMatch(/^wdset_[A-Za-z0-9_-]{43}$/);
    expect(s.jwksUrl).toMatch(/^https:\/\/wd\.example\/sets\/[\w-]+\/jwks\.json$/);
    const list = await run({}, 'set-stream', 'list', 'Fabrikam', '--json');
    expect(list.stdout).not.toContain(s.pollToken);
    expect(JSON.parse(list.stdout)).toHaveLength(1);
    expect(JSON.parse((await run({}, 'set-stream', 'deliveries', 'Fabrikam', s.id, '--json')).stdout)).toEqual([]);
  });

  it('add --push checks the URL: https only unless ALLOW_PRIVATE_TARGETS; the authorization header is never listed', async () => {
    const refused = await run({}, 'set-stream', 'add', 'Fabrikam', '--push', 'http://127.0.0.1:9/x');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Push endpoint refused: only https/);
    const ok = await run({ ALLOW_PRIVATE_TARGETS: '1' }, 'set-stream', 'add', 'Fabrikam', '--push', 'http://127.0.0.1:9/x', '--authorization', 'Bearer s3cret', '--json');
    expect(ok.code).toBe(0);
    const s = JSON.parse(ok.stdout);
    expect(s).toMatchObject({ delivery: 'push', endpointUrl: 'http://127.0.0.1:9/x', hasAuthorization: true, audience: 'http://127.0.0.1:9/x' });
    const text = await run({}, 'set-stream', 'list', 'Fabrikam');
    expect(text.stdout).toContain(s.id);
    expect(text.stdout).not.toContain('s3cret');
    expect((await run({}, 'set-stream', 'add', 'Fabrikam', '--poll', '--push', 'https://x.example')).stderr).toMatch(/either push .* or poll/);
  });

  it('rotate-key and remove; unknown ids exit non-zero', async () => {
    const rotated = JSON.parse((await run({}, 'set-stream', 'rotate-key', 'Fabrikam', '--json')).stdout);
    expect(rotated.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [first] = JSON.parse((await run({}, 'set-stream', 'list', 'Fabrikam', '--json')).stdout);
    expect((await run({}, 'set-stream', 'remove', 'Fabrikam', first.id)).code).toBe(0);
    expect(JSON.parse((await run({}, 'set-stream', 'list', 'Fabrikam', '--json')).stdout)).toHaveLength(1);
    const again = await run({}, 'set-stream', 'remove', 'Fabrikam', first.id);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/No SET stream/);
  });
});
