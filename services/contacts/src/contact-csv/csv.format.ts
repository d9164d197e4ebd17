/**
 * Reading RFC 4180 CSV (an import); writing it is `writeCsv` in @crm/http. Lenient: LF or CRLF, a BOM, a trailing
 * newline.
 */
export class CsvSyntaxError extends Error {
  constructor(readonly line: number) {
    super(`CSV syntax error on line ${line}`);
  }
}

/** Rows of fields; quoted fields may hold commas, quotes ("") and line breaks. Throws CsvSyntaxError with a line. */
export function parseCsv(text: string): string[][] {
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let i = 0;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
  };
  while (i < input.length) {
    const char = input[i]!;
    if (quoted) {
      if (char === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        const next = input[i + 1];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') throw new CsvSyntaxError(line);
      } else {
        if (char === '\n') line++;
        field += char;
      }
      i++;
      continue;
    }
    if (char === '"') {
      if (field !== '') throw new CsvSyntaxError(line);
      quoted = true;
    } else if (char === ',') endField();
    else if (char === '\r' || char === '\n') {
      endRow();
      if (char === '\r' && input[i + 1] === '\n') i++;
      line++;
    } else field += char;
    i++;
  }
  if (quoted) throw new CsvSyntaxError(line);
  if (field !== '' || row.length > 0) endRow();
  return rows;
}
