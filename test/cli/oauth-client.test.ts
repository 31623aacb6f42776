// `wiggledesk oauth-client …` (issue #20): create (secret shown once), federate, list,
// add-secret, remove-secret, delete; the API-access approval gate; JSON shapes as documented.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/index.js';
import { loadConfig } from '../../src/config/config.js';
import { serve } from '../../src/serve.js';

describe('wiggledesk oauth-client', () => {
  let dir: string;
  const env = () => ({ DATABASE_URL: `sqlite:${join(dir, 'cli.db')}`, LOG_LEVEL: 'silent', PUBLIC_URL: 'https://wiggledesk.example.com' });
  const run = async (...argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, () => loadConfig(env()), { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) }, serve);
    return { code, stdout, stderr };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wd-cli-oauth-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is refused for an organisation not approved for API access', async () => {
    expect((await run('org', 'create', 'Tailspin')).code).toBe(0);
    const r = await run('oauth-client', 'create', 'Tailspin', '--json');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not approved for API access/);
    const f = await run('oauth-client', 'federate', 'Tailspin', '--issuer', 'https://login.microsoftonline.com/t/v2.0', '--jwks-url', 'https://login.microsoftonline.com/t/discovery/v2.0/keys', '--subject', 's', '--audience', 'api://a');
    expect(f.code).not.toBe(0);
  });

  it('create → add-secret → list → remove-secret → delete', async () => {
    await run('org', 'approve-api', 'Tailspin');
    const created = await run('oauth-client', 'create', 'Tailspin', '--name', 'Entra', '--secret-days', '400', '--json');
    expect(created.code, created.stderr).toBe(0);
    const c = JSON.parse(created.stdout);
    expect(Object.keys(c).sort()).toEqual(['client_id', 'client_secret', 'scim_url', 'secret_expires_at', 'token_endpoint']);
    expect(c).toMatchObject({ token_endpoint: 'https://wiggledesk.example.com/oauth2/token', scim_url: 'https://wiggledesk.example.com/scim/v2' });
    expect(c.client_id).toMatch(/^wdc_[0-9a-f]{24}$/);
    expect(c.client_secret).toMatch(/^wdcs_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(c.secret_expires_at) - Date.now()).toBeGreaterThan(399 * 86_400_000);
    expect((await run('oauth-client', 'create', 'Tailspin', '--secret-days', '30')).stderr).toMatch(/365 to 1095/);

    const added = JSON.parse((await run('oauth-client', 'add-secret', c.client_id, '--json')).stdout);
    expect(added.client_secret).toMatch(/^wdcs_/);
    const listed = await run('oauth-client', 'list', 'Tailspin', '--json');
    expect(listed.stdout).not.toContain(c.client_secret.slice(5));
    expect(listed.stdout).not.toContain(added.client_secret.slice(5));
    const clients = JSON.parse(listed.stdout);
    const mine = clients.find((x: { id: string }) => x.id === c.client_id);
    expect(mine.secrets).toHaveLength(2);
    const old = mine.secrets.find((s: { id: string }) => s.id !== added.secret_id);
    expect((await run('oauth-client', 'remove-secret', c.client_id, old.id)).code).toBe(0);
    expect(JSON.parse((await run('oauth-client', 'list', 'Tailspin', '--json')).stdout).find((x: { id: string }) => x.id === c.client_id).secrets).toHaveLength(1);
    expect((await run('oauth-client', 'delete', c.client_id, '--json')).code).toBe(0);
    expect((await run('oauth-client', 'delete', c.client_id)).code).toBe(3);
  });

  it('federate prints {client_id, token_endpoint, scim_url}; the JWKS URL must be https', async () => {
    const r = await run('oauth-client', 'federate', 'Tailspin', '--issuer', 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0', '--jwks-url', 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/discovery/v2.0/keys', '--subject', '6f1f2c1e-0d6a-4a0b-9b43-2c8b8a3f0a11', '--audience', 'api://wiggledesk', '--json');
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(Object.keys(c).sort()).toEqual(['client_id', 'scim_url', 'token_endpoint']);
    const bad = await run('oauth-client', 'federate', 'Tailspin', '--issuer', 'https://i', '--jwks-url', 'http://example.com/keys', '--subject', 's', '--audience', 'a');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/https/);
    const text = (await run('oauth-client', 'list', 'Tailspin')).stdout;
    expect(text).toContain('federated');
    expect(text).toContain('6f1f2c1e-0d6a-4a0b-9b43-2c8b8a3f0a11');
  });
});
