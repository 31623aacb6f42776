// User lifecycle in the console (admins only): Settings, Add / Edit / Remove user, CSV import
// (preview, then import), Deleted users (Restore, Erase now), Export user, Pending claims.
// Writes redirect back with a `done` code; a refusal the admin can fix re-renders the form with it.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../../../services/organizations/organizations.js';
import { positiveInt } from '../../../services/console/console-users.js';
import { chromeOf, formOf, queryOf, type ConsoleDeps } from '../context.js';
import { sendPage } from '../render.js';
import { ClaimsPage, DeletedUsersPage, ImportPage, ManualUserPage, SettingsPage, type ManualUserForm } from '../views/lifecycle-pages.js';
import type { JsonObject } from '../../../domain/json.js';
import { ENTERPRISE_USER_SCHEMA } from '../../../scim/schema/definitions.js';

type IdParams = { Params: { id: string } };

/** CSV imports of 10,000+ rows are larger than the console's usual 16 KiB form limit. */
const IMPORT_BODY_LIMIT = 8 * 1024 * 1024;

const fixable = (e: unknown): e is ServiceError => e instanceof ServiceError && (e.code === 'invalid' || e.code === 'conflict');
const statusOf = (e: ServiceError) => (e.code === 'invalid' ? 400 : 409);

const manualForm = (f: Readonly<Record<string, string>>): ManualUserForm => ({ email: f.email ?? '', name: f.name ?? '', department: f.department ?? '', title: f.title ?? '' });

function formFromDoc(doc: JsonObject): ManualUserForm {
  const s = (v: unknown) => (typeof v === 'string' ? v : '');
  const ent = doc[ENTERPRISE_USER_SCHEMA];
  return {
    email: s(doc.userName),
    name: s(doc.displayName),
    department: ent && typeof ent === 'object' && !Array.isArray(ent) ? s(ent.department) : '',
    title: s(doc.title),
  };
}

export const lifecycleRoutes = (deps: ConsoleDeps): FastifyPluginAsync => async (app) => {
  const { lifecycle } = deps.services;
  const done = (request: FastifyRequest) => {
    const d = queryOf(request).done;
    return typeof d === 'string' ? d : undefined;
  };

  // ---------------------------------------------------------------- Settings

  const settings = async (request: FastifyRequest, reply: FastifyReply, error?: ServiceError) => {
    const actor = request.consoleActor!;
    const policy = await lifecycle.policy(actor);
    return sendPage(reply, <SettingsPage chrome={chromeOf(actor, 'settings')} policy={policy} done={done(request)} error={error} />, error ? statusOf(error) : 200);
  };
  app.get('/settings', (request, reply) => settings(request, reply));
  app.post('/settings', async (request, reply) => {
    try {
      await lifecycle.setPolicy(request.consoleActor!, formOf(request));
    } catch (e) {
      if (fixable(e)) return settings(request, reply, e);
      throw e;
    }
    return reply.redirect('/console/settings?done=saved', 303);
  });

  // ---------------------------------------------------------------- Add / edit / remove

  app.get('/users/new', async (request, reply) =>
    sendPage(reply, <ManualUserPage chrome={chromeOf(request.consoleActor!, 'users')} form={{ email: '', name: '', department: '', title: '' }} />),
  );
  app.post('/users/new', async (request, reply) => {
    const actor = request.consoleActor!;
    const f = manualForm(formOf(request));
    try {
      const user = await lifecycle.addManual(actor, f);
      return reply.redirect(`/console/users/${encodeURIComponent(user.id)}?done=added`, 303);
    } catch (e) {
      if (fixable(e)) return sendPage(reply, <ManualUserPage chrome={chromeOf(actor, 'users')} form={f} error={e} />, statusOf(e));
      throw e;
    }
  });

  app.get<IdParams>('/users/:id/edit', async (request, reply) => {
    const actor = request.consoleActor!;
    const user = await lifecycle.findUser(actor, request.params.id);
    if (!user) throw new ServiceError('not_found', 'No such user in your organisation');
    if (user.source !== 'manual') throw new ServiceError('conflict', 'This user is provisioned by your identity provider: change it there');
    return sendPage(reply, <ManualUserPage chrome={chromeOf(actor, 'users')} form={formFromDoc(user.doc)} editId={user.id} />);
  });
  app.post<IdParams>('/users/:id/edit', async (request, reply) => {
    const actor = request.consoleActor!;
    const f = manualForm(formOf(request));
    try {
      await lifecycle.editManual(actor, request.params.id, f);
      return reply.redirect(`/console/users/${encodeURIComponent(request.params.id)}?done=edited`, 303);
    } catch (e) {
      if (fixable(e) && e.message.includes('already exists')) return sendPage(reply, <ManualUserPage chrome={chromeOf(actor, 'users')} form={f} editId={request.params.id} error={e} />, statusOf(e));
      if (e instanceof ServiceError && e.code === 'invalid') return sendPage(reply, <ManualUserPage chrome={chromeOf(actor, 'users')} form={f} editId={request.params.id} error={e} />, 400);
      throw e;
    }
  });

  app.post<IdParams>('/users/:id/delete', async (request, reply) => {
    const actor = request.consoleActor!;
    await lifecycle.remove(actor, request.params.id, deps.scimBase(request));
    const policy = await lifecycle.policy(actor);
    return reply.redirect(policy.onDelete === 'erase' ? '/console/users?done=erased' : '/console/deleted-users?done=deleted', 303);
  });

  app.post<IdParams>('/users/:id/erase', async (request, reply) => {
    await lifecycle.eraseNow(request.consoleActor!, request.params.id);
    return reply.redirect('/console/deleted-users?done=erased', 303);
  });

  app.get<IdParams>('/users/:id/export', async (request, reply) => {
    const data = await lifecycle.exportUser(request.consoleActor!, request.params.id);
    const safeId = request.params.id.replace(/[^A-Za-z0-9-]/g, '_').slice(0, 64);
    reply.header('cache-control', 'no-store');
    reply.header('content-disposition', `attachment; filename="wiggledesk-user-${safeId}.json"`);
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(data, null, 2));
  });

  // ---------------------------------------------------------------- CSV import

  app.get('/users/import', async (request, reply) => sendPage(reply, <ImportPage chrome={chromeOf(request.consoleActor!, 'users')} csv={'email,name,department,title\n'} />));
  app.post('/users/import/preview', { bodyLimit: IMPORT_BODY_LIMIT }, async (request, reply) => {
    const actor = request.consoleActor!;
    const csv = formOf(request).csv ?? '';
    const preview = await lifecycle.previewImport(actor, csv);
    return sendPage(reply, <ImportPage chrome={chromeOf(actor, 'users')} csv={csv} preview={preview} />, preview.fileError ? 400 : 200);
  });
  app.post('/users/import', { bodyLimit: IMPORT_BODY_LIMIT }, async (request, reply) => {
    const actor = request.consoleActor!;
    const csv = formOf(request).csv ?? '';
    const result = await lifecycle.importCsv(actor, csv);
    if (result.fileError) {
      return sendPage(reply, <ImportPage chrome={chromeOf(actor, 'users')} csv={csv} preview={{ rows: [], valid: 0, invalid: 0, fileError: result.fileError }} />, 400);
    }
    return reply.redirect(`/console/users?source=manual&done=imported&n=${result.created}`, 303);
  });

  // ---------------------------------------------------------------- Deleted users

  const deleted = async (request: FastifyRequest, reply: FastifyReply, error?: ServiceError) => {
    const actor = request.consoleActor!;
    const vm = await lifecycle.deleted(actor, positiveInt(queryOf(request).page, 1));
    return sendPage(reply, <DeletedUsersPage chrome={chromeOf(actor, 'users')} vm={vm} done={done(request)} error={error} />, error ? statusOf(error) : 200);
  };
  app.get('/deleted-users', (request, reply) => deleted(request, reply));
  app.post<IdParams>('/deleted-users/:id/restore', async (request, reply) => {
    try {
      await lifecycle.restore(request.consoleActor!, request.params.id);
    } catch (e) {
      if (fixable(e)) return deleted(request, reply, e);
      throw e;
    }
    return reply.redirect(`/console/users/${encodeURIComponent(request.params.id)}?done=restored`, 303);
  });

  // ---------------------------------------------------------------- Pending claims

  app.get('/claims', async (request, reply) => {
    const actor = request.consoleActor!;
    const claims = await lifecycle.pendingClaims(actor);
    return sendPage(reply, <ClaimsPage chrome={chromeOf(actor, 'users')} claims={claims} done={done(request)} />);
  });
  for (const [verb, decision] of [['approve', 'approved'], ['reject', 'rejected']] as const) {
    app.post<IdParams>(`/claims/:id/${verb}`, async (request, reply) => {
      await lifecycle.decideClaims(request.consoleActor!, request.params.id === 'all' ? 'all' : request.params.id, decision);
      return reply.redirect(`/console/claims?done=${decision}`, 303);
    });
  }
};
