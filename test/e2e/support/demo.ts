// Realistic demo data for the page tour and the screenshots: an organisation connected to
// "Microsoft Entra ID", a few dozen people (some inactive), groups, and a couple of errors.
import type { ConsoleServer } from './server.js';
import { GROUP, PATCH_OP, USER, scimOver } from './scim.js';
import { hashPassword } from '../../../src/auth/password.js';

/** What Entra's provisioning service is taken to send (see services/console/idp-profile.ts). */
export const ENTRA_USER_AGENT = 'Microsoft.Identity.Provisioning.Service';

export interface Demo {
  readonly admin: { email: string; password: string };
  readonly user: { email: string; password: string };
  readonly userId: string;
  readonly groupId: string;
  readonly errorSeq: number;
}

const PEOPLE: ReadonlyArray<[string, string, string, string]> = [
  ['Grace', 'Hopper', 'Engineering', 'Principal Engineer'],
  ['Ada', 'Lovelace', 'Engineering', 'Staff Engineer'],
  ['Alan', 'Turing', 'Research', 'Research Lead'],
  ['Katherine', 'Johnson', 'Research', 'Analyst'],
  ['Margaret', 'Hamilton', 'Engineering', 'Engineering Manager'],
  ['Linus', 'Pauling', 'Sales', 'Account Executive'],
  ['Hedy', 'Lamarr', 'Engineering', 'Engineer'],
  ['Tim', 'Berners-Lee', 'Product', 'Product Manager'],
  ['Barbara', 'Liskov', 'Engineering', 'Engineer'],
  ['Dorothy', 'Vaughan', 'Operations', 'Operations Lead'],
  ['Edsger', 'Dijkstra', 'Research', 'Researcher'],
  ['Frances', 'Allen', 'Product', 'Designer'],
  ['John', 'McCarthy', 'Sales', 'Sales Director'],
  ['Radia', 'Perlman', 'Engineering', 'Network Engineer'],
];

export async function seedDemo(server: ConsoleServer): Promise<Demo> {
  const { services } = server;
  const org = await server.newOrg('Contoso');
  const admin = await server.newAccount(org, 'alex.admin@contoso.com', { displayName: 'Alex Admin' });
  const store = services.platform.forTenant(org.id);
  const old = await services.apiKeys.create(store, { name: 'Entra ID (old)', createdBy: admin.email });
  await services.apiKeys.revoke(store, old.record.id);
  const { key } = await services.apiKeys.create(store, { name: 'Microsoft Entra ID', createdBy: admin.email });
  const scim = scimOver(server.url, key, ENTRA_USER_AGENT);
  // A second Entra job still configured with the revoked key: refused, counted on the Dashboard.
  const stale = scimOver(server.url, old.key, ENTRA_USER_AGENT);
  for (let i = 0; i < 37; i++) await stale.get('/Users?filter=userName%20eq%20%22probe%22');

  const ids: Record<string, string> = {};
  for (const [given, family, department, title] of PEOPLE) {
    const email = `${given}.${family}`.toLowerCase().replace(/[^a-z.]/g, '') + '@contoso.com';
    const r = await scim.post('/Users', {
      schemas: [USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
      userName: email,
      externalId: crypto.randomUUID(),
      displayName: `${given} ${family}`,
      name: { givenName: given, familyName: family },
      title,
      emails: [{ value: email, type: 'work', primary: true }],
      active: true,
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department, employeeNumber: String(1000 + Object.keys(ids).length) },
    });
    if (r.status !== 201) throw new Error(`seed user ${email}: ${r.status} ${JSON.stringify(r.body)}`);
    ids[`${given} ${family}`] = r.body.id as string;
  }
  for (const name of ['Linus Pauling', 'Edsger Dijkstra']) {
    await scim.patch(`/Users/${ids[name]}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
  }
  // Entra without aadOptscim062020: capitalised ops (a hint on the Dashboard and SCIM setup).
  await scim.patch(`/Users/${ids['Frances Allen']}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'title', value: 'Principal Designer' }] });

  const group = async (displayName: string, members: string[]) => {
    const r = await scim.post('/Groups', { schemas: [GROUP], displayName, externalId: crypto.randomUUID(), members: members.map((m) => ({ value: ids[m]! })) });
    return r.body.id as string;
  };
  const engineering = await group('Engineering', PEOPLE.filter((p) => p[2] === 'Engineering').map((p) => `${p[0]} ${p[1]}`));
  await group('Research', PEOPLE.filter((p) => p[2] === 'Research').map((p) => `${p[0]} ${p[1]}`));
  await group('All staff', Object.keys(ids));
  await group('Sales EMEA', ['Linus Pauling', 'John McCarthy']);

  // What an identity provider's sync also does: look-ups, and the odd failure.
  await scim.get('/Users?filter=userName%20eq%20%22grace.hopper%40contoso.com%22');
  await scim.post('/Users', { schemas: [USER], userName: 'grace.hopper@contoso.com', displayName: 'Grace Hopper' });
  await scim.get('/Users?filter=emails%5Btype%20eq%20%22work%22%5D.valu%20eq%20%22x%22');
  await services.activity.flush();
  const [err] = await store.activity.list({ errorsOnly: true, resourceId: undefined, beforeSeq: undefined, limit: 10 }).then((rows) => rows.filter((r) => r.method === 'POST'));

  // A regular user who signs in to see their own profile, linked to their provisioned record.
  const userPassword = 'demo password for the tour';
  await store.accounts.create({
    id: 'demo-user',
    email: 'ada.lovelace@contoso.com',
    displayName: 'Ada Lovelace',
    passwordHash: await hashPassword(userPassword),
    role: 'user',
    scimUserId: ids['Ada Lovelace']!,
    now: new Date().toISOString(),
  });

  // The sign-in log: SSO sign-ins and the refusals an admin looks up by the reference a person reads out.
  const attempt = (outcome: 'success' | 'refused', provider: string, code: string, userLabel: string, scimUserId: string | null, reference: string) =>
    services.signInLog.record({ tenantIds: [org.id], outcome, provider, code, userLabel, scimUserId, reference });
  await attempt('success', 'password', 'password/signed_in', admin.email, null, crypto.randomUUID());
  await attempt('refused', 'microsoft', 'sso/inactive', 'linus.pauling@contoso.com', ids['Linus Pauling']!, crypto.randomUUID());
  await attempt('refused', 'microsoft', 'sso/not_provisioned', 'contractor@contoso.com', null, crypto.randomUUID());
  await attempt('success', 'microsoft', 'sso/signed_in', 'grace.hopper@contoso.com', ids['Grace Hopper']!, crypto.randomUUID());

  return {
    admin,
    user: { email: 'ada.lovelace@contoso.com', password: userPassword },
    userId: ids['Grace Hopper']!,
    groupId: engineering,
    errorSeq: err!.seq,
  };
}
