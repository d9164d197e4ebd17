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
