// The /scim/v2 error edge: every failure leaves as an RFC 7644 §3.12 error body. Fastify's own
// errors map onto the SCIM table; anything unexpected is a 500 with the request id only.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ScimError, ERROR_SCHEMA, isScimError, serviceUnavailable } from '../../scim/errors.js';
import { isDatabaseUnavailableError } from '../../services/scim/resource-errors.js';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** How much of an oversized body is read and discarded so the client can read its 413 (below). */
export const MAX_DISCARDED_BODY_BYTES = 64 * 1024 * 1024;

/**
 * An oversized body (FST_ERR_CTP_BODY_TOO_LARGE) is refused before it is parsed, and Fastify then
 * closes the connection with the rest of the body unread. A client that writes its whole request
 * before reading (undici on a slow link, curl, Python's http.client) then sees the connection reset
 * (EPIPE/ECONNRESET, "fetch failed") instead of the 413. So the 413 goes out on a connection that
 * stays open while the rest of the body is read and discarded — a lingering close — up to
 * MAX_DISCARDED_BODY_BYTES (and within the server's requestTimeout); a larger body is cut off.
 * Nothing of it is stored: no handler ever runs.
 */
export function lingerOnOversizedBody(request: FastifyRequest, reply: FastifyReply): void {
  const raw = request.raw;
  if (raw.complete || raw.destroyed) return;
  reply.removeHeader('connection');
  let discarded = 0;
  raw.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > MAX_DISCARDED_BODY_BYTES) raw.socket.destroy();
  });
  raw.resume();
}

export function sendScimError(reply: FastifyReply, error: ScimError): FastifyReply {
  if (error.status === 401) reply.header('WWW-Authenticate', 'Bearer realm="WiggleDesk SCIM"');
  reply.request.scimError = error;
  return reply.code(error.status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(error.toBody()));
}

export function toScimError(error: unknown, request: FastifyRequest): ScimError {
  if (isScimError(error)) return error;
  const fe = error as Partial<FastifyError> & { code?: string };
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ScimError(413, undefined, 'The request body is larger than this server accepts (see maxPayloadSize in /ServiceProviderConfig).', 'SCIM_E_HTTP_413');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ScimError(400, 'invalidSyntax', 'Send the body as application/scim+json or application/json.', 'SCIM_E_HTTP_415');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ScimError(400, 'invalidSyntax', 'The request body is empty; send a JSON object.', 'SCIM_E_HTTP_EMPTY');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ScimError(400, 'invalidSyntax', 'The Content-Length header does not match the body.', 'SCIM_E_HTTP_LENGTH');
  }
  if (isDatabaseUnavailableError(error)) {
    return serviceUnavailable('The directory database is unavailable right now; retry shortly.', 'SCIM_E_DB_UNAVAILABLE');
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    if (fe.statusCode === 413) return new ScimError(413, undefined, 'The request is too large.', 'SCIM_E_HTTP_413');
    if (fe.statusCode === 429) return new ScimError(429, undefined, fe.message ?? 'Too many requests', 'SCIM_E_RATE_LIMIT');
    return new ScimError(400, 'invalidSyntax', fe.message ?? 'Bad request', 'SCIM_E_HTTP_400');
  }
  request.log.error({ err: error }, 'unexpected error in SCIM request');
  return new ScimError(500, undefined, `Internal server error (request id ${request.id}).`, 'SCIM_E_INTERNAL');
}

export const errorBodySchema = ERROR_SCHEMA;
