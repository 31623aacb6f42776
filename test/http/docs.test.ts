// Issue #20: the customer documentation Microsoft requires, served by WiggleDesk at stable URLs
// (/docs/provisioning, /docs/sso) and kept in docs/ — generated from the schema registry and the
// error tables, so it cannot drift: every attribute, every token-endpoint error (with the anchor
// its error_uri points to) and every SSO refusal is listed, and the committed files are current.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { buildTestApp, json, type TestApp } from '../support/test-app.js';
import { allSchemas } from '../../src/scim/schema/registry.js';
import type { AttributeDef } from '../../src/scim/schema/types.js';
import { OAUTH_ERRORS } from '../../src/services/oauth/oauth-errors.js';
import { BEARER_ERRORS } from '../../src/services/credentials/bearer-auth.js';
import { committedDocs } from '../../src/http/docs/committed.js';
import { renderMarkdown } from '../../src/http/docs/markdown.js';

const paths = (attrs: readonly AttributeDef[], prefix = ''): string[] => attrs.flatMap((a) => [`${prefix}${a.name}`, ...(a.subAttributes ? paths(a.subAttributes, `${prefix}${a.name}.`) : [])]);

describe('customer documentation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('sqlite');
  });
  afterAll(async () => t?.close());

  it('serves /docs/provisioning as HTML with every attribute of the schema registry and every error', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/docs/provisioning' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.headers['content-security-policy']).toContain("default-src 'none'");
    for (const s of allSchemas()) for (const p of paths(s.attributes)) expect(r.body, p).toContain(`<code>${p}</code>`);
    for (const ref of Object.keys(OAUTH_ERRORS)) expect(r.body).toContain(`<tr id="${ref.toLowerCase()}">`);
    for (const code of Object.keys(BEARER_ERRORS)) expect(r.body).toContain(`<tr id="${code.toLowerCase()}">`);
    for (const heading of ['Introduction', 'Roles you need', 'SCIM endpoint', 'Supported attributes', 'Authentication', 'Testing with pilot users', 'Troubleshooting', 'Support']) expect(r.body).toContain(`>${heading}</h2>`);
    expect(r.body).toContain('https://wiggledesk.test/oauth2/token');
    expect(r.body).toContain('support@wiggledesk.com');
  });

  it('the token endpoint’s error_uri points at a row of that page', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=password' });
    const uri = json(r).error_uri as string;
    expect(uri).toBe('/docs/provisioning#oauth_e_grant_type');
    const page = await t.app.inject({ method: 'GET', url: '/docs/provisioning' });
    expect(page.body).toContain(`id="${uri.split('#')[1]}"`);
  });

  it('serves /docs/sso with protocols, permissions and every sign-in refusal reference', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/docs/sso' });
    expect(r.statusCode).toBe(200);
    for (const s of ['authorization code flow', 'private_key_jwt', '<code>openid</code>', '<code>profile</code>', '<code>email</code>', 'business reason', 'break-glass', 'Testing with pilot users', 'sso/not_provisioned', 'sso/wrong_tenant', 'sso_required']) expect(r.body).toContain(s);
    const md = await t.app.inject({ method: 'GET', url: '/docs/sso.md' });
    expect(md.headers['content-type']).toMatch(/^text\/markdown/);
  });

  it('docs/provisioning.md and docs/sso.md are current (run `npm run docs` after changing the code)', () => {
    for (const [file, text] of Object.entries(committedDocs())) expect(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'), file).toBe(text);
  });

  it('escapes HTML in the Markdown it renders', () => {
    expect(renderMarkdown('a <script>x</script> `<b>` [l](javascript:alert(1))')).toBe('<p>a &lt;script&gt;x&lt;/script&gt; <code>&lt;b&gt;</code> [l](javascript:alert(1))</p>');
  });
});
