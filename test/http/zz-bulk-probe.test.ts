import { it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
describeEachDialect('probe', (t) => {
  it('prints', async () => {
    const r = await t().scim.post('/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [
      { method: 'POST', path: '/Groups', bulkId: 'alpha', data: { displayName: 'A', members: [{ value: 'bulkId:beta' }] } },
      { method: 'POST', path: '/Groups', bulkId: 'beta', data: { displayName: 'B', members: [{ value: 'bulkId:alpha' }] } },
      { method: 'POST', path: '/Groups', bulkId: 'gamma', data: { displayName: 'C', members: [{ value: 'bulkId:u' }] } },
      { method: 'POST', path: '/Users', bulkId: 'u', data: { userName: 'u@x' } },
      { method: 'POST', path: '/Users', data: { userName: 'v@x' } },
    ] });
    console.log(r.statusCode, JSON.stringify(JSON.parse(r.body), null, 1));
    const big = await t().scim.post('/Bulk', { schemas: [], Operations: new Array(1001).fill({}) });
    console.log(big.statusCode, big.body);
  });
});
