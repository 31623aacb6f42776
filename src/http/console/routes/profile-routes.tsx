// Profile and API keys. Every action is also checked by the service (admin role; organisation
// approved for API access), not only hidden on the page.
import type { FastifyPluginAsync } from 'fastify';
import { chromeOf, cookieNames, cookieOptions, formOf, queryOf, type ConsoleDeps } from '../context.js';
import { sendPage } from '../render.js';
import { ProfilePage, RevokeKeyPage } from '../views/profile-page.js';
import { openFlash, sealFlash } from '../flash.js';
import { ServiceError } from '../../../services/organizations/organizations.js';

const NEW_KEY_PURPOSE = 'new-api-key';

export const profileRoutes = (deps: ConsoleDeps): FastifyPluginAsync => async (app) => {
  const profile = deps.services.profile;
  const secure = deps.config.secureCookies;
  const names = cookieNames(secure);
  const flashCookie = secure ? '__Host-wd_new_key' : 'wd_new_key';

  app.get('/profile', async (request, reply) => {
    const actor = request.consoleActor!;
    const vm = await profile.view(actor);
    const revokedId = queryOf(request).revoked;
    const revoked = typeof revokedId === 'string' ? vm.keys?.find((k) => k.id === revokedId && k.revokedAt)?.name : undefined;
    return sendPage(reply, <ProfilePage chrome={chromeOf(actor, 'profile')} vm={revoked ? { ...vm, revoked } : vm} />);
  });

  // Post/redirect/get: the POST creates the key and redirects; the GET shows it once (carried in a
  // sealed one-time cookie, see flash.ts); reloading either page creates nothing.
  app.post('/profile/keys', async (request, reply) => {
    const actor = request.consoleActor!;
    const name = formOf(request).name ?? '';
    let created;
    try {
      created = await profile.generateKey(actor, name);
    } catch (e) {
      if (!(e instanceof ServiceError) || (e.code !== 'conflict' && e.code !== 'invalid')) throw e;
      const vm = await profile.view(actor);
      return sendPage(reply, <ProfilePage chrome={chromeOf(actor, 'profile')} vm={{ ...vm, keyError: { message: e.message, name } }} />, e.code === 'conflict' ? 409 : 400);
    }
    const sessionToken = request.cookies[names.session] ?? '';
    const sealed = sealFlash(sessionToken, NEW_KEY_PURPOSE, JSON.stringify({ key: created.key, name: created.view.name }));
    reply.setCookie(flashCookie, sealed, { ...cookieOptions(secure), maxAge: 300 });
    return reply.redirect('/console/profile/keys/new', 303);
  });

  app.get('/profile/keys/new', async (request, reply) => {
    const actor = request.consoleActor!;
    const opened = openFlash(request.cookies[names.session] ?? '', NEW_KEY_PURPOSE, request.cookies[flashCookie]);
    reply.clearCookie(flashCookie, cookieOptions(secure));
    const vm = await profile.view(actor);
    let newKey: { key: string; name: string } | undefined;
    try {
      newKey = opened ? (JSON.parse(opened) as { key: string; name: string }) : undefined;
    } catch {
      newKey = undefined;
    }
    // Rendered in this response only (never in a URL, never stored): the only time the key is shown.
    return sendPage(reply, <ProfilePage chrome={chromeOf(actor, 'profile')} vm={newKey ? { ...vm, newKey } : { ...vm, keyAlreadyShown: true }} />);
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
