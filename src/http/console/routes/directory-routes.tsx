// Manage Users and Groups: lists, detail pages, and manual deactivate/reactivate.
import type { FastifyPluginAsync } from 'fastify';
import { chromeOf, queryOf, type ConsoleDeps } from '../context.js';
import { sendPage } from '../render.js';
import { sendCsv } from '../csv.js';
import { parseUserListQuery, positiveInt } from '../../../services/console/console-users.js';
import { parseGroupListQuery } from '../../../services/console/console-groups.js';
import { UsersPage } from '../views/users-page.js';
import { DeactivateUserPage, USER_DONE, UserPage, type UserDone } from '../views/user-page.js';
import { GroupsPage } from '../views/groups-page.js';
import { GroupPage } from '../views/group-page.js';

type IdParams = { Params: { id: string } };

export const directoryRoutes = (deps: ConsoleDeps): FastifyPluginAsync => async (app) => {
  const { users, groups } = deps.services;

  app.get('/users', async (request, reply) => {
    const actor = request.consoleActor!;
    const q = queryOf(request);
    const vm = await users.list(actor, parseUserListQuery(q));
    const pendingClaims = (await deps.services.lifecycle.pendingClaims(actor)).length;
    const extra = { done: typeof q.done === 'string' ? q.done : undefined, imported: positiveInt(q.n, 0), pendingClaims };
    return sendPage(reply, <UsersPage chrome={chromeOf(actor, 'users')} vm={vm} extra={extra} />);
  });

  app.get('/users.csv', async (request, reply) => {
    const actor = request.consoleActor!;
    const params = parseUserListQuery(queryOf(request));
    return sendCsv(reply, `users-${new Date().toISOString().slice(0, 10)}.csv`, ['Name', 'User name', 'Email', 'Status', 'Source', 'Last change (UTC)', 'WiggleDesk id'], users.exportRows(actor, params), (u) => [
      u.displayName ?? '',
      u.userName,
      u.email,
      u.active ? 'Active' : 'Suspended',
      u.source === 'scim' ? 'Provisioned' : 'Manual',
      u.lastModified,
      u.id,
    ]);
  });

  app.get<IdParams>('/users/:id', async (request, reply) => {
    const actor = request.consoleActor!;
    const detail = await users.detail(actor, request.params.id, deps.scimBase(request));
    const done = queryOf(request).done;
    return sendPage(reply, <UserPage chrome={chromeOf(actor, 'users')} vm={{ ...detail, done: typeof done === 'string' && USER_DONE.includes(done as UserDone) ? (done as UserDone) : undefined }} />);
  });

  app.get<IdParams>('/users/:id/deactivate', async (request, reply) => {
    const actor = request.consoleActor!;
    const detail = await users.detail(actor, request.params.id, deps.scimBase(request));
    return sendPage(reply, <DeactivateUserPage chrome={chromeOf(actor, 'users')} vm={detail} />);
  });

  for (const [action, active] of [['deactivate', false], ['reactivate', true]] as const) {
    app.post<IdParams>(`/users/:id/${action}`, async (request, reply) => {
      await users.setActive(request.consoleActor!, request.params.id, active, deps.scimBase(request));
      return reply.redirect(`/console/users/${encodeURIComponent(request.params.id)}?done=${action}d`, 303);
    });
  }

  app.get('/groups', async (request, reply) => {
    const actor = request.consoleActor!;
    const vm = await groups.list(actor, parseGroupListQuery(queryOf(request)));
    return sendPage(reply, <GroupsPage chrome={chromeOf(actor, 'groups')} vm={vm} />);
  });

  app.get<IdParams>('/groups/:id', async (request, reply) => {
    const actor = request.consoleActor!;
    const vm = await groups.detail(actor, request.params.id, positiveInt(queryOf(request).page, 1), deps.scimBase(request));
    return sendPage(reply, <GroupPage chrome={chromeOf(actor, 'groups')} vm={vm} />);
  });
};
