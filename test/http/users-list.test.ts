// Listing Users: index pagination (RFC 7644 §3.4.2.4), sorting (§3.4.2.3), RFC 9865 cursors,
// projection (§3.4.2.5) and POST .search (§3.4.3), on every configured dialect.
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { json } from '../support/test-app.js';

const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

describeEachDialect('Users listing', (t) => {
  const TOTAL = 23;
  let ids: string[] = [];

  beforeAll(async () => {
    ids = [];
    for (let i = 0; i < TOTAL; i++) {
      const r = await t().scim.post('/Users', {
        userName: `user${String(i).padStart(2, '0')}@list.example`,
        displayName: `Person ${String.fromCharCode(90 - (i % 26))}${i}`,
        title: i % 3 === 0 ? undefined : `T${i % 5}`,
        emails: [{ type: 'work', value: `u${i}@list.example`, primary: true }],
        active: i % 4 !== 0,
      });
      ids.push(json(r).id);
    }
  });

  it('R-CORE-06 ListResponse shape: integers, Resources with a capital R, itemsPerPage = returned', async () => {
    const r = json(await t().scim.get('/Users?count=5'));
    expect(r.schemas).toEqual([LIST]);
    expect(r).toMatchObject({ totalResults: TOTAL, startIndex: 1, itemsPerPage: 5 });
    expect(r.Resources).toHaveLength(5);
  });

  it('R-ENTRA-38 startIndex is echoed; pages are stable and cover everything exactly once', async () => {
    const seen: string[] = [];
    for (let start = 1; start <= TOTAL; start += 5) {
      const r = json(await t().scim.get(`/Users?startIndex=${start}&count=5`));
      expect(r.startIndex).toBe(start);
      expect(r.totalResults).toBe(TOTAL);
      seen.push(...r.Resources.map((u: { id: string }) => u.id));
    }
    expect(seen).toEqual(ids);
  });

  it('R-CORE-07 startIndex < 1 → 1; count 0 → totals only; count above the max is capped; past the end → empty', async () => {
    expect(json(await t().scim.get('/Users?startIndex=-4&count=2')).startIndex).toBe(1);
    const zero = json(await t().scim.get('/Users?count=0'));
    expect(zero).toMatchObject({ totalResults: TOTAL, itemsPerPage: 0, Resources: [] });
    const big = json(await t().scim.get('/Users?count=100000'));
    expect(big.itemsPerPage).toBe(TOTAL);
    const past = json(await t().scim.get(`/Users?startIndex=${TOTAL + 10}&count=5`));
    expect(past).toMatchObject({ totalResults: TOTAL, itemsPerPage: 0, Resources: [] });
  });

  it('a non-numeric count or startIndex → 400 invalidValue', async () => {
    expect(json(await t().scim.get('/Users?count=lots')).scimType).toBe('invalidValue');
    expect(json(await t().scim.get('/Users?startIndex=x')).scimType).toBe('invalidValue');
  });

  it('paginates filtered results with exact totals', async () => {
    const r = json(await t().scim.get(`/Users?filter=${encodeURIComponent('active eq false')}&startIndex=2&count=2`));
    expect(r.totalResults).toBe(6);
    expect(r.itemsPerPage).toBe(2);
  });

  it('R-CORE-08 sortBy/sortOrder on a hot column and on a JSON attribute, stable across pages', async () => {
    const asc = json(await t().scim.get('/Users?sortBy=displayName&count=100')).Resources.map((u: { displayName: string }) => u.displayName);
    expect(asc).toEqual([...asc].sort((a: string, b: string) => a.toLowerCase().localeCompare(b.toLowerCase(), 'en')));
    const desc = json(await t().scim.get('/Users?sortBy=userName&sortOrder=descending&count=100')).Resources.map((u: { userName: string }) => u.userName);
    expect(desc).toEqual([...desc].sort().reverse());
    const byTitle = json(await t().scim.get('/Users?sortBy=title&count=100')).Resources.map((u: { title?: string }) => u.title ?? null);
    const present = byTitle.filter((x: string | null) => x !== null);
    expect(present).toEqual([...present].sort());
    expect(byTitle.slice(present.length).every((x: string | null) => x === null)).toBe(true); // missing values last
    const page1 = json(await t().scim.get('/Users?sortBy=title&count=10&startIndex=1')).Resources.map((u: { id: string }) => u.id);
    const page2 = json(await t().scim.get('/Users?sortBy=title&count=10&startIndex=11')).Resources.map((u: { id: string }) => u.id);
    expect(new Set([...page1, ...page2]).size).toBe(20);
    expect(json(await t().scim.get('/Users?sortBy=emails.value&count=3')).Resources).toHaveLength(3);
  });

  it('bad sortBy or sortOrder → 400 invalidValue', async () => {
    expect(json(await t().scim.get('/Users?sortBy=nope')).scimType).toBe('invalidValue');
    expect(json(await t().scim.get('/Users?sortBy=userName&sortOrder=sideways')).scimType).toBe('invalidValue');
  });

  it('R-CUR-01/02 cursor pagination: pages by nextCursor until it is absent; previousCursor goes back', async () => {
    const first = json(await t().scim.get('/Users?cursor&count=10'));
    expect(first.startIndex).toBeUndefined();
    expect(first.itemsPerPage).toBe(10);
    expect(first.totalResults).toBe(TOTAL);
    expect(first.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const seen = first.Resources.map((u: { id: string }) => u.id);
    let cursor = first.nextCursor as string | undefined;
    let last: Record<string, any> = first; // eslint-disable-line @typescript-eslint/no-explicit-any
    while (cursor) {
      last = json(await t().scim.get(`/Users?cursor=${cursor}&count=10`));
      seen.push(...last.Resources.map((u: { id: string }) => u.id));
      cursor = last.nextCursor;
    }
    expect(seen).toEqual(ids);
    expect(last.previousCursor).toBeDefined();
    const back = json(await t().scim.get(`/Users?cursor=${last.previousCursor}&count=10`));
    expect(back.Resources.map((u: { id: string }) => u.id)).toEqual(ids.slice(10, 20));
  });

  it('R-CUR-03 garbled cursor → invalidCursor; count outside 1..max → invalidCount; R-CUR-07 bound to tenant and query', async () => {
    expect(json(await t().scim.get('/Users?cursor=garbage!!')).scimType).toBe('invalidCursor');
    expect(json(await t().scim.get('/Users?cursor=&count=0')).scimType).toBe('invalidCount');
    expect(json(await t().scim.get('/Users?cursor=&count=5000')).scimType).toBe('invalidCount');
    const first = json(await t().scim.get('/Users?cursor=&count=5'));
    const other = await t().newTenant();
    const foreign = await other.scim.get(`/Users?cursor=${first.nextCursor}&count=5`);
    expect(foreign.statusCode).toBe(400);
    expect(json(foreign).scimType).toBe('invalidCursor');
    const changedQuery = await t().scim.get(`/Users?cursor=${first.nextCursor}&count=5&filter=${encodeURIComponent('active eq true')}`);
    expect(json(changedQuery).scimType).toBe('invalidCursor');
  });

  it('cursor pages with sortBy walk the sorted order', async () => {
    const all = json(await t().scim.get('/Users?sortBy=userName&sortOrder=descending&count=100')).Resources.map((u: { id: string }) => u.id);
    const p1 = json(await t().scim.get('/Users?sortBy=userName&sortOrder=descending&cursor=&count=10'));
    const p2 = json(await t().scim.get(`/Users?sortBy=userName&sortOrder=descending&cursor=${p1.nextCursor}&count=10`));
    expect([...p1.Resources, ...p2.Resources].map((u: { id: string }) => u.id)).toEqual(all.slice(0, 20));
  });

  it('R-CORE-09 attributes returns only those plus always-returned ones; excludedAttributes removes', async () => {
    const only = json(await t().scim.get(`/Users/${ids[1]}?attributes=userName,name.givenName`));
    expect(Object.keys(only).sort()).toEqual(['id', 'meta', 'schemas', 'userName']);
    const excluded = json(await t().scim.get(`/Users/${ids[1]}?excludedAttributes=emails,displayName`));
    expect(excluded).not.toHaveProperty('emails');
    expect(excluded).not.toHaveProperty('displayName');
    expect(excluded.userName).toBeDefined();
    const cannotDropId = json(await t().scim.get(`/Users/${ids[1]}?excludedAttributes=id`));
    expect(cannotDropId.id).toBe(ids[1]);
    const list = json(await t().scim.get('/Users?attributes=userName&count=2'));
    expect(Object.keys(list.Resources[0]).sort()).toEqual(['id', 'meta', 'schemas', 'userName']);
  });

  it('R-CORE-09 projection applies to POST, PUT and PATCH responses too', async () => {
    const created = json(await t().scim.post('/Users?attributes=userName', { userName: 'proj@list.example', title: 'X' }));
    expect(created).not.toHaveProperty('title');
    const patched = json(
      await t().scim.patch(`/Users/${created.id}?excludedAttributes=title`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'title', value: 'Y' }],
      }),
    );
    expect(patched).not.toHaveProperty('title');
    expect(patched.userName).toBe('proj@list.example');
    await t().scim.delete(`/Users/${created.id}`);
  });

  it('R-CORE-26 POST /Users/.search with a SearchRequest → 200 ListResponse', async () => {
    const r = await t().scim.post('/Users/.search', { schemas: [SEARCH], filter: 'active eq false', attributes: ['userName'], startIndex: 1, count: 3 });
    expect(r.statusCode).toBe(200);
    expect(json(r)).toMatchObject({ totalResults: 6, itemsPerPage: 3, startIndex: 1 });
    expect(Object.keys(json(r).Resources[0]).sort()).toEqual(['id', 'meta', 'schemas', 'userName']);
  });

  it('R-CUR-05 .search accepts cursor and count in the body', async () => {
    const r = json(await t().scim.post('/Users/.search', { schemas: [SEARCH], cursor: '', count: 20 }));
    expect(r.itemsPerPage).toBe(20);
    const next = json(await t().scim.post('/Users/.search', { schemas: [SEARCH], cursor: r.nextCursor, count: 20 }));
    expect(next.itemsPerPage).toBe(TOTAL - 20);
    expect(next.nextCursor).toBeUndefined();
  });

  it('POST /.search searches across resource types', async () => {
    await t().scim.post('/Groups', { displayName: 'Search Group' });
    const r = json(await t().scim.post('/.search', { schemas: [SEARCH], count: 1000 }));
    expect(r.totalResults).toBe(TOTAL + 1);
    expect(r.Resources.some((x: { meta: { resourceType: string } }) => x.meta.resourceType === 'Group')).toBe(true);
  });

  it('a SearchRequest with the wrong schema → 400 invalidSyntax', async () => {
    const r = await t().scim.post('/Users/.search', { schemas: ['urn:wrong'], filter: 'active eq true' });
    expect(json(r).scimType).toBe('invalidSyntax');
  });
});
