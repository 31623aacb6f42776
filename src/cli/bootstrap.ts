// First start on an empty database: one organisation (approved for API access) and its first
// admin, who gets a one-time link (24 hours) to choose a password — printed once on the terminal
// (stdout), never through the service's logger. A second start prints no new secrets; a lost link
// is replaced by `wiggledesk admin reset-password`.
import type { Config } from '../config/config.js';
import type { AppServices } from '../services/app-services.js';
import type { Io } from './index.js';

export async function bootstrapIfEmpty(services: AppServices, config: Config, io: Io): Promise<void> {
  if ((await services.platform.countOrganizations()) > 0) return;
  const org = await services.organizations.create('My Organisation', { apiAccessApproved: true });
  // The generated password is never shown: the admin chooses one through the link.
  const { account } = await services.organizations.createAdmin(org.id, 'admin@wiggledesk.local');
  const base = config.publicUrl ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
  const { link } = await services.passwords.createLinkFor(org.id, account.email, base, 'first start');
  io.stdout(
    [
      '',
      'First start: created the organisation "My Organisation" (approved for API access) and its first admin.',
      `  Console:   ${base}/console/login`,
      `  Email:     ${account.email}`,
      `  Set your password (one-time link, valid 24 hours; shown once, stored only as a hash):`,
      `             ${link}`,
      `  Lost it?   npx wiggledesk admin reset-password "My Organisation" ${account.email}`,
      `  SCIM base: ${base}/scim/v2   (create an API key on the Profile page, or: npx wiggledesk key create "My Organisation")`,
      '',
    ].join('\n'),
  );
}
