// A minimal SCIM client over real HTTP (what an identity provider does), for browser tests.
export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface ScimResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export function scimOver(baseUrl: string, key: string, userAgent?: string) {
  const send = async (method: string, path: string, body?: unknown): Promise<ScimResponse> => {
    const r = await fetch(`${baseUrl}/scim/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(userAgent ? { 'user-agent': userAgent } : {}), ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    return { status: r.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  return {
    get: (path: string) => send('GET', path),
    post: (path: string, body: unknown) => send('POST', path, body),
    patch: (path: string, body: unknown) => send('PATCH', path, body),
    delete: (path: string) => send('DELETE', path),
  };
}
