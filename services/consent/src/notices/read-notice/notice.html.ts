import { createHash } from 'node:crypto';
import type { NoticeLanguage } from '../notice.streams.js';
import type { PublishedNoticeView } from '../notice.http.js';

/** HTML-escapes text for element content and double-quoted attributes (OWASP XSS prevention, rules #1 and #2). */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (character) => `&#${character.charCodeAt(0)};`);
}

const STYLE = `
  body { font: 14px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 48rem; color: #111; padding: 0 1rem; }
  h1 { font-size: 1.5rem; margin-bottom: .25rem; } h2 { font-size: 1.1rem; margin-top: 1.75rem; }
  table { border-collapse: collapse; width: 100%; margin-top: .5rem; }
  th, td { border: 1px solid #bbb; padding: .25rem .4rem; text-align: left; vertical-align: top; }
  th { background: #eee; } code { font: 12px ui-monospace, monospace; word-break: break-all; }
  .text { white-space: pre-line; } .meta { color: #555; }
  @media print { body { margin: 0; max-width: none; } tr { break-inside: avoid; } }
`;

/**
 * The page's policy: nothing loads and nothing runs; the one inline style block is allowed by its hash, so no
 * `'unsafe-inline'` is needed.
 */
export const NOTICE_CONTENT_SECURITY_POLICY = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE, 'utf8').digest('base64')}'; base-uri 'none'; form-action 'none'`;

const LABELS: Record<NoticeLanguage, Record<string, string>> = {
  en: {
    title: 'Privacy notice',
    version: 'Version',
    published: 'published',
    controller: 'Who we are (the controller)',
    dpo: 'Our data protection officer',
    purposes: 'Why we process your data, and on what legal basis',
    purpose: 'Purpose',
    bases: 'Lawful basis',
    objection: 'Your right to object (Art. 21)',
    retention: 'How long we keep your data',
    recipients: 'Who receives your data',
    processors: 'Who processes it for us',
    rights: 'Your rights and how to use them',
    hash: 'Content hash (SHA-256)',
    consent: 'consent (Art. 6(1)(a))',
    contract: 'contract (Art. 6(1)(b))',
    'legal-obligation': 'legal obligation (Art. 6(1)(c))',
    'vital-interests': 'vital interests (Art. 6(1)(d))',
    'public-task': 'public task (Art. 6(1)(e))',
    'legitimate-interests': 'legitimate interests (Art. 6(1)(f))',
    absolute: 'yes, at any time; processing stops',
    balancing: 'yes; processing stops unless compelling legitimate grounds prevail',
    none: 'not applicable',
    kept: 'Kept',
    receivedBy: 'Recipients',
    processedBy: 'Processors',
    transfers: 'Transfers outside the EEA',
    notDeclared: 'not yet stated in our register of processing activities',
    'until-withdrawal': 'until you withdraw your consent',
    country: 'country',
  },
  pl: {
    title: 'Klauzula informacyjna',
    version: 'Wersja',
    published: 'opublikowana',
    controller: 'Kim jesteśmy (administrator danych)',
    dpo: 'Nasz inspektor ochrony danych',
    purposes: 'W jakich celach i na jakiej podstawie prawnej przetwarzamy Twoje dane',
    purpose: 'Cel',
    bases: 'Podstawa prawna',
    objection: 'Prawo sprzeciwu (art. 21)',
    retention: 'Jak długo przechowujemy Twoje dane',
    recipients: 'Odbiorcy Twoich danych',
    processors: 'Podmioty przetwarzające dane w naszym imieniu',
    rights: 'Twoje prawa i jak z nich skorzystać',
    hash: 'Skrót treści (SHA-256)',
    consent: 'zgoda (art. 6 ust. 1 lit. a)',
    contract: 'umowa (art. 6 ust. 1 lit. b)',
    'legal-obligation': 'obowiązek prawny (art. 6 ust. 1 lit. c)',
    'vital-interests': 'żywotne interesy (art. 6 ust. 1 lit. d)',
    'public-task': 'zadanie publiczne (art. 6 ust. 1 lit. e)',
    'legitimate-interests': 'prawnie uzasadniony interes (art. 6 ust. 1 lit. f)',
    absolute: 'tak, w każdej chwili; przetwarzanie ustaje',
    balancing: 'tak; przetwarzanie ustaje, chyba że przeważają ważne prawnie uzasadnione podstawy',
    none: 'nie dotyczy',
    kept: 'Okres przechowywania',
    receivedBy: 'Odbiorcy',
    processedBy: 'Podmioty przetwarzające',
    transfers: 'Przekazanie poza EOG',
    notDeclared: 'jeszcze nie określone w naszym rejestrze czynności przetwarzania',
    'until-withdrawal': 'do czasu wycofania zgody',
    country: 'kraj',
  },
};

const UNITS: Record<NoticeLanguage, Record<'Y' | 'M' | 'W' | 'D', (n: number) => string>> = {
  en: {
    Y: (n) => `${n} year${n === 1 ? '' : 's'}`,
    M: (n) => `${n} month${n === 1 ? '' : 's'}`,
    W: (n) => `${n} week${n === 1 ? '' : 's'}`,
    D: (n) => `${n} day${n === 1 ? '' : 's'}`,
  },
  pl: {
    Y: (n) => `${n} ${polish(n, 'rok', 'lata', 'lat')}`,
    M: (n) => `${n} ${polish(n, 'miesiąc', 'miesiące', 'miesięcy')}`,
    W: (n) => `${n} ${polish(n, 'tydzień', 'tygodnie', 'tygodni')}`,
    D: (n) => `${n} ${polish(n, 'dzień', 'dni', 'dni')}`,
  },
};

/** Polish plural forms: 1 rok, 2–4 lata (not 12–14), else lat. */
function polish(n: number, one: string, few: string, many: string): string {
  if (n === 1) return one;
  const tens = n % 100;
  return n % 10 >= 2 && n % 10 <= 4 && (tens < 12 || tens > 14) ? few : many;
}

/** A register retention period in words: `P6Y` → "6 years" / "6 lat"; `until-withdrawal` in words; else as it is. */
export function retentionInWords(period: string, lang: NoticeLanguage): string {
  if (period === 'until-withdrawal') return LABELS[lang][period]!;
  const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(period);
  if (match === null || period === 'P') return period;
  const units = (['Y', 'M', 'W', 'D'] as const).flatMap((unit, index) => (match[index + 1] === undefined ? [] : [UNITS[lang][unit](Number(match[index + 1]))]));
  return units.join(' ');
}

/** A published notice as a complete, printable, self-contained page: every text escaped, no scripts, no resources. */
export function renderNoticeHtml(notice: PublishedNoticeView): string {
  const t = LABELS[notice.lang];
  const label = (key: string): string => escapeHtml(t[key] ?? key);
  const text = (value: string): string => `<div class="text">${escapeHtml(value)}</div>`;
  const fromRegister = (code: string): string => {
    const stated = notice.register?.purposes.find((purpose) => purpose.code === code);
    if (stated === undefined) return '';
    if (!stated.declared) return `<br><span class="meta">${label('notDeclared')}</span>`;
    const line = (key: string, values: readonly string[]) => (values.length === 0 ? '' : `<br>${label(key)}: ${values.map(escapeHtml).join('; ')}`);
    return [
      line(
        'kept',
        stated.retention.map((retention) => `${retentionInWords(retention.period, notice.lang)}${retention.note === undefined ? '' : ` (${retention.note})`}`),
      ),
      line('receivedBy', stated.recipients),
      line('processedBy', stated.processors),
      line(
        'transfers',
        stated.transfers.map((transfer) => `${transfer.recipient} (${transfer.country}, ${transfer.safeguard})`),
      ),
    ].join('');
  };
  const purposes = notice.purposes
    .map(
      (purpose) =>
        `<tr><td><code>${escapeHtml(purpose.code)}</code><br>${escapeHtml(purpose.description)}${fromRegister(purpose.code)}</td><td>${purpose.lawfulBases.map(label).join('<br>')}</td><td>${label(purpose.objection)}</td></tr>`,
    )
    .join('\n');
  const processors = (notice.register?.processors ?? []).map(
    (processor) => `${processor.name} (${t.country ?? 'country'}: ${processor.country}${processor.services === undefined ? '' : `; ${processor.services}`})`,
  );
  const optional = (key: string, value: string, extra = ''): string =>
    value === '' && extra === '' ? '' : `<h2>${label(key)}</h2>\n${extra}${value === '' ? '' : text(value)}`;
  return `<!doctype html>
<html lang="${notice.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${label('title')} ${escapeHtml(notice.version)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${label('title')}</h1>
<p class="meta">${label('version')} <code>${escapeHtml(notice.version)}</code>, ${label('published')} ${escapeHtml(notice.publishedAt.slice(0, 10))}</p>
<h2>${label('controller')}</h2>
${text(notice.controller)}
<h2>${label('dpo')}</h2>
${text(notice.dpoContact)}
<h2>${label('purposes')}</h2>
<table><thead><tr><th>${label('purpose')}</th><th>${label('bases')}</th><th>${label('objection')}</th></tr></thead><tbody>
${purposes}
</tbody></table>
${optional('retention', notice.retention)}
${optional('recipients', notice.recipients)}
${optional('processors', notice.processors, processors.length === 0 ? '' : `<ul>${processors.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>\n`)}
<h2>${label('rights')}</h2>
${text(notice.rights)}
<p class="meta">${label('hash')}: <code>${escapeHtml(notice.contentSha256)}</code></p>
</body>
</html>
`;
}
