// Manage Users and Groups: lists, detail pages, and manual deactivate/reactivate.
import type { FastifyPluginAsync } from 'fastify';
import { chromeOf, queryOf, type ConsoleDeps } from '../context.js';
import { sendPage } from '../render.js';
import { sendCsv } from '../csv.js';
import { parseUserListQuery, positiveInt } from '../../../services/console/console-users.js';
import { parseGroupListQuery } from '../../../services/console/console-groups.js';
import { UsersPage } from '../views/users-page.js';
import { DeactivateUserPage, UserPage } from '../views/user-page.js';
import { GroupsPage } from '../views/groups-page.js';
import { GroupPage } from '../views/group-page.js';

type IdParams = { Params: { id: string } };

export const directoryRoutes = (deps: ConsoleDeps): FastifyPluginAsync => async (app) => {
  const { users, groups } = deps.services;

  app.get('/users', async (request, reply) => {
    const actor = request.consoleActor!;
    const vm = await users.list(actor, parseUserListQuery(queryOf(request)));
    return sendPage(reply, <UsersPage chrome={chromeOf(actor, 'users')} vm={vm} />);
  });

  app.get('/users.csv', async (request, reply) => {
    const actor = request.consoleActor!;
    const params = parseUserListQuery(queryOf(request));
    return sendCsv(reply, `users-${new Date().toISOString().slice(0, 10)}.csv`, ['Name', 'User name', 'Email', 'Status', 'Source', 'Last change (UTC)', 'WiggleDesk id'], users.exportRows(actor, params), (u) => [
      u.displayName ?? '',
      u.userName,
      u.email,
      u.active ? 'Active' : 'Inactive',
      u.source === 'scim' ? 'Provisioned' : 'Manual',
      u.lastModified,
      u.id,
    ]);
  });

  app.get<IdParams>('/users/:id', async (request, reply) => {
    const actor = request.consoleActor!;
    const detail = await users.detail(actor, request.params.id, deps.scimBase(request));
    const done = queryOf(request).done;
    return sendPage(reply, <UserPage chrome={chromeOf(actor, 'users')} vm={{ ...detail, done: done === 'deactivated' || done === 'reactivated' ? done : undefined }} />);
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
