// The claim queries' exclusion of receivers and organisations an instance already has enough requests
// in flight for (workers/request-dispatcher.ts); webhook deliveries and SET pushes share it.
import { sql, type RawBuilder } from 'kysely';
import type { BusyReceivers } from '../ports.js';

/** `and <receiver> not in (…) and d.tenant_id not in (…)`, or nothing; `d` is the claimed table's alias. */
export function notBusy(busy: BusyReceivers | undefined, receiverColumn: 'd.endpoint_id' | 'd.stream_id'): RawBuilder<unknown> {
  const parts = [];
  if (busy?.endpoints.length) parts.push(sql`and ${sql.ref(receiverColumn)} not in (${sql.join(busy.endpoints)})`);
  if (busy?.tenants.length) parts.push(sql`and d.tenant_id not in (${sql.join(busy.tenants)})`);
  return sql.join(parts, sql` `);
}
