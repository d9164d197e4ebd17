import { writeCsv } from '@crm/http';
import type { RegisterReport } from './register.report.js';

/**
 * RFC 4180 CSV, one row per declared activity and one per undeclared purpose. Formulas are neutralised by
 * `writeCsv` (@crm/http): register text is typed by people, and this file is made to be opened in a spreadsheet.
 */
export function registerCsv(report: RegisterReport): string {
  const header = [
    'record',
    'activity_id',
    'version',
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
  for (const purpose of report.undeclaredPurposes) {
    rows.push([
      'undeclared-purpose',
      '',
      '',
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
      purpose.flag,
    ]);
  }
  return writeCsv(header, rows);
}
