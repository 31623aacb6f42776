// CSV exports (RFC 4180: CRLF line ends, fields quoted when they hold a comma, quote or line
// break, quotes doubled). Cells that a spreadsheet would run as a formula (= + - @ tab CR at the
// start) get a leading apostrophe, as OWASP's "CSV injection" advice says: directory data comes
// from the identity provider and may be hostile.
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export const csvLine = (cells: ReadonlyArray<string | number | boolean | null | undefined>): string => `${cells.map(csvCell).join(',')}\r\n`;

/** Streams a header line and then every batch of rows as CSV, as a download named `filename`. */
export function sendCsv<T>(reply: FastifyReply, filename: string, header: readonly string[], batches: AsyncIterable<readonly T[]>, toCells: (row: T) => ReadonlyArray<string | number | boolean | null>): FastifyReply {
  async function* lines(): AsyncGenerator<string> {
    yield `\ufeff${csvLine(header)}`;
    for await (const batch of batches) yield batch.map((r) => csvLine(toCells(r))).join('');
  }
  reply.header('content-type', 'text/csv; charset=utf-8');
  reply.header('content-disposition', `attachment; filename="${filename}"`);
  return reply.send(Readable.from(lines()));
}
