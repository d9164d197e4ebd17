import { writeCsv } from '@crm/http';
import type { RegisterReport } from './register.report.js';

/**
 * RFC 4180 CSV, one row per activity (with its status, `draft` or `approved`) and one per purpose the platform uses
 * that no approved activity declares (`undeclared-purpose`: none does; `unapproved-purpose`: only drafts do). Formulas are neutralised by
 * `writeCsv` (@crm/http): register text is typed by people, and this file is made to be opened in a spreadsheet.
 */
export function registerCsv(report: RegisterReport): string {
  const header = [
    'record',
    'activity_id',
    'version',
    'status',
    'name',
    'purposes',
    'legal_basis',
    'data_subject_categories',
    'personal_data_categories',
    'recipients',
    'processors',
    'third_country_transfers',
    'retention_period',
    'security_measures',
    'events',
    'distinct_subjects',
    'last_processed_at',
    'flags',
  ];
  const rows: string[][] = report.activities.map((activity) => {
    const d = activity.document;
    return [
      'activity',
      activity.id,
      String(activity.version),
      activity.status,
      d.name,
      d.purposes.join('; '),
      d.legalBasis,
      d.dataSubjectCategories.join('; '),
      d.personalDataCategories.join('; '),
      d.recipients.join('; '),
      activity.processors.map((p) => `${p.name} (${p.country}, ${p.status})`).join('; '),
      d.thirdCountryTransfers.map((t) => `${t.country}: ${t.recipient} [${t.safeguard}]`).join('; '),
      d.retentionPeriod,
      d.securityMeasures.join('; '),
      String(activity.evidence.events),
      String(activity.evidence.distinctSubjects),
      activity.evidence.lastProcessedAt ?? '',
      activity.flags.join('; '),
    ];
  });
  for (const purpose of report.purposes.filter((standing) => standing.flags.length > 0)) {
    rows.push([
      purpose.status === 'undeclared' ? 'undeclared-purpose' : 'unapproved-purpose',
      purpose.activityIds.join('; '),
      '',
      purpose.status,
      '',
      purpose.purpose,
      purpose.legalBases.map((b) => b.legalBasis).join('; '),
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      String(purpose.events),
      String(purpose.distinctSubjects),
      purpose.lastProcessedAt ?? '',
      purpose.flags.join('; '),
    ]);
  }
  return writeCsv(header, rows);
}
