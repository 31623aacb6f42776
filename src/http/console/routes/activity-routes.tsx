// Provisioning activity and SCIM setup.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ConsoleHttpError, chromeOf, formOf, queryOf, type ConsoleDeps } from '../context.js';
import { sendPage } from '../render.js';
import { sendCsv } from '../csv.js';
import { positiveInt } from '../../../services/console/console-users.js';
import { ActivityEntryPage, ActivityPage, RefusedConnectionsPage } from '../views/activity-page.js';
import { REFUSED_WINDOW_DAYS } from '../../../services/console/console-activity.js';
import { endpointProblem, ScimSetupPage, type ScimSetupView } from '../views/scim-setup-page.js';
import { CONSOLE_TEST_USER_AGENT } from '../../../services/console/idp-profile.js';
import { randomUUID } from 'node:crypto';

export const activityRoutes = (deps: ConsoleDeps): FastifyPluginAsync => async (app) => {
  const { activity, profile } = deps.services;

  app.get('/activity', async (request, reply) => {
    const actor = request.consoleActor!;
    const q = queryOf(request);
    if (q.view === 'refused') {
      const rows = await activity.refused(actor);
      return sendPage(reply, <RefusedConnectionsPage chrome={chromeOf(actor, 'activity')} rows={rows} windowDays={REFUSED_WINDOW_DAYS} />);
    }
    const before = positiveInt(q.before, 0, Number.MAX_SAFE_INTEGER);
    const vm = await activity.list(actor, { errorsOnly: q.errors === '1', before: before > 0 ? before : undefined, pageSize: positiveInt(q.size, 0, 1000) });
    return sendPage(reply, <ActivityPage chrome={chromeOf(actor, 'activity')} vm={vm} />);
  });

  app.get('/activity.csv', async (request, reply) => {
    const actor = request.consoleActor!;
    const errorsOnly = queryOf(request).errors === '1';
    return sendCsv(
      reply,
      `activity-${errorsOnly ? 'errors-' : ''}${new Date().toISOString().slice(0, 10)}.csv`,
      ['Time (UTC)', 'Made by', 'Method', 'Path', 'Resource type', 'Resource', 'Resource id', 'Status', 'scimType', 'Duration (ms)', 'Detail', 'Changes'],
      activity.exportRows(actor, { errorsOnly }),
      (r) => [
        r.at,
        r.keyId ? (r.keyName ?? 'Deleted key') : `Console · ${r.actor ?? 'admin'}`,
        r.method,
        r.path,
        r.resourceType,
        r.resourceName,
        r.resourceId,
        r.status,
        r.scimType,
        r.durationMs,
        r.detail,
        r.changes.map((c) => `${c.path}: ${c.from ?? '(not set)'} → ${c.to ?? '(removed)'}`).join('; ') || null,
      ],
    );
  });

  app.get<{ Params: { seq: string } }>('/activity/:seq', async (request, reply) => {
    const actor = request.consoleActor!;
    const seq = positiveInt(request.params.seq, 0, Number.MAX_SAFE_INTEGER);
    if (seq === 0) throw new ConsoleHttpError(404, 'Not found', 'There is no activity entry with that number in your organisation.');
    const vm = await activity.entry(actor, seq);
    return sendPage(reply, <ActivityEntryPage chrome={chromeOf(actor, 'activity')} vm={vm} />);
  });

  const setupView = async (request: FastifyRequest): Promise<ScimSetupView> => {
    const actor = request.consoleActor!;
    const [view, idp, refused] = await Promise.all([profile.view(actor), deps.services.idp.view(actor), activity.refused(actor)]);
    const endpoint = deps.scimBase(request);
    return {
      endpoint,
      apiAccessApproved: actor.org.apiAccessApproved,
      activeKeys: (view.keys ?? []).filter((k) => !k.revokedAt).length,
      idp,
      refused: refused.filter((r) => r.ongoing),
      endpointProblem: endpointProblem(endpoint, Boolean(deps.config.publicUrl)),
    };
  };

  app.get('/scim-setup', async (request, reply) => {
    return sendPage(reply, <ScimSetupPage chrome={chromeOf(request.consoleActor!, 'setup')} vm={await setupView(request)} />);
  });

  // "Send test request": what WiggleDesk answers Entra's Test Connection — as the organisation,
  // and, when the admin pastes the key their identity provider uses, through the real bearer path
  // with that key (so a revoked or mistyped key shows the same 401 Entra gets).
  app.post('/scim-setup/test', async (request, reply) => {
    const actor = request.consoleActor!;
    const key = (formOf(request).key ?? '').trim();
    let test: ScimSetupView['test'];
    if (key === '') {
      const r = await deps.services.users.testConnection(actor, deps.scimBase(request));
      test = { request: `GET ${deps.scimBase(request)}${r.path}`, withKey: false, status: r.status, body: JSON.stringify(r.body, null, 2) };
    } else {
      const filter = `userName eq "${randomUUID()}"`;
      const path = `/scim/v2/Users?filter=${encodeURIComponent(filter)}`;
      const r = await app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${key}`, 'user-agent': CONSOLE_TEST_USER_AGENT }, remoteAddress: request.ip });
      let body = r.body;
      try {
        body = JSON.stringify(JSON.parse(r.body), null, 2);
      } catch {
        // shown as sent
      }
      test = { request: `GET ${deps.scimBase(request)}${path.slice('/scim/v2'.length)}`, withKey: true, status: r.statusCode, body };
    }
    return sendPage(reply, <ScimSetupPage chrome={chromeOf(actor, 'setup')} vm={{ ...(await setupView(request)), test }} />);
  });
};
