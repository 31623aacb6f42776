// What an organisation binds, normalised one way for claims, look-ups and the unique index: a
// Microsoft Entra tenant id (lower-case GUID), a Google Workspace domain (folded), or an OpenID
// issuer (normalised URL). Refusals say where to find the right value.
import type { SignInProvider } from '../../../storage/ports.js';
import { normaliseIssuer } from '../../../auth/oidc.js';
import { foldCase } from '../../../scim/filter/fold-case.js';
import { ServiceError } from '../../organizations/organizations.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const CONSUMER_GOOGLE_DOMAINS = new Set(['gmail.com', 'googlemail.com']);
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);
/** The tenant of personal Microsoft accounts (MSA): never an organisation's. */
const MSA_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

export function providerOf(raw: string): SignInProvider {
  if (raw === 'microsoft' || raw === 'google' || raw === 'oidc') return raw;
  throw new ServiceError('invalid', 'Unknown sign-in provider.');
}

export function normaliseBinding(provider: SignInProvider, raw: string, options: { allowInsecureHttp?: boolean | undefined } = {}): string {
  const value = raw.trim();
  switch (provider) {
    case 'microsoft': {
      const v = value.replace(/^\{|\}$/g, '').toLowerCase();
      if (!GUID.test(v)) throw new ServiceError('invalid', 'A Microsoft Entra tenant ID looks like 72f988bf-86f1-41af-91ab-2d7cd011db47 (Microsoft Entra admin center → Overview → Tenant ID).');
      if (v === MSA_TENANT) throw new ServiceError('invalid', 'That is the tenant of personal Microsoft accounts; bind your organisation’s own tenant ID.');
      return v;
    }
    case 'google': {
      const v = foldCase(value.replace(/^@/, ''));
      if (!DOMAIN.test(v)) throw new ServiceError('invalid', 'A Google Workspace domain looks like example.com (Google Admin console → Account → Domains).');
      if (CONSUMER_GOOGLE_DOMAINS.has(v)) throw new ServiceError('invalid', `${v} is Google’s consumer domain, not a Workspace domain; bind your organisation’s own domain.`);
      return v;
    }
    case 'oidc': {
      const v = normaliseIssuer(value);
      const u = v ? new URL(v) : undefined;
      if (!v || !u || !(u.protocol === 'https:' || (u.protocol === 'http:' && options.allowInsecureHttp && LOOPBACK.has(u.hostname)))) {
        throw new ServiceError('invalid', 'An issuer is the https URL of your identity provider, such as https://example.okta.com.');
      }
      return v;
    }
  }
}
