// SCIM resource ids (RFC 7643 §3.1: assigned by the service provider, unique, stable, never
// reassigned — no format required). A new id is a UUIDv7 (RFC 9562 §5.7): 48 bits of Unix time
// in milliseconds, then 74 random bits.
//
// Why time-ordered (issue #15): the id is a key in several B-trees that every create writes — the
// users' and groups' unique (tenant_id, id), the outbox's events_subject, the activity log's
// activity_log_changes. A random UUIDv4 landed on a random leaf page of each, so each create
// dirtied (and wrote to the WAL) a page of its own per index; ids in creation order append to the
// right edge, which the creates of one commit share. Measured in one window on 10,000 users:
// POST 0.546 → 0.372 ms server CPU per request, p99 29.9 → 15.2 ms. The time in the id tells
// nothing that `meta.created` does not already say to the same client; 74 random bits keep ids
// unguessable (not that an id grants anything: every lookup is scoped to the caller's tenant).
// Ids made before this stay as they were: a UUID is a UUID.
import { randomUUIDv7 } from 'node:crypto';

export const newResourceId = (): string => randomUUIDv7();
