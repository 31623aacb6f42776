// `wiggledesk` commands. Each has --help; --json prints machine-readable output; errors go to
// stderr with a non-zero exit. Commands call services, never HTTP.
import { Command, CommanderError } from 'commander';
import type { Config } from '../config/config.js';
import { compose, type Composition } from '../compose.js';
import { ServiceError } from '../services/organizations/organizations.js';
import { trustedTenantId } from '../domain/ids.js';
import { displayPrefix } from '../auth/api-key.js';
import { migrateToLatest } from '../storage/migrations/migrate.js';
import { createDb } from '../storage/dialects/create-db.js';
import { readFile } from 'node:fs/promises';
import { cliActor } from '../services/lifecycle/lifecycle.js';

export interface Io {
  stdout(s: string): void;
  stderr(s: string): void;
}

/** `serve` is injected by the composition root (main.ts): the CLI never imports the HTTP layer. */
export type ServeCommand = (config: Config, io: Io, options: { workers: number }) => Promise<number | undefined>;

export async function runCli(argv: readonly string[], getConfig: () => Config, io: Io, serve: ServeCommand): Promise<number | undefined> {
  let exit: number | undefined = 0;
  const program = new Command('wiggledesk')
    .description('WiggleDesk identity core: SCIM 2.0 provisioning, admin console and SSO')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();

  /** Runs `fn` with the database open and migrated, closing it afterwards. */
  const withApp = async (fn: (c: Composition) => Promise<void>) => {
    const c = await compose(getConfig());
    try {
      await fn(c);
    } finally {
      await c.close();
    }
  };
  const out = (json: boolean, value: unknown, text: string) => io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);

  program
    .command('serve')
    .description('Run the HTTP service (SCIM, console, sign-in); migrates the database first')
    .option('--workers <n>', 'run N worker processes sharing the port (node:cluster)', '1')
    .action(async (opts: { workers: string }) => {
      exit = await serve(getConfig(), io, { workers: Number(opts.workers) });
    });

  program
    .command('migrate')
    .description('Create or upgrade the database schema, then exit')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const config = getConfig();
      const db = createDb(config.database);
      try {
        const ran = await migrateToLatest(db.db as never, db.dialect);
        out(Boolean(opts.json), { applied: ran }, ran.length ? `Applied migrations: ${ran.join(', ')}` : 'Database is up to date');
      } finally {
        await db.close();
      }
    });

  const org = program.command('org').description('Manage organisations');
  org
    .command('create <name>')
    .description('Create an organisation')
    .option('--approve-api', 'approve it for API access right away')
    .option('--json', 'machine-readable output')
    .action((name: string, opts: { approveApi?: boolean; json?: boolean }) =>
      withApp(async ({ services }) => {
        const o = await services.organizations.create(name, { apiAccessApproved: Boolean(opts.approveApi) });
        out(Boolean(opts.json), o, `Created organisation "${o.name}" (${o.id})${o.apiAccessApproved ? ', approved for API access' : ''}`);
      }),
    );
  org
    .command('list')
    .description('List organisations')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) =>
      withApp(async ({ services }) => {
        const list = await services.organizations.list();
        out(Boolean(opts.json), list, list.map((o) => `${o.id}  ${o.apiAccessApproved ? 'api:approved' : 'api:not-approved'}  ${o.name}`).join('\n') || '(no organisations)');
      }),
    );
  for (const [cmd, approved, verb] of [['approve-api', true, 'Approved'], ['revoke-api', false, 'Revoked API access for']] as const) {
    org
      .command(`${cmd} <org>`)
      .description(approved ? 'Approve an organisation (id or exact name) for API access' : 'Withdraw API access: its keys stop working at once')
      .option('--json', 'machine-readable output')
      .action((ref: string, opts: { json?: boolean }) =>
        withApp(async ({ services }) => {
          const o = await services.organizations.setApiAccess(ref, approved);
          out(Boolean(opts.json), o, `${verb} "${o.name}"${approved ? ' for API access' : ''}`);
        }),
      );
  }

  org
    .command('policy <org>')
    .description("Show or change an organisation's user lifecycle policy (claims of manual users, what DELETE does, retention)")
    .option('--claim <policy>', 'match | approve | never: when a provisioned user matches a manual user')
    .option('--on-delete <policy>', 'retain | erase: keep deleted users for the retention period, or erase at once')
    .option('--retention-days <n>', 'days a deleted user can be restored before it is erased (0–365)')
    .option('--json', 'machine-readable output')
    .action((ref: string, opts: { claim?: string; onDelete?: string; retentionDays?: string; json?: boolean }) =>
      withApp(async ({ services }) => {
        const o = await services.organizations.requireOrg(ref);
        const store = services.platform.forTenant(o.id);
        const changing = opts.claim !== undefined || opts.onDelete !== undefined || opts.retentionDays !== undefined;
        const p = changing
          ? await services.lifecycle.setPolicy(store, cliActor('org policy'), { claim: opts.claim, onDelete: opts.onDelete, retentionDays: opts.retentionDays })
          : await services.lifecycle.policy(store);
        const policy = { organization: o.id, claim: p.claim, onDelete: p.onDelete, retentionDays: p.retentionDays, updatedAt: p.updatedAt, updatedBy: p.updatedBy };
        out(Boolean(opts.json), policy, `${o.name}: claim ${p.claim}, on delete ${p.onDelete}, retention ${p.retentionDays} days`);
      }),
    );

  // Sign-in bindings (issue #18): one organisation per Microsoft tenant / Google domain / issuer.
  // Organisations prove their own; the operator moves one after checking ownership out of band.
  const binding = program.command('binding').description('Sign-in bindings: which organisation a Microsoft tenant id, Google Workspace domain or OpenID issuer signs in to');
  binding
    .command('list')
    .description('List bindings with their status (verified, unverified, conflict) and proof')
    .option('--org <org>', 'only this organisation (id or exact name)')
    .option('--json', 'machine-readable output')
    .action((opts: { org?: string; json?: boolean }) =>
      withApp(async ({ services }) => {
        const only = opts.org ? (await services.organizations.requireOrg(opts.org)).id : undefined;
        const rows = (await services.bindings.list()).filter((b) => only === undefined || b.tenantId === only);
        const list = rows.map((b) => ({ provider: b.provider, value: b.value, organization: b.tenantId, status: b.status, method: b.method ?? null, verifiedBy: b.verifiedBy ?? null, verifiedAt: b.verifiedAt ?? null, unverifiedSince: b.unverifiedSince ?? null }));
        out(Boolean(opts.json), list, list.map((b) => `${b.provider}  ${b.value}  ${b.organization}  ${b.status}${b.method ? ` (${b.method})` : ''}`).join('\n') || '(no bindings)');
      }),
    );
  binding
    .command('move <provider> <value>')
    .description('Give a binding to another organisation (after checking who owns the tenant or domain). The previous holder loses it, and its users\' sign-in links through it end. Logged in both organisations\' activity logs.')
    .requiredOption('--to <org>', 'the organisation that gets the binding (id or exact name)')
    .option('--reason <text>', 'why (kept in the activity log), e.g. a support ticket number')
    .option('--by <name>', 'who moves it (kept in the activity log)', 'operator')
    .option('--json', 'machine-readable output')
    .action((provider: string, value: string, opts: { to: string; reason?: string; by: string; json?: boolean }) =>
      withApp(async ({ services }) => {
        const r = await services.bindings.move(provider, value, opts.to, `cli:${opts.by.slice(0, 100)}`, opts.reason);
        out(Boolean(opts.json), r, `Moved ${r.provider} ${r.value} ${r.from ? `from ${r.from} ` : ''}to ${r.to}${r.linksEnded ? `; ${r.linksEnded} sign-in link(s) ended` : ''}`);
      }),
    );

  const users = program.command('users').description('Manual users, deleted users, export and erasure');
  users
    .command('add <org>')
    .description('Add a manual user (the email is also the userName)')
    .requiredOption('--email <email>', 'work email')
    .requiredOption('--name <name>', 'display name')
    .option('--department <department>', 'department (enterprise extension)')
    .option('--title <title>', 'job title')
    .option('--json', 'print the user with its id')
    .action((ref: string, opts: { email: string; name: string; department?: string; title?: string; json?: boolean }) =>
      withApp(async ({ services }) => {
        const o = await services.organizations.requireOrg(ref);
        const u = await services.lifecycle.addManual(services.platform.forTenant(o.id), cliActor('users add'), opts);
        out(Boolean(opts.json), { id: u.id, source: u.source, created: u.created, ...u.doc }, u.id);
      }),
    );
  users
    .command('import <org> <file>')
    .description('Import manual users from a CSV file with the header email,name[,department][,title]; rows with errors are skipped and reported')
    .option('--dry-run', 'only check the file: print the per-row errors, write nothing')
    .option('--json', 'machine-readable output')
    .action((ref: string, file: string, opts: { dryRun?: boolean; json?: boolean }) =>
      withApp(async ({ services }) => {
        const o = await services.organizations.requireOrg(ref);
        const store = services.platform.forTenant(o.id);
        const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
          throw new ServiceError('invalid', `Cannot read ${file}: ${e.code ?? e.message}`);
        });
        const errors = (rows: ReadonlyArray<{ line: number; email: string; error: string | undefined }>) => rows.filter((r) => r.error).map((r) => ({ line: r.line, email: r.email, error: r.error! }));
        if (opts.dryRun) {
          const p = await services.lifecycle.previewImport(store, text);
          if (p.fileError) throw new ServiceError('invalid', p.fileError);
          const errs = errors(p.rows);
          out(Boolean(opts.json), { dryRun: true, valid: p.valid, errors: errs }, [`${p.valid} rows would be imported, ${errs.length} skipped`, ...errs.map((e) => `line ${e.line}: ${e.error}`)].join('\n'));
          return;
        }
        const r = await services.lifecycle.importCsv(store, cliActor('users import'), text);
        if (r.fileError) throw new ServiceError('invalid', r.fileError);
        const errs = errors(r.skipped);
        out(Boolean(opts.json), { created: r.created, errors: errs }, [`Imported ${r.created} users, skipped ${errs.length}`, ...errs.map((e) => `line ${e.line}: ${e.error}`)].join('\n'));
      }),
    );
  users
    .command('deleted <org>')
    .description('List soft-deleted users (restorable until their retention ends)')
    .option('--json', 'machine-readable output')
    .action((ref: string, opts: { json?: boolean }) =>
      withApp(async ({ services }) => {
        const o = await services.organizations.requireOrg(ref);
        const { rows } = await services.lifecycle.listDeleted(services.platform.forTenant(o.id), 0, 10_000);
        const list = rows.map((r) => ({ id: r.id, userName: r.userName, externalId: r.externalId, source: r.source, deletedAt: r.deletedAt, deletedBy: r.deletedBy, purgeAfter: r.purgeAfter }));
        out(Boolean(opts.json), list, list.map((r) => `${r.id}  ${r.userName}  deleted ${r.deletedAt}  erased after ${r.purgeAfter}`).join('\n') || '(no deleted users)');
      }),
    );
  for (const [cmd, description] of [
    ['restore', 'Restore a soft-deleted user under the same id'],
    ['erase', 'Erase a user now (data-subject request): only a tombstone remains'],
    ['export', "Print everything held about a user (record, groups, history) as JSON"],
  ] as const) {
    users
      .command(`${cmd} <org> <id>`)
      .description(description)
      .option('--json', 'machine-readable output')
      .action((ref: string, id: string, opts: { json?: boolean }) =>
        withApp(async ({ services }) => {
          const o = await services.organizations.requireOrg(ref);
          const store = services.platform.forTenant(o.id);
          if (cmd === 'restore') {
            const u = await services.lifecycle.restore(store, cliActor('users restore'), id);
            out(Boolean(opts.json), { id: u.id, restored: true }, `Restored ${u.id}`);
          } else if (cmd === 'erase') {
            const r = await services.lifecycle.eraseNow(store, cliActor('users erase'), id);
            out(Boolean(opts.json), r, `Erased ${r.id}; tombstone kept (external id ${r.externalId ?? 'none'})`);
          } else {
            io.stdout(`${JSON.stringify(await services.lifecycle.exportUser(store, id), null, 2)}\n`);
          }
        }),
      );
  }

  program
    .command('purge')
    .description('Run the retention job now: erase every deleted user whose retention period has ended')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) =>
      withApp(async ({ services }) => {
        const r = await services.lifecycle.runPurge();
        if (!r.ran) {
          out(Boolean(opts.json), { ran: false, erased: [] }, 'Another instance is running the purge job right now; nothing done');
          return;
        }
        out(Boolean(opts.json), { ran: true, erased: r.erased }, r.erased.length ? r.erased.map((e) => `Erased ${e.id} (organisation ${e.tenantId}, deleted ${e.deletedAt})`).join('\n') : 'Nothing to erase');
      }),
    );

  const adminCmd = program.command('admin').description('Manage console admins');
  adminCmd
    .command('create <org> <email>')
    .description('Create a console admin; prints a generated password once')
    .option('--json', 'machine-readable output')
    .action((ref: string, email: string, opts: { json?: boolean }) =>
      withApp(async ({ services }) => {
        const { account, password } = await services.organizations.createAdmin(ref, email);
        out(Boolean(opts.json), { id: account.id, email: account.email, password }, `Created admin ${account.email}\nPassword (shown once): ${password}`);
      }),
    );
  adminCmd
    .command('reset-password <org> <email>')
    .description('Print a one-time link (24 hours) to set the console password of <email>; earlier links stop working. Logged in the activity log without the link')
    .option('--json', 'machine-readable output')
    .action((ref: string, email: string, opts: { json?: boolean }) =>
      withApp(async ({ services }) => {
        const config = getConfig();
        const base = config.publicUrl ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
        const r = await services.passwords.createLinkFor(ref, email, base, 'cli');
        out(Boolean(opts.json), r, `One-time link to set the password of ${r.email} (valid until ${r.expiresAt}; shown once, works once):\n${r.link}`);
      }),
    );

  const key = program.command('key').description('Manage SCIM API keys');
  key
    .command('create <org>')
    .description('Create an API key; prints the key alone on stdout (shown once)')
    .option('--name <name>', 'a name to tell keys apart', 'API key')
    .option('--scopes <scopes>', 'comma-separated: scim, events:read (default: scim)')
    .option('--json', 'print {"id","key","name","scopes"}')
    .action((ref: string, opts: { name: string; scopes?: string; json?: boolean }) =>
      withApp(async ({ services }) => {
        const o = await services.organizations.requireOrg(ref);
        const scopes = opts.scopes === undefined ? undefined : opts.scopes.split(',');
        const { record, key: k } = await services.apiKeys.create(services.platform.forTenant(o.id), { name: opts.name, createdBy: null, scopes });
        out(Boolean(opts.json), { id: record.id, key: k, name: record.name, scopes: record.scopes }, k);
      }),
    );
  key
    .command('list <org>')
    .description("List an organisation's API keys (never the secrets)")
    .option('--json', 'machine-readable output')
    .action((ref: string, opts: { json?: boolean }) =>
      withApp(async ({ services }) => {
        const o = await services.organizations.requireOrg(ref);
        const keys = await services.apiKeys.list(services.platform.forTenant(o.id));
        out(
          Boolean(opts.json),
          keys.map((k) => ({ ...k, prefix: displayPrefix(k.id) })),
          keys.map((k) => `${k.id}  ${displayPrefix(k.id)}  ${k.revokedAt ? 'revoked' : 'active'}  last used ${k.lastUsedAt ?? 'never'}  ${k.name}`).join('\n') || '(no keys)',
        );
      }),
    );
  key
    .command('revoke <key-id>')
    .description('Revoke a key: the very next request with it is refused')
    .option('--json', 'machine-readable output')
    .action((keyId: string, opts: { json?: boolean }) =>
      withApp(async ({ services }) => {
        const found = await services.platform.findApiKey(keyId);
        if (!found) throw new ServiceError('not_found', `No API key with id ${keyId}`);
        await services.apiKeys.revoke(services.platform.forTenant(trustedTenantId(found.tenantId)), keyId);
        out(Boolean(opts.json), { id: keyId, revoked: true }, `Revoked key ${keyId}`);
      }),
    );

  // Webhooks (issue #13, docs/events.md): Standard Webhooks v1, signed with a whsec_ secret shown once.
  const webhook = program.command('webhook').description("Manage an organisation's webhook endpoints");
  webhook
    .command('add <org>')
    .description('Add an endpoint; prints its id and signing secret (shown once)')
    .requiredOption('--url <url>', 'https URL on a public address')
    .option('--events <types>', 'comma-separated event types (default: all)')
    .option('--description <text>', 'a note to tell endpoints apart')
    .option('--json', 'print {"id","secret"}')
    .action((ref: string, opts: { url: string; events?: string; description?: string; json?: boolean }) =>
      withApp(async ({ services }) => {
        const o = await services.organizations.requireOrg(ref);
        const { endpoint, secret } = await services.events.webhooks.add(services.platform.forTenant(o.id), { url: opts.url, eventTypes: opts.events, description: opts.description ?? null, createdBy: null });
        out(Boolean(opts.json), { id: endpoint.id, secret }, `Added webhook ${endpoint.id} → ${endpoint.url}\nSigning secret (shown once): ${secret}`);
      }),
    );
  webhook
    .command('list <org>')
    .description("List an organisation's webhook endpoints (never the secrets)")
    .option('--json', 'machine-readable output')
    .action((ref: string, opts: { json?: boolean }) =>
      withApp(async ({ services }) => {
        const o = await services.organizations.requireOrg(ref);
        const list = await services.events.webhooks.list(services.platform.forTenant(o.id));
        out(
          Boolean(opts.json),
          list,
          list.map((e) => `${e.id}  ${e.enabled ? 'enabled' : `disabled (${e.disabledReason ?? ''})`}  ${e.eventTypes?.join(',') ?? 'all events'}  ${e.url}`).join('\n') || '(no webhooks)',
        );
      }),
    );
  webhook
    .command('remove <org> <id>')
    .description('Remove an endpoint and its pending deliveries')
    .option('--json', 'machine-readable output')
    .action((ref: string, id: string, opts: { json?: boolean }) =>
      withApp(async ({ services }) => {
        const o = await services.organizations.requireOrg(ref);
        await services.events.webhooks.remove(services.platform.forTenant(o.id), id);
        out(Boolean(opts.json), { id, removed: true }, `Removed webhook ${id}`);
      }),
    );
  webhook
    .command('rotate-secret <org> <id>')
    .description('Make a new signing secret (shown once); the old one keeps signing during the overlap')
    .option('--overlap-hours <hours>', 'how long the previous secret keeps signing', '24')
    .option('--json', 'print {"id","secret","previousValidUntil"}')
    .action((ref: string, id: string, opts: { overlapHours: string; json?: boolean }) =>
      withApp(async ({ services }) => {
        const o = await services.organizations.requireOrg(ref);
        const r = await services.events.webhooks.rotateSecret(services.platform.forTenant(o.id), id, Number(opts.overlapHours));
        out(Boolean(opts.json), { id, secret: r.secret, previousValidUntil: r.previousValidUntil }, `New signing secret (shown once): ${r.secret}\nThe previous secret also signs until ${r.previousValidUntil}`);
      }),
    );

  // OAuth clients for SCIM (issue #20): client credentials, and workload identity federation.
  const baseUrl = () => {
    const c = getConfig();
    return c.publicUrl ?? `http://${c.host.includes(':') ? `[${c.host}]` : c.host}:${c.port}`;
  };
  const endpoints = () => ({ token_endpoint: `${baseUrl()}/oauth2/token`, scim_url: `${baseUrl()}/scim/v2` });
  const days = (raw: string | undefined) => (raw === undefined ? undefined : Number(raw));
  const oauth = program.command('oauth-client').description('Manage OAuth clients for SCIM provisioning (client credentials; workload identity federation)');
  oauth
    .command('create <org>')
    .description('Create an OAuth client with a client secret (shown once)')
    .option('--name <name>', 'a name to tell clients apart', 'OAuth client')
    .option('--secret-days <days>', 'days until the secret expires (365–1095)')
    .option('--json', 'print {"client_id","client_secret","token_endpoint","scim_url","secret_expires_at"}')
    .action((ref: string, opts: { name: string; secretDays?: string; json?: boolean }) =>
      withApp(async ({ services }) => {
        const o = await services.organizations.requireOrg(ref);
        const r = await services.oauth.createClient(services.platform.forTenant(o.id), { name: opts.name, ...(opts.secretDays ? { secretDays: days(opts.secretDays)! } : {}), createdBy: null });
        const e = endpoints();
        out(
          Boolean(opts.json),
          { client_id: r.client.id, client_secret: r.secret, ...e, secret_expires_at: r.secretRecord.expiresAt },
          `Client ID:      ${r.client.id}\nClient secret:  ${r.secret}  (shown once; expires ${r.secretRecord.expiresAt})\nToken endpoint: ${e.token_endpoint}\nSCIM URL:       ${e.scim_url}`,
        );
      }),
    );
  oauth
    .command('federate <org>')
    .description('Create a workload-identity-federation client from what Entra shows (issuer, JWKS URL, subject, audience)')
    .requiredOption('--issuer <iss>', 'e.g. https://login.microsoftonline.com/<tenant id>/v2.0')
    .requiredOption('--jwks-url <url>', 'e.g. https://login.microsoftonline.com/<tenant id>/discovery/v2.0/keys')
    .requiredOption('--subject <sub>', 'the object id of the provisioning workload identity')
    .requiredOption('--audience <aud>', 'the audience Entra puts in its assertions')
    .option('--name <name>', 'a name to tell clients apart', 'Workload identity federation')
    .option('--json', 'print {"client_id","token_endpoint","scim_url"}')
    .action((ref: string, opts: { issuer: string; jwksUrl: string; subject: string; audience: string; name: string; json?: boolean }) =>
      withApp(async ({ services }) => {
        const o = await services.organizations.requireOrg(ref);
        const c = await services.oauth.federate(services.platform.forTenant(o.id), { issuer: opts.issuer, jwksUrl: opts.jwksUrl, subject: opts.subject, audience: opts.audience, name: opts.name, createdBy: null });
        const e = endpoints();
        out(Boolean(opts.json), { client_id: c.id, ...e }, `Client ID:      ${c.id}\nToken endpoint: ${e.token_endpoint}\nSCIM URL:       ${e.scim_url}`);
      }),
    );
  oauth
    .command('list <org>')
    .description("List an organisation's OAuth clients and their secrets' expiry (never the secrets)")
    .option('--json', 'machine-readable output')
    .action((ref: string, opts: { json?: boolean }) =>
      withApp(async ({ services }) => {
        const o = await services.organizations.requireOrg(ref);
        const list = await services.oauth.list(services.platform.forTenant(o.id));
        const text = list
          .map((c) =>
            [
              `${c.id}  ${c.kind === 'federated' ? 'federated' : 'secret'}  last used ${c.lastUsedAt ?? 'never'}  ${c.name}`,
              ...(c.kind === 'federated' ? [`  issuer ${c.issuer}  subject ${c.subject}  audience ${c.audience}  jwks ${c.jwksUrl}`] : []),
              ...c.secrets.map((x) => `  secret ${x.id}  ${x.expired ? 'EXPIRED' : 'expires'} ${x.expiresAt}  last used ${x.lastUsedAt ?? 'never'}`),
            ].join('\n'),
          )
          .join('\n');
        out(Boolean(opts.json), list, text || '(no OAuth clients)');
      }),
    );
  oauth
    .command('add-secret <client-id>')
    .description('Add another secret to a client (rotation: both work until you remove the old one)')
    .option('--secret-days <days>', 'days until the secret expires (365–1095)')
    .option('--json', 'print {"client_id","secret_id","client_secret","secret_expires_at"}')
    .action((clientId: string, opts: { secretDays?: string; json?: boolean }) =>
      withApp(async ({ services }) => {
        const tenant = await services.oauth.tenantOfClient(clientId);
        const r = await services.oauth.addSecret(tenant, clientId, { ...(opts.secretDays ? { secretDays: days(opts.secretDays)! } : {}), createdBy: null });
        out(Boolean(opts.json), { client_id: clientId, secret_id: r.record.id, client_secret: r.secret, secret_expires_at: r.record.expiresAt }, `Client secret: ${r.secret}  (id ${r.record.id}; shown once; expires ${r.record.expiresAt})`);
      }),
    );
  oauth
    .command('remove-secret <client-id> <secret-id>')
    .description('Delete a secret: tokens issued with it stop working at once')
    .option('--json', 'machine-readable output')
    .action((clientId: string, secretId: string, opts: { json?: boolean }) =>
      withApp(async ({ services }) => {
        await services.oauth.removeSecret(await services.oauth.tenantOfClient(clientId), clientId, secretId);
        out(Boolean(opts.json), { client_id: clientId, secret_id: secretId, removed: true }, `Removed secret ${secretId} of ${clientId}`);
      }),
    );
  oauth
    .command('delete <client-id>')
    .description('Delete a client with its secrets; its live access tokens stop working at once')
    .option('--json', 'machine-readable output')
    .action((clientId: string, opts: { json?: boolean }) =>
      withApp(async ({ services }) => {
        await services.oauth.deleteClient(await services.oauth.tenantOfClient(clientId), clientId);
        out(Boolean(opts.json), { client_id: clientId, deleted: true }, `Deleted client ${clientId}`);
      }),
    );

  // SCIM security event tokens (RFC 9967): SET streams per organisation, push (RFC 8935) or poll (RFC 8936).
  const setStream = program.command('set-stream').description('Manage SCIM security event token (SET) streams (RFC 9967)');
  setStream
    .command('add <org>')
    .description('Add a SET stream: --push <url> (RFC 8935) or --poll (RFC 8936; prints the poll URL and a token, shown once)')
    .option('--push <url>', "the receiver's endpoint (https; http and private addresses only with ALLOW_PRIVATE_TARGETS=1)")
    .option('--authorization <value>', 'push: the Authorization header value to send, e.g. "Bearer <token>"')
    .option('--poll', 'the receiver polls this server instead')
    .option('--name <name>', 'a name to tell streams apart')
    .option('--audience <aud>', 'the SETs\' "aud" claim (default: the push URL, or the poll URL)')
    .option('--events <uris>', 'comma-separated event URIs to send (default: all that are emitted)')
    .option('--json', 'machine-readable output')
    .action((ref: string, opts: { push?: string; authorization?: string; poll?: boolean; name?: string; audience?: string; events?: string; json?: boolean }) =>
      withApp(async ({ services }) => {
        const o = await services.organizations.requireOrg(ref);
        const { stream, pollToken } = await services.sets.addStream(o.id, {
          ...(opts.push === undefined ? {} : { push: { url: opts.push, ...(opts.authorization === undefined ? {} : { authorization: opts.authorization }) } }),
          ...(opts.poll ? { poll: true } : {}),
          ...(opts.name === undefined ? {} : { name: opts.name }),
          ...(opts.audience === undefined ? {} : { audience: opts.audience }),
          ...(opts.events === undefined ? {} : { eventUris: opts.events.split(',').map((u) => u.trim()).filter(Boolean) }),
        });
        const lines = [`Added ${stream.delivery} SET stream ${stream.id} (${stream.name})`, `  issuer  ${stream.issuer}`, `  JWKS    ${stream.jwksUrl}`, `  aud     ${stream.audience}`];
        if (stream.pollUrl) lines.push(`  poll    POST ${stream.pollUrl}`, `  token   ${pollToken} (shown once; send as "Authorization: Bearer …")`);
        out(Boolean(opts.json), { ...stream, ...(pollToken === null ? {} : { pollToken }) }, lines.join('\n'));
      }),
    );
  setStream
    .command('list <org>')
    .description("List an organisation's SET streams with their delivery counts (never the secrets)")
    .option('--json', 'machine-readable output')
    .action((ref: string, opts: { json?: boolean }) =>
      withApp(async ({ services }) => {
        const o = await services.organizations.requireOrg(ref);
        const list = await services.sets.listStreams(o.id);
        out(
          Boolean(opts.json),
          list,
          list
            .map((s) => `${s.id}  ${s.delivery}  ${s.enabled ? (s.failingSince ? `failing since ${s.failingSince}` : 'enabled') : `disabled (${s.disabledReason ?? ''})`}  pending ${s.stats.pending}  delivered ${s.stats.delivered}  failed ${s.stats.failed}  ${s.endpointUrl ?? s.pollUrl}  ${s.name}`)
            .join('\n') || '(no SET streams)',
        );
      }),
    );
  setStream
    .command('remove <org> <stream-id>')
    .description('Remove a SET stream and its undelivered SETs')
    .option('--json', 'machine-readable output')
    .action((ref: string, id: string, opts: { json?: boolean }) =>
      withApp(async ({ services }) => {
        const o = await services.organizations.requireOrg(ref);
        await services.sets.removeStream(o.id, id);
        out(Boolean(opts.json), { id, removed: true }, `Removed SET stream ${id}`);
      }),
    );
  setStream
    .command('deliveries <org> <stream-id>')
    .description('The latest SETs of a stream: status, attempts, last answer (err code), next retry')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'machine-readable output')
    .action((ref: string, id: string, opts: { limit: string; json?: boolean }) =>
      withApp(async ({ services }) => {
        const o = await services.organizations.requireOrg(ref);
        const rows = await services.sets.deliveries(o.id, id, Math.min(Math.max(Number(opts.limit) || 20, 1), 500));
        const shown = rows.map((r) => ({ jti: r.jti, subject: r.subject, txn: r.txn, status: r.status, attempts: r.attempts, lastStatus: r.lastStatus, err: r.lastError, description: r.lastDescription, nextAttemptAt: r.status === 'pending' ? r.nextAttemptAt : null, createdAt: r.createdAt, completedAt: r.completedAt }));
        out(
          Boolean(opts.json),
          shown,
          shown.map((r) => `${r.jti}  ${r.status}  attempts ${r.attempts}  ${r.lastStatus ?? '-'} ${r.err ?? ''}  ${r.subject}${r.nextAttemptAt ? `  next ${r.nextAttemptAt}` : ''}`).join('\n') || '(no SETs)',
        );
      }),
    );
  setStream
    .command('rotate-key <org>')
    .description('Sign SETs with a new key from now on; the old key stays in the JWKS for 7 days')
    .option('--json', 'machine-readable output')
    .action((ref: string, opts: { json?: boolean }) =>
      withApp(async ({ services }) => {
        const o = await services.organizations.requireOrg(ref);
        const { kid } = await services.sets.rotateKey(o.id);
        out(Boolean(opts.json), { kid, jwksUrl: services.sets.jwksUrlOf(o.id) }, `New signing key ${kid}; JWKS ${services.sets.jwksUrlOf(o.id)}`);
      }),
    );

  try {
    await program.parseAsync(['node', 'wiggledesk', ...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode;
    }
    if (error instanceof ServiceError) {
      io.stderr(`wiggledesk: ${error.message}\n`);
      return error.code === 'not_found' ? 3 : 1;
    }
    throw error;
  }
  return exit;
}
