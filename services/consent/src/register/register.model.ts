/**
 * An activity of the Art. 30 register as audit records it (`ProcessingActivityRecorded.document_json`), the fields
 * consent reads. Audit's schema is the source (services/audit/src/register/activities/activity.document.ts).
 */
export interface RegisterActivity {
  id: string;
  status: 'draft' | 'approved';
  document: {
    name: string;
    purposes: string[];
    legalBasis: string;
    recipients: string[];
    processorIds: string[];
    thirdCountryTransfers: Array<{ country: string; recipient: string; safeguard: string }>;
    /** An ISO 8601 duration (`P6Y`) or `until-withdrawal`. */
    retentionPeriod: string;
    retentionNote?: string;
  };
}

/** A processor of the register (`ProcessorRecorded.document_json`). */
export interface RegisterProcessor {
  id: string;
  document: {
    name: string;
    country: string;
    status: 'active' | 'suspended' | 'terminated';
    services?: string;
    parentProcessorId?: string;
  };
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);

/**
 * Pure: an activity as projected from audit's event, with the lists its document may lack read as empty. The
 * document is another service's JSON (a shorter one from an older audit, a test's, a hand-written one): a missing list
 * must not turn a notice draft into an internal error.
 */
export function registerActivity(row: {
  id: string;
  status: 'draft' | 'approved';
  document: Partial<Record<keyof RegisterActivity['document'], unknown>>;
}): RegisterActivity {
  const { document } = row;
  const transfers = Array.isArray(document.thirdCountryTransfers)
    ? (document.thirdCountryTransfers as RegisterActivity['document']['thirdCountryTransfers'])
    : [];
  return {
    id: row.id,
    status: row.status,
    document: {
      name: typeof document.name === 'string' ? document.name : '',
      purposes: strings(document.purposes),
      legalBasis: typeof document.legalBasis === 'string' ? document.legalBasis : '',
      recipients: strings(document.recipients),
      processorIds: strings(document.processorIds),
      thirdCountryTransfers: transfers.filter((transfer) => typeof transfer === 'object' && transfer !== null),
      retentionPeriod: typeof document.retentionPeriod === 'string' ? document.retentionPeriod : '',
      ...(typeof document.retentionNote === 'string' ? { retentionNote: document.retentionNote } : {}),
    },
  };
}
