// A small RFC 4180 CSV reader for the manual-user import: quoted fields (with "" for a quote and
// line breaks inside quotes), CRLF or LF line ends, a leading byte-order mark. Returns the rows
// with their 1-based line numbers so the preview can point at the line a person sees in a spreadsheet.

export interface CsvRow {
  readonly line: number;
  readonly fields: string[];
}

export class CsvError extends Error {
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvError';
  }
}

export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let field = '';
  let fields: string[] = [];
  let rowLine = 1;
  let quoted = false;
  let afterQuote = false;
  const endRow = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]!.trim() === '')) rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
    afterQuote = false;
  };
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          afterQuote = true;
        }
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"') {
      if (field.trim() !== '' || afterQuote) throw new CsvError(line, 'a quote (") inside an unquoted field; quote the whole field and double the quote');
      field = '';
      quoted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      afterQuote = false;
    } else if (c === '\r' && text[i + 1] === '\n') {
      continue;
    } else if (c === '\n' || c === '\r') {
      endRow();
      line++;
      rowLine = line;
    } else {
      if (afterQuote && c.trim() !== '') throw new CsvError(line, 'text after a closing quote');
      field += c;
    }
  }
  if (quoted) throw new CsvError(rowLine, 'a quoted field is not closed');
  endRow();
  return rows;
}
