// Audit's routes: the tamper-evident trail (entries, inclusion and consistency proofs, signed tree heads, a data
// subject's report) and the Art. 30 register (processing activities, processors, the export).
import { z } from 'zod';
import type { BodyContract } from './openapi.js';

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
export const PROCESSOR_STATUSES = ['active', 'suspended', 'terminated'] as const;

/** Purpose codes as events carry them (`customer-service`): what evidence is matched on. */
export const purposeCode = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/);
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/**
 * Text the register stores (as jsonb): Postgres holds no NUL character, and a lone surrogate is not Unicode, so
 * both are refused as invalid rather than failing the write.
 */
const storable = (max: number, min = 0) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((value) => !value.includes('\u0000') && !LONE_SURROGATE.test(value), 'must be Unicode text without NUL characters');
const text = storable(500, 1);
const textList = (min: number) => z.array(text).min(min).max(50);
/** ISO 8601 duration (P10Y, P6M, P30D, P1Y6M); what the retention sweep would read. */
const isoDuration = z.string().regex(/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$/);
/** Kept for a period, or, for processing on consent, until the consent is withdrawn (`until-withdrawal`). */
export const UNTIL_WITHDRAWAL = 'until-withdrawal';
const retentionPeriod = z
  .union([isoDuration, z.literal(UNTIL_WITHDRAWAL)])
  .meta({ description: 'ISO 8601 duration (P10Y, P6M, P30D), or `until-withdrawal` for processing on consent' });
const expectedVersion = z.number().int().min(1).meta({ description: 'The version revised: a stale one is 409 AUDIT_REGISTER_VERSION_CONFLICT' });

/** One processing activity of the Art. 30(1) record: (a)–(g), and processors by id (Art. 30(1)(d), Art. 28). */
export const activityDocument = z
  .object({
    name: storable(200, 1),
    description: storable(2000).optional(),
    purposes: z.array(purposeCode).min(1).max(20),
    legalBasis: z.enum(LEGAL_BASES),
    legalBasisNote: storable(1000).optional().meta({ description: 'E.g. the reference of the legitimate-interests assessment' }),
    dataSubjectCategories: textList(1),
    personalDataCategories: textList(1),
    recipients: textList(0).default([]),
    processorIds: z.array(z.uuid()).max(50).default([]).meta({ description: 'Processors of the processor register (unknown: 400 AUDIT_PROCESSOR_UNKNOWN)' }),
    thirdCountryTransfers: z
      .array(
        z
          .object({
            country: z.string().regex(/^[A-Z]{2}$/),
            recipient: text,
            safeguard: z.enum(TRANSFER_SAFEGUARDS),
            note: storable(1000).optional(),
          })
          .strict(),
      )
      .max(50)
      .default([]),
    retentionPeriod,
    retentionNote: storable(1000).optional(),
    securityMeasures: textList(1),
  })
  .strict();

/**
 * A processor (Art. 28) or, with `parentProcessorId`, a sub-processor engaged by one (Art. 28(2), (4)): each with
 * the reference of its data processing agreement, where it processes, and whether it still does.
 */
export const processorDocument = z
  .object({
    name: storable(200, 1),
    dpaReference: storable(200, 1).meta({ description: 'The reference of its data processing agreement' }),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .meta({ description: 'ISO 3166-1 alpha-2 country where the processing happens' }),
    location: storable(200).optional(),
    status: z.enum(PROCESSOR_STATUSES),
    services: storable(1000).optional(),
    parentProcessorId: z.uuid().optional().meta({ description: 'The processor engaging it, for a sub-processor' }),
  })
  .strict();

// ── answers ─────────────────────────────────────────────────────────────────────────────────────────────────────────

const instant = z.iso.datetime().meta({ description: 'ISO 8601 UTC instant' });
const count = z.number().int().min(0);
const hex = z.string().regex(/^[0-9a-f]*$/);

const treeHead = z.object({
  logId: z.string(),
  treeSize: count,
  rootHash: hex.meta({ description: 'RFC 6962 Merkle tree hash, hex' }),
  timestamp: instant,
  keyId: z.string(),
  algorithm: z.literal('Ed25519'),
  signature: z.string().meta({ description: 'Ed25519 signature, base64, over the head (proto/crm/audit/v1/tree_head.proto)' }),
});

const entry = z.object({
  leafIndex: count.meta({ description: "Dense, 0-based position in the log: the entry's leaf index in the Merkle tree" }),
  eventId: z.string().meta({ description: "The source event's id" }),
  occurredAt: instant,
  recordedAt: instant,
  actorId: z.string(),
  actorType: z.string(),
  action: z.string().meta({ description: 'The event type, e.g. `crm.contacts.v1.ContactRectified`' }),
  subjectId: z.string().meta({ description: "The data subject, or '' when the event concerns none" }),
  fields: z.array(z.string()).meta({ description: 'Catalogue paths of the personal data the event touched' }),
  purpose: z.string(),
  legalBasis: z.string(),
  correlationId: z.string(),
  causationId: z.string(),
  payloadType: z.string(),
  envelopeSha256: hex,
  sourceTopic: z.string(),
  sourcePartition: z.number().int(),
  sourceOffset: z.string().meta({ description: 'Decimal: Kafka offsets are 64-bit' }),
  leafHash: hex.meta({ description: 'Recompute it from the fields, never trust it' }),
});

const hashes = z.array(hex);

const record = <D extends z.ZodType>(document: D) =>
  z.object({
    id: z.uuid(),
    version: z.number().int().min(1),
    status: z.enum(['draft', 'approved']).meta({ description: "`draft`: the platform's proposal, awaiting a DPO's review" }),
    document,
    recordedBy: z.string(),
    recordedAt: instant,
  });

const evidence = {
  events: count,
  distinctSubjects: count,
  lastProcessedAt: instant.nullable(),
  legalBases: z.array(z.object({ legalBasis: z.string(), events: count })).meta({ description: 'Legal bases the events actually stated' }),
};

const activityView = record(activityDocument).extend({
  processors: z.array(z.object({ id: z.uuid(), name: z.string(), country: z.string(), status: z.string() })),
  evidence: z.object(evidence).meta({ description: 'What the audit trail shows was done under its purposes' }),
  flags: z.array(z.string()).meta({ description: 'LEGAL_BASIS_MISMATCH, PROCESSOR_NOT_ACTIVE, NO_PROCESSING_RECORDED, ACTIVITY_NOT_APPROVED' }),
});

const processorView = record(processorDocument).extend({ subProcessorIds: z.array(z.uuid()) });

// ── the routes ──────────────────────────────────────────────────────────────────────────────────────────────────────

/** `GET /v1/audit/public-key`. */
export const publicKey = {
  response: z.object({
    logId: z.string(),
    keyId: z.string(),
    algorithm: z.literal('Ed25519'),
    publicKeyPem: z.string(),
    publicKey: hex.meta({ description: 'The raw 32-byte key, hex' }),
  }),
} satisfies BodyContract;

/** `GET /v1/audit/tree-head`. */
export const latestTreeHead = { response: treeHead } satisfies BodyContract;

/** `POST /v1/audit/tree-head`: no body; the head signed now. */
export const signTreeHead = { response: treeHead } satisfies BodyContract;

/** `GET /v1/audit/entries`. */
export const listEntries = {
  response: z.object({
    entries: z.array(entry),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last one' }),
  }),
} satisfies BodyContract;

/** `GET /v1/audit/entries/:id/proof`. */
export const inclusionProof = {
  response: z.object({
    entry,
    leafIndex: count,
    treeSize: count,
    rootHash: hex,
    proof: hashes.meta({ description: 'Sibling hashes from the leaf up (RFC 6962 §2.1.1), hex' }),
    treeHead: treeHead.nullable().meta({ description: 'The signed head of `treeSize`, when one exists: what the proof must be checked against' }),
  }),
} satisfies BodyContract;

/** `GET /v1/audit/consistency`. */
export const consistencyProof = {
  response: z.object({
    fromSize: count,
    toSize: count,
    fromRoot: hex,
    toRoot: hex,
    proof: hashes.meta({ description: 'RFC 6962 §2.1.2 nodes, hex' }),
    fromHead: treeHead.nullable(),
    toHead: treeHead.nullable(),
  }),
} satisfies BodyContract;

/** `GET /v1/audit/subjects/:id/report`: the JSON form (the HTML form is a printable page of the same). */
export const subjectReport = {
  response: z.object({
    subjectId: z.string(),
    generatedAt: instant,
    entryCount: count,
    truncated: z.boolean().meta({ description: 'More entries exist than one report holds; page the rest with `GET /v1/audit/entries?subjectId=`' }),
    firstOccurredAt: instant.nullable(),
    lastOccurredAt: instant.nullable(),
    actions: z.array(z.object({ action: z.string(), count })),
    purposes: z.array(z.object({ purpose: z.string(), legalBases: z.array(z.string()), count })),
    actors: z.array(z.object({ actorId: z.string(), actorType: z.string(), count })),
    fieldsTouched: z.array(z.string()),
    treeHead: treeHead.nullable().meta({ description: 'The head the entries can be proven against' }),
    entries: z.array(entry),
  }),
} satisfies BodyContract;

/** `GET /v1/register/activities`: current versions, with evidence. */
export const listActivities = { response: z.array(activityView) } satisfies BodyContract;

/** `POST /v1/register/activities`: version 1. */
export const declareActivity = { request: activityDocument, response: activityView } satisfies BodyContract;

/** `GET /v1/register/activities/:id`. */
export const activity = { response: activityView } satisfies BodyContract;

/** `PUT /v1/register/activities/:id`: the whole declaration and the version revised. */
export const reviseActivity = { request: activityDocument.extend({ expectedVersion }).strict(), response: activityView } satisfies BodyContract;

/** `POST /v1/register/activities/:id/approval`: a new, approved version of the platform's draft. */
export const approveActivity = {
  request: z.object({ expectedVersion }).strict(),
  response: activityView,
} satisfies BodyContract;

/** `GET /v1/register/activities/:id/versions`: oldest first. */
export const activityVersions = { response: z.array(record(activityDocument)) } satisfies BodyContract;

/** `GET /v1/register/export`: the JSON form (CSV and HTML carry the same). */
export const registerExport = {
  response: z.object({
    generatedAt: instant,
    activities: z.array(activityView),
    processors: z.array(processorView),
    purposes: z
      .array(
        z.object({
          purpose: z.string(),
          builtIn: z.boolean().meta({ description: "One of the platform's built-in purposes" }),
          status: z.enum(['approved', 'draft', 'undeclared']),
          activityIds: z.array(z.uuid()),
          flags: z.array(z.enum(['UNDECLARED_PURPOSE', 'PURPOSE_NOT_APPROVED'])),
          ...evidence,
        }),
      )
      .meta({ description: 'Every purpose the platform uses (built in first, then others seen in the trail)' }),
    undeclaredPurposes: z.array(z.object({ purpose: z.string(), ...evidence, flag: z.literal('UNDECLARED_PURPOSE') })),
  }),
} satisfies BodyContract;

/** `GET /v1/processors`. */
export const listProcessors = { response: z.array(processorView) } satisfies BodyContract;

/** `POST /v1/processors`. */
export const registerProcessor = { request: processorDocument, response: processorView } satisfies BodyContract;

/** `GET /v1/processors/:id`. */
export const processor = { response: processorView } satisfies BodyContract;

/** `PUT /v1/processors/:id`: the whole record and the version revised. */
export const reviseProcessor = { request: processorDocument.extend({ expectedVersion }).strict(), response: processorView } satisfies BodyContract;
