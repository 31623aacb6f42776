// Outbox event ids are derived from the row (issue #13's cost target: SCIM writes within 10 % of
// their CPU before the outbox). `evt_` + the occurred time + the outbox seq (domain/event-ids.ts):
// unique because seq is, so new rows store no id and the events table loses its unique index on
// `id` — one B-tree page fewer in the WAL at every write's COMMIT. Replay of one event by id finds
// a derived id by its primary key.
//
// Rows written before this migration keep the random ULID they were stored with (receivers have
// seen those ids as `webhook-id`; a retry must carry the same one). A partial unique index covers
// exactly those rows, so replay still finds them, and it costs new rows nothing (their id is null).
// The last of them leave with the retention purge.
//
// SQLite cannot drop a UNIQUE constraint or a NOT NULL: the table is rebuilt (the procedure of
// https://sqlite.org/lang_altertable.html#otheralter — foreign keys off, new table, copy, drop,
// rename, indexes, foreign_key_check — in one transaction). The AUTOINCREMENT high-water mark is
// carried over: after a purge the newest seq can be below it, and a seq must never be handed out
// twice (endpoints', SET streams' and clients' cursors are positions in seq order).
import { sql, type Kysely } from 'kysely';
import type { SqlDialectName } from '../kysely/dialect-name.js';

export async function up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  if (dialect === 'postgres') {
    await sql`alter table events drop constraint if exists events_id_key`.execute(db);
    await sql`alter table events alter column id drop not null`.execute(db);
    await sql`create unique index events_legacy_id on events (id) where id is not null`.execute(db);
    return;
  }
  // Kysely runs SQLite migrations outside a transaction (no transactional DDL there), and
  // foreign_keys can only change outside one.
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await db.transaction().execute(async (trx) => {
      const mark = await sql<{ seq: number }>`select seq from sqlite_sequence where name = 'events'`.execute(trx);
      await sql`create table events_rebuilt (
        seq integer primary key autoincrement,
        txid integer not null default 0,
        tenant_id text not null references organizations (id) on delete cascade,
        id text,
        type text not null,
        occurred_at text not null,
        resource_type text not null,
        resource_id text not null,
        member_id text,
        data text not null
      )`.execute(trx);
      await sql`insert into events_rebuilt (seq, txid, tenant_id, id, type, occurred_at, resource_type, resource_id, member_id, data)
        select seq, txid, tenant_id, id, type, occurred_at, resource_type, resource_id, member_id, data from events`.execute(trx);
      await sql`drop table events`.execute(trx);
      await sql`alter table events_rebuilt rename to events`.execute(trx);
      const highWater = mark.rows[0]?.seq ?? 0;
      await sql`update sqlite_sequence set seq = max(seq, ${highWater}) where name = 'events'`.execute(trx);
      await sql`insert into sqlite_sequence (name, seq) select 'events', ${highWater} where not exists (select 1 from sqlite_sequence where name = 'events')`.execute(trx);
      await sql`create index events_tenant_position on events (tenant_id, txid, seq)`.execute(trx);
      await sql`create index events_subject on events (tenant_id, (coalesce(member_id, resource_id)), seq)`.execute(trx);
      await sql`create unique index events_legacy_id on events (id) where id is not null`.execute(trx);
      const broken = await sql`pragma foreign_key_check`.execute(trx);
      if (broken.rows.length > 0) throw new Error(`0024: foreign keys broken by the events rebuild: ${JSON.stringify(broken.rows.slice(0, 5))}`);
    });
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}
