import { z } from 'zod';

/** The lawful bases of Art. 6(1), as the audit entries spell them (lower-case `LegalBasis` enum names). */
export const LEGAL_BASES = ['consent', 'contract', 'legal_obligation', 'vital_interests', 'public_task', 'legitimate_interests'] as const;
/** Art. 46 safeguards for transfers to third countries, plus the Art. 45 adequacy decision and Art. 49 derogations. */
export const TRANSFER_SAFEGUARDS = [
  'adequacy-decision',
  'standard-contractual-clauses',
  'binding-corporate-rules',
  'approved-code-or-certification',
  'derogation',
] as const;

/** Purpose codes as events carry them (`customer-service`): what evidence is matched on. */
export const purposeCode = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/);
const text = z.string().trim().min(1).max(500);
const textList = (min: number) => z.array(text).min(min).max(50);
/** ISO 8601 duration (P10Y, P6M, P30D, P1Y6M); what the retention sweep would read. */
const isoDuration = z.string().regex(/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$/);
/** Kept for a period, or, for processing on consent, until the consent is withdrawn (`until-withdrawal`). */
export const UNTIL_WITHDRAWAL = 'until-withdrawal';
const retentionPeriod = z.union([isoDuration, z.literal(UNTIL_WITHDRAWAL)]);

/** One processing activity of the Art. 30(1) record: (a)–(g), and processors by id (Art. 30(1)(d), Art. 28). */
export const activityDocument = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().trim().max(2000).optional(),
    purposes: z.array(purposeCode).min(1).max(20),
    legalBasis: z.enum(LEGAL_BASES),
    /** E.g. the reference of the legitimate-interests assessment. */
    legalBasisNote: z.string().trim().max(1000).optional(),
    dataSubjectCategories: textList(1),
    personalDataCategories: textList(1),
    recipients: textList(0).default([]),
    processorIds: z.array(z.uuid()).max(50).default([]),
    thirdCountryTransfers: z
      .array(
        z
          .object({
            country: z.string().regex(/^[A-Z]{2}$/),
            recipient: text,
            safeguard: z.enum(TRANSFER_SAFEGUARDS),
            note: z.string().trim().max(1000).optional(),
          })
          .strict(),
      )
      .max(50)
      .default([]),
    retentionPeriod,
    retentionNote: z.string().trim().max(1000).optional(),
    securityMeasures: textList(1),
  })
  .strict();

export type ActivityDocument = z.output<typeof activityDocument>;
export const activityUpdate = activityDocument.extend({ expectedVersion: z.number().int().min(1) }).strict();
