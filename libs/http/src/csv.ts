/**
 * RFC 4180 CSV for downloads: CRLF line ends, a field quoted when it holds a comma, quote or line break. A value a
 * spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) gets a leading apostrophe (OWASP
 * "CSV injection"): exports are opened in spreadsheets, and text people typed must not become code there. A plain
 * signed number (`-12`, an E.164 phone `+4915…`) is left alone: it is data, not a formula.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?[0-9]+$/;

export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function writeCsv(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
