// Search across resource types (RFC 7644 §3.4.3 POST /.search, §3.4.2.1 GET on the root, with the
// filter rules of §3.4.2.2): each type is searched with the part of the filter its attributes can
// match (src/scim/filter/restrict.ts). `userName` is undefined for Groups, so a userName filter
// finds users only; paging and totalResults run across both types; an attribute that no type
// defines is still invalidFilter.
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { GROUP_SCHEMA, USER_SCHEMA, json } from '../support/test-app.js';

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

describeEachDialect('Root search across resource types', (t) => {
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    for (const n of ['ada', 'bob', 'cy']) {
      ids[n] = json(await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: `${n}@root.example`, displayName: `Team ${n}` })).id;
    }
    for (const n of ['alpha', 'beta']) {
      ids[n] = json(await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: `Team ${n}` })).id;
    }
  });
  const post = (body: Record<string, unknown>) => t().scim.post('/.search', { schemas: [SEARCH], ...body });
  const get = (query: string) => t().scim.get(`/?${query}`);
  const idsOf = (r: Record<string, any>) => (r.Resources as Array<{ id: string }>).map((x) => x.id); // eslint-disable-line @typescript-eslint/no-explicit-any

  it('POST /.search with userName eq → 200 with the matching user (was 400: userName is undefined for Groups)', async () => {
    const r = await post({ filter: 'userName eq "BOB@root.example"' });
    expect(r.statusCode, r.body).toBe(200);
    expect(json(r)).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect(idsOf(json(r))).toEqual([ids.bob]);
    expect(json(r).Resources[0].meta.resourceType).toBe('User');
  });

  it('GET /?filter= answers the same as POST /.search', async () => {
    const filter = 'userName eq "ada@root.example"';
    const g = await get(`filter=${encodeURIComponent(filter)}`);
    expect(g.statusCode, g.body).toBe(200);
    expect(g.body).toBe((await post({ filter })).body);
    // Also on the bare base, without the trailing slash.
    const bare = await t().app.inject({ method: 'GET', url: `/scim/v2?filter=${encodeURIComponent(filter)}`, headers: { authorization: `Bearer ${t().key}` } });
    expect(bare.body).toBe(g.body);
  });

  it('an attribute both types define matches in both, paged as one list (Users first, then Groups)', async () => {
    const filter = 'displayName sw "Team "';
    const all = json(await post({ filter }));
    expect(all.totalResults).toBe(5);
    expect(idsOf(all)).toEqual([ids.ada, ids.bob, ids.cy, ids.alpha, ids.beta]);
    const page2 = json(await post({ filter, startIndex: 3, count: 2 }));
    expect(page2).toMatchObject({ totalResults: 5, startIndex: 3, itemsPerPage: 2 });
    expect(idsOf(page2)).toEqual([ids.cy, ids.alpha]);
    const viaGet = json(await get(`filter=${encodeURIComponent(filter)}&startIndex=5&count=10`));
    expect(idsOf(viaGet)).toEqual([ids.beta]);
  });

  it('or across types: each type keeps the part it defines', async () => {
    const r = json(await post({ filter: 'userName eq "cy@root.example" or displayName eq "Team beta"' }));
    expect(r.totalResults).toBe(2);
    expect(idsOf(r)).toEqual([ids.cy, ids.beta]);
  });

  it('an undefined attribute never matches, even under not or ne (Kleene "undefined")', async () => {
    const r = json(await post({ filter: 'not (userName eq "nobody@root.example") and displayName sw "Team "' }));
    expect(idsOf(r)).toEqual([ids.ada, ids.bob, ids.cy]);
    const ne = json(await post({ filter: 'userName ne "ada@root.example" and displayName sw "Team "' }));
    expect(idsOf(ne)).toEqual([ids.bob, ids.cy]);
  });

  it('an attribute no type defines stays 400 invalidFilter, naming it', async () => {
    for (const r of [await post({ filter: 'favouriteColour eq "teal"' }), await get(`filter=${encodeURIComponent('userName eq "a" or shoeSize gt 3')}`)]) {
      expect(r.statusCode).toBe(400);
      expect(json(r).scimType).toBe('invalidFilter');
      expect(json(r).detail).toMatch(/favouriteColour|shoeSize/);
    }
    expect(json(await post({ filter: 'userName eq' })).scimType).toBe('invalidFilter');
  });

  it('no filter: every resource of both types', async () => {
    const r = json(await post({ count: 0 }));
    expect(r.totalResults).toBe(5);
    expect(r.Resources).toEqual([]);
  });
});
