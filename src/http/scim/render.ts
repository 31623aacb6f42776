// Response bodies. A group's members may be 100,000 rows: they are streamed page by page
// into the JSON text, never held as one array.
import { Readable } from 'node:stream';
import type { JsonObject } from '../../domain/json.js';
import type { ListRendered, RenderedResource } from '../../services/scim/scim-resources.js';

const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/** One resource as a string, or as a stream when it carries streamed members. */
export function resourceBody(r: RenderedResource, membersKey = 'members'): string | Readable {
  if (!r.members) return r.text ?? JSON.stringify(r.resource);
  return Readable.from(resourceChunks(r, membersKey), { objectMode: false });
}

async function* resourceChunks(r: RenderedResource, membersKey: string): AsyncGenerator<string> {
  // Insert members before meta so the resource reads naturally.
  const { meta, ...head } = r.resource;
  const headText = JSON.stringify(head);
  yield headText.slice(0, -1);
  yield `${headText.length > 2 ? ',' : ''}${JSON.stringify(membersKey)}:[`;
  let first = true;
  for await (const page of r.members!) {
    if (page.length === 0) continue;
    const text = page.map((m) => JSON.stringify(m)).join(',');
    yield first ? text : `,${text}`;
    first = false;
  }
  yield ']';
  if (meta !== undefined) yield `,"meta":${JSON.stringify(meta)}`;
  yield '}';
}

export function listBody(list: ListRendered): string | Readable {
  const head: JsonObject = { schemas: [LIST_SCHEMA] };
  if (list.totalResults !== undefined) head.totalResults = list.totalResults;
  if (list.startIndex !== undefined) head.startIndex = list.startIndex;
  head.itemsPerPage = list.itemsPerPage;
  if (list.nextCursor !== undefined) head.nextCursor = list.nextCursor;
  if (list.previousCursor !== undefined) head.previousCursor = list.previousCursor;
  if (!list.resources.some((r) => r.members)) {
    // The same text as JSON.stringify({ ...head, Resources }), with spliced resources as they are,
    // made by one join: a single flat string, not a rope that sending it would copy again.
    const prefix = `${JSON.stringify(head).slice(0, -1)},"Resources":[`;
    const parts = list.resources.map((r) => r.text ?? JSON.stringify(r.resource));
    if (parts.length === 0) return `${prefix}]}`;
    parts[0] = prefix + parts[0]!;
    parts[parts.length - 1] += ']}';
    return parts.join(',');
  }
  return Readable.from(listChunks(head, list.resources));
}

async function* listChunks(head: JsonObject, resources: RenderedResource[]): AsyncGenerator<string> {
  yield `${JSON.stringify(head).slice(0, -1)},"Resources":[`;
  for (let i = 0; i < resources.length; i++) {
    if (i > 0) yield ',';
    const body = resourceBody(resources[i]!);
    if (typeof body === 'string') yield body;
    else for await (const chunk of body) yield String(chunk);
  }
  yield ']}';
}
