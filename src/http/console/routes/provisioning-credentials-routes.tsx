// Provisioning credentials (admins only): API key, OAuth client, workload identity federation.
// Every write goes through services/oauth, which also enforces the API-access approval gate.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { OAuthService } from '../../../services/oauth/oauth-service.js';
import { requireAdmin } from '../../../services/console/console-auth.js';
import { ServiceError } from '../../../services/organizations/organizations.js';
import { chromeOf, formOf, queryOf, type ConsoleDeps } from '../context.js';
import { sendPage } from '../render.js';
import { DONE_MESSAGES, ProvisioningCredentialsPage, type ProvisioningCredentialsView } from '../views/provisioning-credentials-page.js';

const PATH = '/console/provisioning-credentials';

export const provisioningCredentialsRoutes = (deps: ConsoleDeps, oauth: OAuthService): FastifyPluginAsync => async (app) => {
  const render = async (request: FastifyRequest, reply: FastifyReply, extra: Partial<ProvisioningCredentialsView>, status = 200) => {
    const actor = request.consoleActor!;
    requireAdmin(actor);
    const scimUrl = deps.scimBase(request);
    const [clients, keys] = await Promise.all([oauth.list(actor.store), actor.store.apiKeys.list()]);
    const vm: ProvisioningCredentialsView = {
      orgName: actor.org.name,
      apiAccessApproved: actor.org.apiAccessApproved,
      scimUrl,
      tokenEndpoint: `${scimUrl.replace(/\/scim\/v2$/, '')}/oauth2/token`,
      activeApiKeys: keys.filter((k) => !k.revokedAt).length,
      clients,
      ...extra,
    };
    return sendPage(reply, <ProvisioningCredentialsPage chrome={chromeOf(actor, 'credentials')} vm={vm} />, status);
  };

  /** A ServiceError the admin can fix is shown beside the form that caused it. */
  const guarded = (form: string, action: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) => async (request: FastifyRequest, reply: FastifyReply) => {
    requireAdmin(request.consoleActor!);
    try {
      return await action(request, reply);
    } catch (e) {
      if (e instanceof ServiceError && (e.code === 'invalid' || e.code === 'conflict')) return render(request, reply, { error: { form, message: e.message } }, e.code === 'invalid' ? 400 : 409);
      throw e;
    }
  };

  const secretDays = (raw: string | undefined) => (raw === undefined || raw === '' ? undefined : Number(raw));

  app.get('/provisioning-credentials', async (request, reply) => {
    const done = queryOf(request).done;
    return render(request, reply, typeof done === 'string' && done in DONE_MESSAGES ? { done } : {});
  });

  app.post(
    '/provisioning-credentials/clients',
    guarded('client', async (request, reply) => {
      const actor = request.consoleActor!;
      const f = formOf(request);
      const days = secretDays(f.secret_days);
      const r = await oauth.createClient(actor.store, { ...(f.name ? { name: f.name } : {}), ...(days !== undefined ? { secretDays: days } : {}), createdBy: actor.account.email });
      // Rendered in the response (never in a URL or stored): the only time the secret is shown.
      return render(request, reply, { newSecret: { clientId: r.client.id, secret: r.secret, expiresAt: r.secretRecord.expiresAt } }, 201);
    }),
  );

  app.post<{ Params: { id: string } }>(
    '/provisioning-credentials/clients/:id/secrets',
    guarded('client', async (request, reply) => {
      const actor = request.consoleActor!;
      const { id } = request.params as { id: string };
      const days = secretDays(formOf(request).secret_days);
      const r = await oauth.addSecret(actor.store, id, { ...(days !== undefined ? { secretDays: days } : {}), createdBy: actor.account.email });
      return render(request, reply, { newSecret: { clientId: id, secret: r.secret, expiresAt: r.record.expiresAt } }, 201);
    }),
  );

  app.post<{ Params: { id: string; secretId: string } }>(
    '/provisioning-credentials/clients/:id/secrets/:secretId/delete',
    guarded('client', async (request, reply) => {
      const { id, secretId } = request.params as { id: string; secretId: string };
      await oauth.removeSecret(request.consoleActor!.store, id, secretId);
      return reply.redirect(`${PATH}?done=secret-removed`, 303);
    }),
  );

  app.post<{ Params: { id: string } }>(
    '/provisioning-credentials/clients/:id/delete',
    guarded('client', async (request, reply) => {
      await oauth.deleteClient(request.consoleActor!.store, (request.params as { id: string }).id);
      return reply.redirect(`${PATH}?done=client-deleted`, 303);
    }),
  );

  app.post(
    '/provisioning-credentials/federated',
    guarded('federated', async (request, reply) => {
      const actor = request.consoleActor!;
      const f = formOf(request);
      await oauth.federate(actor.store, { issuer: f.issuer ?? '', jwksUrl: f.jwks_url ?? '', subject: f.subject ?? '', audience: f.audience ?? '', ...(f.name ? { name: f.name } : {}), createdBy: actor.account.email });
      return reply.redirect(`${PATH}?done=federated-created`, 303);
    }),
  );
};
