// The console home: admins see sync health; regular users go to their profile.
import type { FastifyPluginAsync } from 'fastify';
import { chromeOf, type ConsoleDeps } from '../context.js';
import { sendPage } from '../render.js';
import { DashboardPage } from '../views/dashboard-page.js';
import type { BindingService } from '../../../services/sign-in/bindings/bindings.js';

export const dashboardRoutes = (deps: ConsoleDeps, bindings?: BindingService): FastifyPluginAsync => async (app) => {
  app.get('/', async (request, reply) => {
    const actor = request.consoleActor!;
    if (actor.account.role !== 'admin') return reply.redirect('/console/profile', 303);
    const [vm, idp, bindingBanner] = await Promise.all([deps.services.activity.dashboard(actor), deps.services.idp.view(actor), bindings?.banner(actor)]);
    return sendPage(reply, <DashboardPage chrome={chromeOf(actor, 'dashboard')} vm={{ ...vm, orgName: actor.org.name, idp, entraUrl: `${deps.scimBase(request)}?aadOptscim062020`, bindingBanner }} />);
  });
};
