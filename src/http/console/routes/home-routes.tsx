// /console/home: the signed-in home of a provisioned user (where SSO sign-in lands regular users).
import type { FastifyPluginAsync } from 'fastify';
import type { SignInService } from '../../../services/sign-in/sign-in.js';
import { chromeOf, type ConsoleDeps } from '../context.js';
import { sendPage } from '../render.js';
import { HomePage } from '../views/home-page.js';

export const homeRoutes = (_deps: ConsoleDeps, signIn: SignInService): FastifyPluginAsync => async (app) => {
  app.get('/home', async (request, reply) => {
    const actor = request.consoleActor!;
    return sendPage(reply, <HomePage chrome={chromeOf(actor, 'home')} vm={await signIn.home(actor)} />);
  });
};
