/** HTML-escapes text for element content and double-quoted attributes (OWASP XSS prevention, rule #1 and #2). */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** A complete, self-contained, printable document: no scripts, no external resources (CSP `default-src 'none'`). */
export function htmlDocument(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font: 13px/1.45 system-ui, sans-serif; margin: 2rem; color: #111; }
  h1 { font-size: 1.5rem; margin-bottom: .25rem; } h2 { font-size: 1.1rem; margin-top: 1.75rem; }
  table { border-collapse: collapse; width: 100%; margin-top: .5rem; }
  th, td { border: 1px solid #bbb; padding: .25rem .4rem; text-align: left; vertical-align: top; }
  th { background: #eee; } code { font: 11px ui-monospace, monospace; word-break: break-all; }
  .meta { color: #555; } .flag { color: #a00; font-weight: 600; }
  @media print { body { margin: 0; } tr { break-inside: avoid; } }
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'";

/** A table from already escaped cells. */
export function htmlTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const head = headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}
