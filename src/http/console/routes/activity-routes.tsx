// Provisioning activity and SCIM setup.
import type { FastifyPluginAsync } from 'fastify';
import { ConsoleHttpError, chromeOf, queryOf, type ConsoleDeps } from '../context.js';
import { sendPage } from '../render.js';
import { sendCsv } from '../csv.js';
import { positiveInt } from '../../../services/console/console-users.js';
import { ActivityEntryPage, ActivityPage, RefusedConnectionsPage } from '../views/activity-page.js';
import { REFUSED_WINDOW_DAYS } from '../../../services/console/console-activity.js';
import { ScimSetupPage } from '../views/scim-setup-page.js';

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

  app.get('/scim-setup', async (request, reply) => {
    const actor = request.consoleActor!;
    const view = await profile.view(actor);
    const vm = { endpoint: deps.scimBase(request), apiAccessApproved: actor.org.apiAccessApproved, activeKeys: (view.keys ?? []).filter((k) => !k.revokedAt).length };
    return sendPage(reply, <ScimSetupPage chrome={chromeOf(actor, 'setup')} vm={vm} />);
  });
};
