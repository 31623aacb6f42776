import { describe, expect, it } from 'vitest';
import { flattenAttributes } from './attributes.js';

describe('flattenAttributes', () => {
  it('flattens nested, multi-valued and extension attributes, skipping meta and memberships', () => {
    const rows = flattenAttributes({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      id: 'u1',
      userName: 'ada',
      active: true,
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
      phoneNumbers: [],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'R&D', manager: { value: 'm1' } },
      groups: [{ value: 'g1' }],
      meta: { resourceType: 'User' },
    });
    expect(rows).toEqual([
      { path: 'id', value: 'u1' },
      { path: 'userName', value: 'ada' },
      { path: 'active', value: 'true' },
      { path: 'name.givenName', value: 'Ada' },
      { path: 'name.familyName', value: 'Lovelace' },
      { path: 'emails[0].value', value: 'ada@example.com' },
      { path: 'emails[0].type', value: 'work' },
      { path: 'emails[0].primary', value: 'true' },
      { path: 'phoneNumbers', value: '(none)' },
      { path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'R&D' },
      { path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value', value: 'm1' },
    ]);
  });
});
