// Profile and API keys. Every action is also checked by the service (admin role; organisation
// approved for API access), not only hidden on the page.
import type { FastifyPluginAsync } from 'fastify';
import { chromeOf, formOf, queryOf, type ConsoleDeps } from '../context.js';
import { sendPage } from '../render.js';
import { ProfilePage, RevokeKeyPage } from '../views/profile-page.js';

export const profileRoutes = (deps: ConsoleDeps): FastifyPluginAsync => async (app) => {
  const profile = deps.services.profile;

  app.get('/profile', async (request, reply) => {
    const actor = request.consoleActor!;
    const vm = await profile.view(actor);
    const revokedId = queryOf(request).revoked;
    const revoked = typeof revokedId === 'string' ? vm.keys?.find((k) => k.id === revokedId && k.revokedAt)?.name : undefined;
    return sendPage(reply, <ProfilePage chrome={chromeOf(actor, 'profile')} vm={revoked ? { ...vm, revoked } : vm} />);
  });

  app.post('/profile/keys', async (request, reply) => {
    const actor = request.consoleActor!;
    const { key, view } = await profile.generateKey(actor, formOf(request).name ?? '');
    const vm = await profile.view(actor);
    // Rendered in the response (never in a URL or stored): the only time the key is shown.
    return sendPage(reply, <ProfilePage chrome={chromeOf(actor, 'profile')} vm={{ ...vm, newKey: { key, name: view.name } }} />, 201);
  });

  app.get<{ Params: { id: string } }>('/profile/keys/:id/revoke', async (request, reply) => {
    const actor = request.consoleActor!;
    const key = await profile.findKey(actor, request.params.id);
    return sendPage(reply, <RevokeKeyPage chrome={chromeOf(actor, 'profile')} vm={key} />);
  });

  app.post<{ Params: { id: string } }>('/profile/keys/:id/revoke', async (request, reply) => {
    const key = await profile.revokeKey(request.consoleActor!, request.params.id);
    return reply.redirect(`/console/profile?revoked=${encodeURIComponent(key.id)}`, 303);
  });
};
