// Contacts' routes: the contact as a resource (create, search, view, rectify, purchases, restriction, erasure), bulk
// import and export, legal holds and retention policies.
import { z } from 'zod';
import { CONTACT_FIELDS, DATA_CATEGORIES, LIST_LIMITS, PURPOSES, TRANSACTION_PREFIX, type FieldFormat, type FieldSpec } from './contact-fields.js';
import { openApiSchema, type BodyContract } from './openapi.js';

export { CONTACT_FIELDS, DATA_CATEGORIES, PURPOSES, CHANNELS, LIST_LIMITS, TRANSACTION_PREFIX } from './contact-fields.js';
export type { DataCategory, Purpose, Channel, FieldFormat, FieldSpec, FieldPath } from './contact-fields.js';

/** GDPR Art. 6(1)(a)–(f) as the API spells them. */
export const LEGAL_BASIS_CODES = ['consent', 'contract', 'legal-obligation', 'vital-interests', 'public-task', 'legitimate-interests'] as const;

/** Why processing is restricted (Art. 18(1)(a)–(d)). */
export const RESTRICTION_REASONS = ['accuracy-contested', 'unlawful-processing', 'legal-claims', 'objection-pending'] as const;

export const RETENTION_KINDS = ['inactivity', 'consent-withdrawn', 'accounting-period'] as const;
export const RETENTION_ACTIONS = ['crypto-shred', 'anonymise'] as const;

const purpose = z.enum(PURPOSES).meta({ description: 'The purpose of the processing (what a contact shown is minimised to)' });
const legalBasis = z
  .enum(LEGAL_BASIS_CODES)
  .meta({ description: "The legal basis the processing rests on: one of the purpose's bases (absent: the purpose's default)" });
/** The body fields of every contact write: the purpose of the processing and, optionally, its legal basis. */
const processingFields = { purpose, legalBasis: legalBasis.optional() };

const instant = z.iso.datetime().meta({ description: 'ISO 8601 UTC instant' });
const id = z.uuid();
const count = z.number().int().min(0);
const version = z.number().int().min(1);

// ── a contact's data, derived from the field catalogue ──────────────────────────────────────────────────────────────
//
// The catalogue (contact-fields.ts), not zod, validates a contact's data: its walker reports every field by path and
// rule under stable codes (CONTACT_FIELD_UNKNOWN, CONTACT_FIELD_INVALID, CONTACT_SPECIAL_CATEGORY_REFUSED), which a
// bulk import reports per row. So a request's data is `unknown` to zod and documented by a schema built from the same
// table; an answer's data is that schema itself (every member optional: minimised to the purpose).

/** How a value is documented: as a client may send it (`input`, `patch`) or as the service answers it (`view`). */
type Mode = 'input' | 'patch' | 'view';

function leaf(format: FieldFormat, mode: Mode): z.ZodType {
  switch (format.kind) {
    case 'text':
      return z.string().min(1).max(format.maxLength).meta({ description: 'Trimmed and NFC-normalised; the limit counts code points' });
    case 'email':
      return z.string().min(3).max(254).meta({ format: 'email', description: 'RFC 5322 dot-atom address; its domain is lower-cased' });
    case 'phone':
      return mode === 'view'
        ? z
            .string()
            .regex(/^\+[1-9][0-9]{6,14}$/)
            .meta({ description: 'E.164' })
        : z.string().min(1).max(40).meta({ description: 'E.164 (`+`, country code, at most 15 digits); spaces, dots, dashes and parentheses are dropped' });
    case 'date':
      return z.iso.date().meta({ description: 'ISO 8601 calendar date, a real day' });
    case 'instant':
      return mode === 'view' ? instant : z.iso.datetime({ precision: -1 }).meta({ description: 'ISO 8601 UTC instant, at most millisecond precision' });
    case 'country':
      return z
        .string()
        .regex(mode === 'view' ? /^[A-Z]{2}$/ : /^[A-Za-z]{2}$/)
        .meta({ description: 'ISO 3166-1 alpha-2 (stored upper case)' });
    case 'currency':
      return z
        .string()
        .regex(mode === 'view' ? /^[A-Z]{3}$/ : /^[A-Za-z]{3}$/)
        .meta({ description: 'ISO 4217 alpha-3 (stored upper case)' });
    case 'cents':
      return z.number().int().min(-10_000_000_000_000).max(10_000_000_000_000).meta({ description: 'Integer minor units; negative for a refund' });
    case 'enum':
      return z.enum(format.values as [string, ...string[]]);
  }
}

interface Branch {
  readonly children: Map<string, Branch | FieldSpec>;
}

/** The catalogue's paths as a tree (`addresses[].city` → addresses: list of { city }), lists marked by their path. */
function catalogueTree(specs: readonly FieldSpec[], strip: string): Branch {
  const root: Branch = { children: new Map() };
  for (const spec of specs) {
    const segments = spec.path.slice(strip.length).split('.');
    let node = root;
    segments.forEach((segment, index) => {
      if (index === segments.length - 1) {
        node.children.set(segment, spec);
        return;
      }
      let child = node.children.get(segment);
      if (child === undefined || 'path' in child) {
        child = { children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    });
  }
  return root;
}

/**
 * The zod schema of a catalogue (sub-)tree: every member optional. In a patch every rectifiable unit — a leaf or a
 * list not inside a list — may be `null` (removed).
 */
function treeSchema(branch: Branch, mode: Mode, prefix = '', inList = false): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const [segment, child] of branch.children) {
    const isList = segment.endsWith('[]');
    const name = isList ? segment.slice(0, -2) : segment;
    const path = `${prefix}${name}`;
    const item = 'path' in child ? leaf(child.format, mode) : treeSchema(child, mode, `${path}.`, inList || isList);
    let member: z.ZodType = isList ? z.array(item).max(LIST_LIMITS[path] ?? 0) : item;
    if (mode === 'patch' && !inList && (isList || 'path' in child)) member = member.nullable();
    if ('path' in child && child.category === 'special')
      member = member.meta({ description: 'Special category (GDPR Art. 9): only where the deployment enables it' });
    shape[name] = member.optional();
  }
  const object = z.object(shape);
  return mode === 'view' ? object : object.strict();
}

const contactFields = CONTACT_FIELDS.filter((spec) => !spec.path.startsWith(TRANSACTION_PREFIX));
const contactTree = catalogueTree(contactFields, '');
const transactionTree = catalogueTree(
  CONTACT_FIELDS.filter((spec) => spec.path.startsWith(TRANSACTION_PREFIX)),
  TRANSACTION_PREFIX,
);

/** Documents a value the catalogue validates (zod lets it through as is): the schema a client should follow. */
const validatedByCatalogue = (schema: z.ZodType, description: string): z.ZodType<unknown> =>
  z.unknown().meta({ ...openApiSchema(schema, 'input'), description });

const contactDataInput = validatedByCatalogue(
  treeSchema(contactTree, 'input'),
  "The contact's data: only the field catalogue's fields; unknown ones are 400 CONTACT_FIELD_UNKNOWN, invalid values 400 CONTACT_FIELD_INVALID (every violation by path and rule)",
);
const contactPatch = validatedByCatalogue(
  treeSchema(contactTree, 'patch'),
  'The units to replace (a leaf, or a whole list); `null` removes one; absent ones are kept',
);
const transactionInput = validatedByCatalogue(
  (() => {
    // A transaction's fields are all required.
    const shape: Record<string, z.ZodType> = {};
    for (const [name, spec] of transactionTree.children) if ('path' in spec) shape[name] = leaf(spec.format, 'input');
    return z.object(shape).strict();
  })(),
  'The purchase (a negative amount: a refund); every field is required',
);

/** A contact's data as answered: minimised to the purpose stated, so every member may be absent. */
export const contactData = treeSchema(contactTree, 'view');

const transactionView = z.object({
  id,
  amountCents: leaf({ kind: 'cents' }, 'view').optional(),
  currency: leaf({ kind: 'currency' }, 'view').optional(),
  description: leaf({ kind: 'text', maxLength: 500 }, 'view').optional(),
  occurredAt: instant.optional(),
  recordedAt: instant.meta({ description: 'When the platform recorded it' }),
});

const contactView = z.object({
  id,
  version: version.meta({ description: "The contact's version, also its ETag (send it back as If-Match)" }),
  restricted: z.boolean().meta({ description: 'Processing is restricted (Art. 18): read-only, left out of exports' }),
  restrictionReason: z
    .string()
    .optional()
    .meta({ description: `Why, while restricted: ${RESTRICTION_REASONS.join(', ')}` }),
  createdAt: instant,
  updatedAt: instant,
  purpose: z.enum(PURPOSES).meta({ description: 'What the data was minimised to: the purpose stated' }),
  data: contactData,
  transactionCount: count,
  transactions: z.array(transactionView).optional().meta({ description: 'The most recent purchases, newest first (one contact read only, when it has any)' }),
});

const importReport = z.object({
  importId: id,
  status: z.enum(['queued', 'running', 'completed', 'failed']),
  totalRows: count,
  processedRows: count,
  importedRows: count,
  rejectedRows: count,
  rejected: z.array(
    z.object({
      row: z.number().int().min(1),
      code: z.string().meta({ description: 'The stable code the row was refused under (CONTACT_FIELD_INVALID, …)' }),
      fields: z.unknown().optional().meta({ description: 'The offending field paths and rules (never the values)' }),
      unknownFields: count.optional(),
    }),
  ),
  errorCode: z.string().optional().meta({ description: 'Why the import stopped early, when it did' }),
});

const restrictionStatus = z.object({ restricted: z.boolean(), version });

const legalHold = z.object({ contactId: id, reference: z.string(), setAt: instant });

/** A retention policy as a DPO declares it (validated by retention's own rules, which report RETENTION_* codes). */
export const POLICY_NAME_MAX = 200;
const policyFields = {
  name: z.string().min(1).max(POLICY_NAME_MAX),
  purpose: z.enum(PURPOSES),
  category: z.enum(DATA_CATEGORIES),
  kind: z.enum(RETENTION_KINDS).meta({ description: "What starts the policy's clock for a contact" }),
  period: z
    .string()
    .regex(/^P(?:\d{1,3}Y)?(?:\d{1,4}M)?(?:\d{1,5}D)?$/)
    .meta({ description: "ISO 8601 duration in years, months and days, longer than zero (P6Y, P24M, P30D); optional with activityId: the activity's" }),
  action: z.enum(RETENTION_ACTIONS),
  activityId: id.optional().meta({ description: 'The approved register activity the policy implements (it must declare the purpose)' }),
};
/** A whole retention policy document (period included), as retention's decision validates it after the register filled the period in. */
export const retentionPolicyDocument = z.object(policyFields).strict();
const policyView = z.object({
  policyId: id,
  version,
  recordedAt: instant,
  name: z.string(),
  purpose: z.string(),
  category: z.string(),
  kind: z.string(),
  period: z.string(),
  action: z.string(),
  activityId: id.optional(),
});

// ── the routes ──────────────────────────────────────────────────────────────────────────────────────────────────────

/** `POST /v1/contacts/export`: the file (JSON or CSV) is the answer. */
export const exportContacts = {
  request: z
    .object({
      ...processingFields,
      format: z.enum(['json', 'csv']).default('json'),
      contactIds: z.array(id).min(1).max(100_000).optional().meta({ description: 'Only these contacts (default: every one the purpose may see)' }),
    })
    .strict(),
} satisfies BodyContract;

/** `POST /v1/contacts/import` (202): the report to poll. */
export const importContacts = {
  request: z
    .object({
      ...processingFields,
      format: z.enum(['csv', 'jsonl']),
      content: z.string().min(1).meta({ description: "The file: CSV with a header of catalogue paths, or one contact's data per line" }),
    })
    .strict(),
  response: importReport,
} satisfies BodyContract;

/** `GET /v1/contacts/imports/:id`. */
export const importReportOf = { response: importReport } satisfies BodyContract;

/** `POST /v1/contacts`: the contact created, minimised to the purpose. */
export const createContact = {
  request: z.object({ ...processingFields, data: contactDataInput }).strict(),
  response: contactView,
} satisfies BodyContract;

/** `GET /v1/contacts`: a page of contacts. */
export const searchContacts = {
  response: z.object({
    items: z.array(contactView),
    next: id.optional().meta({ description: 'Pass as `after` for the next page; absent on the last one' }),
  }),
} satisfies BodyContract;

/** `GET /v1/contacts/:id`. */
export const viewContact = { response: contactView } satisfies BodyContract;

/** `PATCH /v1/contacts/:id`: rectification (Art. 16). */
export const rectifyContact = {
  request: z.object({ ...processingFields, changes: contactPatch }).strict(),
  response: contactView,
} satisfies BodyContract;

/** `GET /v1/contacts/:id/transactions`: a page of purchases, newest first. */
export const listPurchases = {
  response: z.object({
    items: z.array(transactionView),
    next: z.string().optional().meta({ description: 'Pass as `before` for the next (older) page; absent on the last one' }),
  }),
} satisfies BodyContract;

/** `POST /v1/contacts/:id/transactions`. */
export const addPurchase = {
  request: z
    .object({
      ...processingFields,
      transactionId: id.optional().meta({ description: "The client's id for the purchase: a retry with the same id is refused as a duplicate" }),
      transaction: transactionInput,
    })
    .strict(),
  response: z.object({ id: id.meta({ description: "The purchase's id" }), version: version.meta({ description: "The contact's new version" }) }),
} satisfies BodyContract;

/** `POST /v1/contacts/:id/restriction` (Art. 18). */
export const restrictProcessing = {
  request: z.object({ reason: z.enum(RESTRICTION_REASONS) }).strict(),
  response: restrictionStatus,
} satisfies BodyContract;

/** `DELETE /v1/contacts/:id/restriction`. */
export const liftRestriction = { response: restrictionStatus } satisfies BodyContract;

/** `POST /v1/contacts/:id/erasure` (Art. 17): the receipt. */
export const eraseContact = {
  response: z.object({
    id,
    erasedAt: instant,
    alreadyErased: z.boolean().meta({ description: 'It had been erased before (erasure is idempotent)' }),
    eventId: z.string().optional().meta({ description: 'The id of the `ContactErased` event: its audit entry, for an inclusion proof' }),
    ledger: z
      .object({ subjectId: z.string(), erasedAt: instant, reason: z.string(), keyVersions: z.array(z.number().int()) })
      .meta({ description: "The contact's entry in the key vault's erasure ledger" }),
  }),
} satisfies BodyContract;

/** `GET /v1/contacts/:id/legal-hold`. */
export const legalHoldOf = { response: legalHold } satisfies BodyContract;

/** `PUT /v1/contacts/:id/legal-hold` (the reference is checked by retention: 400 LEGAL_HOLD_INVALID). */
export const setLegalHold = {
  request: z.object({
    reference: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/)
      .meta({ description: 'A case reference, never free text' }),
  }),
  response: legalHold,
} satisfies BodyContract;

/** `DELETE /v1/contacts/:id/legal-hold`. */
export const liftLegalHold = { response: z.object({ contactId: id, lifted: z.literal(true) }) } satisfies BodyContract;

/** `GET /v1/retention/policy-drafts`. */
export const policyDrafts = {
  response: z.object({
    items: z.array(
      z.object({
        name: z.string(),
        purpose: z.enum(PURPOSES),
        category: z.enum(DATA_CATEGORIES),
        kind: z.enum(RETENTION_KINDS),
        period: z.string(),
        action: z.enum(RETENTION_ACTIONS),
        activityId: id,
        activityVersion: version,
      }),
    ),
  }),
} satisfies BodyContract;

/** `GET /v1/retention/policies`. */
export const listPolicies = { response: z.object({ items: z.array(policyView) }) } satisfies BodyContract;

/** `POST /v1/retention/policies` (validated by retention: 400 RETENTION_POLICY_INVALID, RETENTION_PERIOD_INVALID, …). */
export const createPolicy = {
  request: z.object({ ...policyFields, period: policyFields.period.optional() }).strict(),
  response: policyView,
} satisfies BodyContract;

/** `PUT /v1/retention/policies/:id`: the whole policy and the version revised. */
export const revisePolicy = {
  request: z.object({ ...policyFields, period: policyFields.period.optional(), expectedVersion: version }).strict(),
  response: policyView,
} satisfies BodyContract;

/** `GET /v1/retention/preview`. */
export const retentionPreview = {
  response: z.object({
    asOf: instant,
    contacts: count.meta({ description: 'Live contacts looked at' }),
    held: count.meta({ description: 'Contacts a policy is due for but on legal hold: untouched' }),
    policies: z.array(z.object({ policyId: id, version, name: z.string(), action: z.string(), count, sample: z.array(id) })),
  }),
} satisfies BodyContract;

/** `POST /v1/retention/sweeps` (202). */
export const startSweep = { response: z.object({ runId: id }) } satisfies BodyContract;

/** `GET /v1/retention/sweeps/:id`. */
export const sweepRun = {
  response: z.object({
    runId: id,
    status: z.enum(['running', 'completed']),
    startedAt: instant,
    finishedAt: instant.nullable(),
    applied: count,
    held: count,
    skipped: count,
  }),
} satisfies BodyContract;
