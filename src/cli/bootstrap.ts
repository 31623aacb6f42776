// First start on an empty database: one organisation (approved for API access) and its first
// admin with a generated password, printed once. A second start prints no new secrets.
import type { Config } from '../config/config.js';
import type { AppServices } from '../services/app-services.js';
import type { Io } from './index.js';

export async function bootstrapIfEmpty(services: AppServices, config: Config, io: Io): Promise<void> {
  if ((await services.platform.countOrganizations()) > 0) return;
  const org = await services.organizations.create('My Organisation', { apiAccessApproved: true });
  const { account, password } = await services.organizations.createAdmin(org.id, 'admin@wiggledesk.local');
  const base = config.publicUrl ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
  io.stdout(
    [
      '',
      'First start: created the organisation "My Organisation" (approved for API access) and its first admin.',
      `  Console:   ${base}/console/login`,
      `  Email:     ${account.email}`,
      `  Password:  ${password}    (shown once; it is stored only as a hash)`,
      `  SCIM base: ${base}/scim/v2   (create an API key on the Profile page, or: npx wiggledesk key create "My Organisation")`,
      '',
    ].join('\n'),
  );
}
