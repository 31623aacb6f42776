// The change journal: why a change without its event cannot commit.
//
// Every write to a SCIM resource or a membership goes through a repository that notes it here
// (`User:<id>`, `Group:<id>`, `member:<groupId>:<userId>`). Appending outbox rows (events-repo)
// crosses off what each event covers. When the transaction's callback returns, the tenant store
// checks the journal: anything left means a change was made without its event, and the
// transaction is rolled back with UnrecordedChange instead of committing. Writes outside
// `store.transaction()` are refused outright, so no path around the check exists.
import { UnrecordedChange } from '../ports.js';

export class ChangeJournal {
  readonly #pending = new Set<string>();

  note(key: string): void {
    this.#pending.add(key);
  }

  /** An event about (resourceType, resourceId) — and, for membership events, memberId — covers these notes. */
  cover(resourceType: string, resourceId: string, memberId: string | null): void {
    this.#pending.delete(`${resourceType}:${resourceId}`);
    if (memberId !== null) this.#pending.delete(`member:${resourceId}:${memberId}`);
  }

  assertRecorded(): void {
    if (this.#pending.size > 0) throw new UnrecordedChange([...this.#pending]);
  }
}

/** What a repository calls before a write: the transaction's journal, or an error outside one. */
export function journalFor(journal: ChangeJournal | undefined, what: string): ChangeJournal {
  if (!journal) throw new Error(`${what} must run inside store.transaction() (its event is written in the same transaction)`);
  return journal;
}
