// RFC 7644 §4: /ServiceProviderConfig, /ResourceTypes, /Schemas, all generated from the registry.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ScimLimits } from '../../scim/limits.js';
import { resourceTypeDoc, resourceTypesList, schemaDoc, schemasList, serviceProviderConfig } from '../../scim/schema/discovery.js';
import { notFound } from '../../scim/errors.js';
import { SCIM_CONTENT_TYPE } from './errors.js';

export const discoveryRoutes = (limits: ScimLimits, baseUrlOf: (r: FastifyRequest) => string): FastifyPluginAsync => async (app) => {
  const json = (v: unknown) => JSON.stringify(v);
  app.get('/ServiceProviderConfig', async (request, reply) => reply.type(SCIM_CONTENT_TYPE).send(json(serviceProviderConfig(baseUrlOf(request), limits))));
  // A common misspelling (SCIM 1.1 used the plural).
  app.get('/ServiceProviderConfigs', async (request, reply) => reply.type(SCIM_CONTENT_TYPE).send(json(serviceProviderConfig(baseUrlOf(request), limits))));
  app.get('/ResourceTypes', async (request, reply) => reply.type(SCIM_CONTENT_TYPE).send(json(resourceTypesList(baseUrlOf(request)))));
  app.get<{ Params: { name: string } }>('/ResourceTypes/:name', async (request, reply) => {
    const doc = resourceTypeDoc(request.params.name, baseUrlOf(request));
    if (!doc) throw notFound(`No resource type ${JSON.stringify(request.params.name)}`, 'SCIM_E_DISCOVERY_001');
    return reply.type(SCIM_CONTENT_TYPE).send(json(doc));
  });
  app.get('/Schemas', async (request, reply) => reply.type(SCIM_CONTENT_TYPE).send(json(schemasList(baseUrlOf(request)))));
  app.get<{ Params: { urn: string } }>('/Schemas/:urn', async (request, reply) => {
    const doc = schemaDoc(request.params.urn, baseUrlOf(request));
    if (!doc) throw notFound(`No schema ${JSON.stringify(request.params.urn)}`, 'SCIM_E_DISCOVERY_002');
    return reply.type(SCIM_CONTENT_TYPE).send(json(doc));
  });
};
