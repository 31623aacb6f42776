// The console's HTML error handler: service and protocol errors become calm pages with the
// right status; anything unexpected is a 500 that shows only a reference (the request id) and
// logs the cause. A SCIM JSON error never reaches a browser page.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import { ServiceError } from '../../services/organizations/organizations.js';
import { isScimError } from '../../scim/errors.js';
import { ConsoleHttpError, chromeOf } from './context.js';
import { ErrorPage, type ErrorView } from './views/error-page.js';
import { sendPage } from './render.js';

const SERVICE_STATUS: Record<ServiceError['code'], { status: number; title: string }> = {
  forbidden: { status: 403, title: 'Not allowed' },
  not_found: { status: 404, title: 'Not found' },
  invalid: { status: 400, title: 'Please check your input' },
  conflict: { status: 409, title: 'Already exists' },
};

const GENERIC_TITLES: Record<number, string> = { 400: 'Bad request', 404: 'Not found', 413: 'Too large', 415: 'Not supported', 429: 'Too many requests' };

function toView(error: unknown, request: FastifyRequest): ErrorView {
  if (error instanceof ConsoleHttpError) return { status: error.status, title: error.title, message: error.message };
  if (error instanceof ServiceError) return { ...SERVICE_STATUS[error.code], message: error.message };
  if (isScimError(error) && error.status < 500) {
    return { status: error.status, title: error.status === 404 ? 'Not found' : 'That did not work', message: error.status === 404 ? 'There is nothing with that id in your organisation.' : error.detail };
  }
  const status = (error as FastifyError | undefined)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, title: GENERIC_TITLES[status] ?? 'Request refused', message: 'The request could not be processed. Go back and try again.' };
  }
  return { status: 500, title: 'Something went wrong', message: 'WiggleDesk could not complete this request. Try again in a moment; if it keeps happening, contact support with the reference below.', requestId: request.id };
}

export function renderError(reply: FastifyReply, request: FastifyRequest, view: ErrorView): FastifyReply {
  const actor = request.consoleActor;
  return sendPage(reply, h(ErrorPage, { ...view, chrome: actor ? chromeOf(actor, null) : undefined }), view.status);
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const view = toView(error, request);
    if (view.status >= 500) request.log.error({ err: error }, 'console request failed');
    return renderError(reply, request, view);
  });
  app.setNotFoundHandler((request, reply) =>
    renderError(reply, request, { status: 404, title: 'Page not found', message: 'There is no console page at this address.' }),
  );
}
