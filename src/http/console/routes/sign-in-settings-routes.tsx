// Sign-in settings (admins only): bindings to Entra tenants / Google domains / issuers, the admin
// group, admins by name, and resetting a user's remembered sign-in. Writes redirect back with a
// `done` code; a refused form re-renders the page with the message beside that form.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { SignInService } from '../../../services/sign-in/sign-in.js';
import { ServiceError } from '../../../services/organizations/organizations.js';
import { chromeOf, formOf, queryOf, type ConsoleDeps } from '../context.js';
import { sendPage } from '../render.js';
import { DONE_MESSAGES, SignInSettingsPage } from '../views/sign-in-settings-page.js';

const PATH = '/console/sign-in-settings';

export const signInSettingsRoutes = (_deps: ConsoleDeps, signIn: SignInService): FastifyPluginAsync => async (app) => {
  const render = async (request: FastifyRequest, reply: FastifyReply, extra: { done?: string; error?: { form: string; message: string } }, status = 200) => {
    const actor = request.consoleActor!;
    const vm = await signIn.settings(actor);
    return sendPage(reply, <SignInSettingsPage chrome={chromeOf(actor, 'sign-in')} vm={{ ...vm, ...extra }} />, status);
  };

  /** Runs a write; a ServiceError the person can fix is shown beside the form that caused it. */
  const write = (form: (f: Record<string, string>) => string, action: (request: FastifyRequest, f: Readonly<Record<string, string>>) => Promise<string>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const f = formOf(request);
      try {
        const done = await action(request, f);
        return reply.redirect(`${PATH}?done=${done}`, 303);
      } catch (e) {
        if (e instanceof ServiceError && (e.code === 'invalid' || e.code === 'not_found')) {
          return render(request, reply, { error: { form: form(f), message: e.message } }, e.code === 'invalid' ? 400 : 404);
        }
        throw e;
      }
    };

  app.get('/sign-in-settings', async (request, reply) => {
    const done = queryOf(request).done;
    return render(request, reply, typeof done === 'string' && done in DONE_MESSAGES ? { done } : {});
  });

  app.post(
    '/sign-in-settings/bindings',
    write(
      (f) => `binding-${f.provider ?? ''}`,
      async (request, f) => ((await signIn.addBinding(request.consoleActor!, f.provider ?? '', f.value ?? '')).added ? 'binding-added' : 'binding-exists'),
    ),
  );
  app.post(
    '/sign-in-settings/bindings/remove',
    write(
      (f) => `binding-${f.provider ?? ''}`,
      async (request, f) => {
        await signIn.removeBinding(request.consoleActor!, f.provider ?? '', f.value ?? '');
        return 'binding-removed';
      },
    ),
  );
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
