// SET push streams that keep failing are disabled (issue #13; the webhook rule, applied to RFC 8935
// push: a receiver unreachable or answering 5xx for 5 days stops receiving until an admin
// re-enables the stream). Additive only, on set_streams:
//  - failing_since: the first failed push after a success (cleared by the next success);
//  - disabled_reason / disabled_at: why and when the stream was disabled (shown in the console,
//    the CLI and the API); cleared when it is enabled again.
import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../kysely/dialect-name.js';

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema.alterTable('set_streams').addColumn('failing_since', 'text').execute();
  await db.schema.alterTable('set_streams').addColumn('disabled_reason', 'text').execute();
  await db.schema.alterTable('set_streams').addColumn('disabled_at', 'text').execute();
}
