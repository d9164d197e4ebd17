import { escapeHtml as e, htmlDocument, htmlTable } from '../../querying/html.js';
import type { RegisterReport } from './register.report.js';

/** The register as a printable page: one section per activity with its Art. 30(1) fields and the evidence. */
export function registerHtml(report: RegisterReport): string {
  const list = (items: readonly string[]) => (items.length === 0 ? '—' : items.map(e).join('<br>'));
  const activities = report.activities
    .map((activity) => {
      const d = activity.document;
      const rows: Array<[string, string]> = [
        ['Purposes', list(d.purposes)],
        ['Legal basis', `${e(d.legalBasis)}${d.legalBasisNote === undefined ? '' : ` — ${e(d.legalBasisNote)}`}`],
        ['Categories of data subjects', list(d.dataSubjectCategories)],
        ['Categories of personal data', list(d.personalDataCategories)],
        ['Recipients', list(d.recipients)],
        ['Processors', list(activity.processors.map((p) => `${p.name} (${p.country}, ${p.status})`))],
        ['Transfers to third countries', list(d.thirdCountryTransfers.map((t) => `${t.country}: ${t.recipient} — ${t.safeguard}`))],
        ['Retention', `${e(d.retentionPeriod)}${d.retentionNote === undefined ? '' : ` — ${e(d.retentionNote)}`}`],
        ['Security measures', list(d.securityMeasures)],
        [
          'Evidence (audit trail)',
          `${e(String(activity.evidence.events))} event(s), ${e(String(activity.evidence.distinctSubjects))} data subject(s), last ${e(activity.evidence.lastProcessedAt ?? 'never')}`,
        ],
        ['Flags', activity.flags.length === 0 ? 'none' : `<span class="flag">${list(activity.flags)}</span>`],
      ];
      const status = activity.status === 'draft' ? '<span class="flag">draft, awaiting the DPO&#39;s approval</span>' : 'approved';
      return `<h2>${e(d.name)} <span class="meta">(version ${e(String(activity.version))}, ${status}, ${e(activity.recordedAt)})</span></h2>
${d.description === undefined ? '' : `<p>${e(d.description)}</p>`}
${htmlTable(
  ['Field', 'Value'],
  rows.map(([field, value]) => [e(field), value]),
)}`;
    })
    .join('\n');
  const processors = htmlTable(
    ['Processor', 'DPA reference', 'Country', 'Location', 'Status', 'Sub-processor of'],
    report.processors.map((p) => [
      e(p.document.name),
      e(p.document.dpaReference),
      e(p.document.country),
      e(p.document.location ?? ''),
      e(p.document.status),
      e(p.document.parentProcessorId ?? ''),
    ]),
  );
  const purposes = htmlTable(
    ['Purpose', 'Declared', 'Flags', 'Events', 'Data subjects', 'Last processed', 'Legal bases stated'],
    report.purposes.map((p) => [
      e(p.purpose === '' ? '(no purpose)' : p.purpose) + (p.builtIn ? '' : ' <span class="meta">(seen in the trail)</span>'),
      p.status === 'approved' ? 'approved' : p.status === 'draft' ? 'draft only: awaiting approval' : 'no activity',
      p.flags.length === 0 ? 'none' : `<span class="flag">${list(p.flags)}</span>`,
      e(String(p.events)),
      e(String(p.distinctSubjects)),
      e(p.lastProcessedAt ?? ''),
      e(p.legalBases.map((b) => b.legalBasis).join(', ')),
    ]),
  );
  return htmlDocument(
    'Record of processing activities',
    `<h1>Record of processing activities (GDPR Art. 30)</h1>
<p class="meta">Generated ${e(report.generatedAt)} · ${e(String(report.activities.length))} activities · evidence from the audit trail</p>
${activities}
<h2>Processors and sub-processors (Art. 28)</h2>
${processors}
<h2>Purposes the platform uses</h2>
${purposes}`,
  );
}
