// POST /Bulk (RFC 7644 §3.7): a thin adapter over services/bulk.ts. The body limit is the
// advertised maxPayloadSize; a larger body is refused before it is read, with a 413 whose detail
// states both limits (RFC 7644 §3.7.4, R-CORE-27).
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { BulkService } from '../../services/scim/bulk.js';
import { bulkLimitsText } from '../../services/scim/bulk.js';
import type { RequestContext } from '../../services/scim/scim-resources.js';
import type { ScimLimits } from '../../scim/limits.js';
import { payloadTooLarge } from '../../scim/errors.js';
import { SCIM_CONTENT_TYPE, lingerOnOversizedBody, sendScimError, toScimError } from './errors.js';

export const bulkRoutes = (bulk: BulkService, limits: ScimLimits, contextOf: (r: FastifyRequest) => RequestContext): FastifyPluginAsync => async (app) => {
  // Encapsulated: only /Bulk gets the limit-stating 413; everything else maps as in index.ts.
  app.setErrorHandler((error, request, reply) => {
    if ((error as { code?: unknown }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      lingerOnOversizedBody(request, reply);
      return sendScimError(
        reply,
        payloadTooLarge(`The bulk request body is larger than the ${limits.bulkMaxPayloadBytes} bytes this server accepts ${bulkLimitsText(limits)}.`, 'SCIM_E_BULK_413'),
      );
    }
    return sendScimError(reply, toScimError(error, request));
  });

  app.post('/Bulk', { bodyLimit: limits.bulkMaxPayloadBytes }, async (request, reply) => {
    const result = await bulk.process(contextOf(request), request.body, {
      onUnexpectedError: (err, operationIndex) => request.log.error({ err, operationIndex }, 'unexpected error in a bulk operation'),
    });
    // RFC 7644 §3.7.3: 200 with one result per processed operation, whatever their statuses.
    return reply.code(200).type(SCIM_CONTENT_TYPE).send(JSON.stringify(result));
  });
};
