// Sign-in policy (admins only): Enforce SSO and break-glass admins (services/sign-in/sign-in-policy.ts).
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { SignInPolicyService } from '../../../services/sign-in/sign-in-policy.js';
import { ServiceError } from '../../../services/organizations/organizations.js';
import { chromeOf, formOf, queryOf, type ConsoleDeps } from '../context.js';
import { sendPage } from '../render.js';
import { SignInPolicyPage, POLICY_DONE } from '../views/sign-in-policy-page.js';

const PATH = '/console/sign-in-policy';

export const signInPolicyRoutes = (_deps: ConsoleDeps, policy: SignInPolicyService): FastifyPluginAsync => async (app) => {
  const render = async (request: FastifyRequest, reply: FastifyReply, extra: { done?: string; error?: string }, status = 200) => {
    const actor = request.consoleActor!;
    return sendPage(reply, <SignInPolicyPage chrome={chromeOf(actor, 'sign-in')} vm={{ ...(await policy.view(actor)), ...extra }} />, status);
  };
  const write = (action: (request: FastifyRequest) => Promise<string>) => async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      return reply.redirect(`${PATH}?done=${await action(request)}`, 303);
    } catch (e) {
      if (e instanceof ServiceError && (e.code === 'invalid' || e.code === 'not_found')) return render(request, reply, { error: e.message }, e.code === 'invalid' ? 400 : 404);
      throw e;
    }
  };

  app.get('/sign-in-policy', async (request, reply) => {
    const done = queryOf(request).done;
    return render(request, reply, typeof done === 'string' && done in POLICY_DONE ? { done } : {});
  });
  app.post(
    '/sign-in-policy/enforce',
    write(async (request) => {
      const on = formOf(request).enforce === 'on';
      await policy.setEnforceSso(request.consoleActor!, on);
      return on ? 'enforce-on' : 'enforce-off';
    }),
  );
  app.post(
    '/sign-in-policy/break-glass',
    write(async (request) => {
      await policy.addBreakGlass(request.consoleActor!, formOf(request).email ?? '');
      return 'break-glass-added';
    }),
  );
  app.post(
    '/sign-in-policy/break-glass/remove',
    write(async (request) => {
      await policy.removeBreakGlass(request.consoleActor!, formOf(request).account_id ?? '');
      return 'break-glass-removed';
    }),
  );
};
