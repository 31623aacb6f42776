// Sign-in settings (admins only): bindings to Entra tenants / Google domains / issuers, the admin
// group, admins by name, and resetting a user's remembered sign-in. Writes redirect back with a
// `done` code; a refused form re-renders the page with the message beside that form.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { SignInService } from '../../../services/sign-in/sign-in.js';
import type { BindingService } from '../../../services/sign-in/bindings/bindings.js';
import { requestBaseUrl } from '../../public-url.js';
import { tokensMatch } from '../../../auth/session.js';
import { ServiceError } from '../../../services/organizations/organizations.js';
import { chromeOf, cookieOptions, formOf, queryOf, type ConsoleDeps } from '../context.js';
import { sendPage } from '../render.js';
import { DONE_MESSAGES, SignInLinksPage, SignInSettingsPage } from '../views/sign-in-settings-page.js';

const PATH = '/console/sign-in-settings';
/** The admin sign-in that proves a binding lives as long as its flow (10 minutes). */
const PROOF_COOKIE_SECONDS = 10 * 60;
const proofCookieName = (secure: boolean, provider: string) => `${secure ? '__Host-' : ''}wd_bind_${provider.replace(/[^a-z]/g, '')}`;

export const signInSettingsRoutes = (deps: ConsoleDeps, signIn: SignInService, bindings: BindingService): FastifyPluginAsync => async (app) => {
  const secure = deps.config.secureCookies;
  type Extra = { done?: string; error?: { form: string; message: string }; doneDetail?: string };
  const render = async (request: FastifyRequest, reply: FastifyReply, extra: Extra, status = 200) => {
    const actor = request.consoleActor!;
    const [vm, proof] = await Promise.all([signIn.settings(actor), bindings.overview(actor)]);
    return sendPage(reply, <SignInSettingsPage chrome={chromeOf(actor, 'sign-in')} vm={{ ...vm, ...extra, proof }} />, status);
  };
  const STATUS = { invalid: 400, not_found: 404, conflict: 409 } as const;

  /** Runs a write; a ServiceError the person can fix is shown beside the form that caused it. */
  const write = (form: (f: Record<string, string>) => string, action: (request: FastifyRequest, f: Readonly<Record<string, string>>) => Promise<string>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const f = formOf(request);
      try {
        const done = await action(request, f);
        return reply.redirect(`${PATH}?done=${done}`, 303);
      } catch (e) {
        if (e instanceof ServiceError && (e.code === 'invalid' || e.code === 'not_found' || e.code === 'conflict')) {
          return render(request, reply, { error: { form: form(f), message: e.message } }, STATUS[e.code]);
        }
        throw e;
      }
    };

  app.get('/sign-in-settings', async (request, reply) => {
    const done = queryOf(request).done;
    return render(request, reply, typeof done === 'string' && done in DONE_MESSAGES ? { done } : {});
  });

  // ---- Bindings (issue #18): a domain gets a DNS challenge; a tenant or issuer an admin sign-in.
  app.post(
    '/sign-in-settings/bindings',
    write(
      (f) => `binding-${f.provider ?? ''}`,
      async (request, f) => {
        await bindings.requestChallenge(request.consoleActor!, f.provider ?? '', f.value ?? '');
        return 'challenge-created';
      },
    ),
  );
  app.post('/sign-in-settings/bindings/check', async (request, reply) => {
    const f = formOf(request);
    try {
      const r = await bindings.checkChallenge(request.consoleActor!, f.provider ?? '', f.value ?? '');
      if (r.verified) return reply.redirect(`${PATH}?done=${r.displaced ? 'binding-verified-displaced' : 'binding-verified'}`, 303);
      // The check ran; its answer (no record yet) is shown beside the record to publish.
      return render(request, reply, { error: { form: `binding-${f.provider ?? ''}`, message: r.message } }, 200);
    } catch (e) {
      if (e instanceof ServiceError && (e.code === 'invalid' || e.code === 'not_found' || e.code === 'conflict')) {
        return render(request, reply, { error: { form: `binding-${f.provider ?? ''}`, message: e.message } }, STATUS[e.code]);
      }
      throw e;
    }
  });
  app.post(
    '/sign-in-settings/bindings/cancel',
    write(
      (f) => `binding-${f.provider ?? ''}`,
      async (request, f) => {
        await bindings.cancelChallenge(request.consoleActor!, f.provider ?? '', f.value ?? '');
        return 'challenge-cancelled';
      },
    ),
  );
  app.post(
    '/sign-in-settings/bindings/remove',
    write(
      (f) => `binding-${f.provider ?? ''}`,
      async (request, f) => {
        await bindings.remove(request.consoleActor!, f.provider ?? '', f.value ?? '');
        return 'binding-removed';
      },
    ),
  );
  const callbackUri = (request: FastifyRequest, provider: string) => `${requestBaseUrl(deps.config, request)}${PATH}/verify/${encodeURIComponent(provider)}/callback`;
  // A link (GET) rather than a form: the console's CSP (form-action 'self') stops a form whose
  // answer redirects to the identity provider. The link carries the session's CSRF token, checked
  // here, so another site cannot start a proof in an admin's browser.
  app.get<{ Params: { provider: string } }>('/sign-in-settings/verify/:provider', async (request, reply) => {
    const provider = request.params.provider;
    const presented = queryOf(request)._csrf;
    if (typeof presented !== 'string' || !tokensMatch(presented, request.consoleActor!.session.csrfToken)) {
      return render(request, reply, { error: { form: `binding-${provider}`, message: 'That link has expired. Use the button on this page again.' } }, 403);
    }
    try {
      const r = await bindings.startProof(request.consoleActor!, provider, callbackUri(request, provider));
      reply.setCookie(proofCookieName(secure, provider), r.cookie, { ...cookieOptions(secure), maxAge: PROOF_COOKIE_SECONDS });
      return reply.redirect(r.url, 303);
    } catch (e) {
      if (e instanceof ServiceError && e.code === 'invalid') return render(request, reply, { error: { form: `binding-${provider}`, message: e.message } }, 400);
      throw e;
    }
  });
  app.get<{ Params: { provider: string } }>('/sign-in-settings/verify/:provider/callback', async (request, reply) => {
    const provider = request.params.provider;
    const cookie = proofCookieName(secure, provider);
    const raw = request.raw.url ?? '';
    const q = raw.indexOf('?');
    let result;
    try {
      result = await bindings.completeProof(request.consoleActor!, provider, request.cookies[cookie], q < 0 ? '' : raw.slice(q + 1));
    } catch (e) {
      if (e instanceof ServiceError && e.code === 'invalid') result = { ok: false as const, reason: 'invalid' as const, message: e.message };
      else throw e;
    }
    reply.clearCookie(cookie, cookieOptions(secure));
    if (result.ok) return reply.redirect(`${PATH}?done=${result.displaced ? 'binding-verified-displaced' : result.already ? 'binding-reverified' : 'binding-verified'}`, 303);
    const status = result.reason === 'not_admin' ? 403 : result.reason === 'held' ? 409 : 400;
    return render(request, reply, { error: { form: `binding-${provider}`, message: result.message } }, status);
  });

  // ---- Users' SSO links: see and remove (links follow bindings; an admin can end one by hand).
  app.get('/sign-in-settings/links', async (request, reply) => {
    const actor = request.consoleActor!;
    const q = queryOf(request);
    const page = typeof q.page === 'string' && /^[1-9][0-9]{0,5}$/.test(q.page) ? Number(q.page) : 1;
    const links = await bindings.links(actor, page);
    const done = q.done === 'link-removed' ? 'link-removed' : undefined;
    return sendPage(reply, <SignInLinksPage chrome={chromeOf(actor, 'sign-in')} links={links} done={done} />);
  });
  app.post('/sign-in-settings/links/remove', async (request, reply) => {
    const f = formOf(request);
    await bindings.removeLink(request.consoleActor!, f.provider ?? '', f.subject ?? '');
    return reply.redirect(`${PATH}/links?done=link-removed`, 303);
  });
  app.post(
    '/sign-in-settings/admin-group',
    write(
      () => 'admin-group',
      async (request, f) => ((await signIn.setAdminGroup(request.consoleActor!, f.group ?? '')) ? 'group-set' : 'group-cleared'),
    ),
  );
  app.post(
    '/sign-in-settings/admins',
    write(
      () => 'admin-add',
      async (request, f) => {
        await signIn.setUserAdmin(request.consoleActor!, f.user ?? '', true);
        return 'admin-added';
      },
    ),
  );
  app.post(
    '/sign-in-settings/admins/remove',
    write(
      () => 'admin-add',
      async (request, f) => {
        await signIn.removeAdminById(request.consoleActor!, (f.id ?? '').slice(0, 200));
        return 'admin-removed';
      },
    ),
  );
  app.post(
    '/sign-in-settings/forget',
    write(
      () => 'forget',
      async (request, f) => {
        await signIn.forgetLinks(request.consoleActor!, f.user ?? '');
        return 'links-forgotten';
      },
    ),
  );
};
