// Consent's routes: the purpose catalogue, each contact's consents and objections, the privacy notices and the
// data-subject request desk.
import { z } from 'zod';
import type { BodyContract } from './openapi.js';

// The vocabularies the service decides with, stated here once: its decider and streams import them from this module.

/** How a consent, a withdrawal, an objection or a data-subject request reached the controller. */
export const CONSENT_CHANNELS = ['web-form', 'email', 'phone', 'sms', 'in-person', 'paper'] as const;
/** What kind of proof a consent's evidence is. */
export const EVIDENCE_KINDS = ['form', 'double-opt-in', 'recording', 'document', 'other'] as const;
/** The lawful bases of GDPR Art. 6(1), as the purpose catalogue names them. */
export const LAWFUL_BASES = ['consent', 'contract', 'legal-obligation', 'vital-interests', 'public-task', 'legitimate-interests'] as const;
/** The languages a privacy notice is published in (Art. 12(1): in a language the person understands). */
export const NOTICE_LANGUAGES = ['pl', 'en'] as const;
/** The rights a data subject may exercise through the request desk (GDPR Art. 15–18, 20, 21). */
export const REQUEST_TYPES = ['access', 'portability', 'rectification', 'erasure', 'restriction', 'objection'] as const;
/** How the requester's identity was verified (Art. 12(2), (6)). */
export const VERIFICATION_METHODS = ['id-document', 'signed-in-account', 'email-confirmation', 'phone-callback', 'in-person', 'other'] as const;
/** A data-subject request's lifecycle: received → verified → in progress → completed | refused. */
export const REQUEST_STATUSES = ['received', 'verified', 'in-progress', 'completed', 'refused'] as const;

// The request bodies' building blocks. Purposes are plain strings here, checked against the catalogue by the
// decisions (so an unknown one gets its own code, CONSENT_PURPOSE_UNKNOWN, not the generic REQUEST_INVALID).

export const purposeCode = z.string().min(1).max(64).meta({ description: 'A purpose code of the catalogue (`GET /v1/purposes`)' });
export const channel = z.enum(CONSENT_CHANNELS);
/** A privacy-notice version's shape (`pl-3`); whether it names a published version is the decision's to say. */
export const noticeVersion = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/)
  .meta({ description: 'A published privacy-notice version (`pl-3`): the text the person was shown' });
export const evidence = z
  .object({ kind: z.enum(EVIDENCE_KINDS), reference: z.string().min(1).max(500).meta({ description: 'A form submission id, a recording reference …' }) })
  .strict();
/** A free text about the person (evidence, reasons, references): trimmed, never empty, bounded; sealed when stored. */
export const personalText = (max: number) => z.string().trim().min(1).max(max);

// The answers' building blocks: what the service's state rows and views hold. Times are ISO 8601 in UTC (`…Z`).

const at = z.iso.datetime();
const actor = z.string().meta({ description: 'Who recorded it: a staff user id, the contact itself (a double opt-in), or a service' });
const sha256 = z.string().meta({ description: 'A SHA-256 hash, hex' });

/** The current consent for one purpose (the evidence stays in the history). */
const purposeConsent = z.object({
  status: z.enum(['given', 'withdrawn']),
  catalogueVersion: z.number().int().meta({ description: 'The purpose catalogue version the consent was decided against' }),
  noticeVersion: z.string().meta({ description: 'The privacy-notice version the consent was given against' }),
  noticeContentSha256: sha256.optional().meta({ description: "The notice version's content hash; absent on consents recorded before notices were checked" }),
  channel,
  givenAt: at,
  givenBy: actor.optional().meta({ description: 'Who recorded the consent (absent once the contact is erased)' }),
  withdrawnAt: at.optional(),
  withdrawnBy: actor.optional().meta({ description: 'Who recorded the withdrawal (absent once the contact is erased)' }),
  withdrawalChannel: channel.optional(),
});

const objection = z.object({
  catalogueVersion: z.number().int(),
  channel: channel.optional(),
  recordedAt: at,
  recordedBy: actor.optional().meta({ description: 'Who recorded the objection (absent once the contact is erased)' }),
});

const sealedEvidence = evidence.nullable().meta({ description: 'The proof, opened for the DPO; null once the contact is erased (its key destroyed)' });

/** One entry of a contact's consent history: an event of its stream, with its version and the actor who recorded it. */
const consentHistoryEntry = z.discriminatedUnion('type', [
  z.object({
    version: z.number().int(),
    type: z.literal('ConsentGiven'),
    purpose: z.string(),
    catalogueVersion: z.number().int(),
    noticeVersion: z.string(),
    noticeContentSha256: z.string().meta({ description: "The notice version's content hash (empty on consents recorded before notices were checked)" }),
    channel,
    evidence: sealedEvidence,
    confirmationTokenSha256: sha256.optional().meta({ description: 'Set when this consent confirms a double opt-in: the hash of the token it used' }),
    actorId: actor,
    at,
  }),
  z.object({
    version: z.number().int(),
    type: z.literal('ConsentConfirmationRequested'),
    purpose: z.string(),
    catalogueVersion: z.number().int(),
    noticeVersion: z.string(),
    noticeContentSha256: z.string(),
    channel,
    evidence: sealedEvidence,
    tokenSha256: sha256.meta({ description: "The confirmation token's hash (the token itself is never stored)" }),
    expiresAt: at,
    actorId: actor,
    at,
  }),
  z.object({ version: z.number().int(), type: z.literal('ConsentWithdrawn'), purpose: z.string(), channel: channel.optional(), actorId: actor, at }),
  z.object({
    version: z.number().int(),
    type: z.literal('ObjectionRecorded'),
    purpose: z.string(),
    catalogueVersion: z.number().int(),
    channel: channel.optional(),
    actorId: actor,
    at,
  }),
]);

/** What a recorded consent or withdrawal answers: the consent now in force for the purpose. */
const consentAnswer = z.object({
  contactId: z.string(),
  version: z.number().int().meta({ description: "The contact's consent stream version after the change" }),
  purpose: z.string(),
  consent: purposeConsent,
});

/** `GET /v1/purposes`: no body; the purpose catalogue and its version. */
export const listPurposes = {
  response: z.object({
    version: z.number().int().meta({ description: 'The purpose catalogue version; every consent and objection records the one it was decided against' }),
    purposes: z.array(
      z.object({
        code: z.string(),
        owner: z
          .enum(['business', 'platform'])
          .meta({ description: "Whose purpose: the business's processing of its customers, or the platform's own duties" }),
        lawfulBasis: z.enum(LAWFUL_BASES).meta({ description: 'The basis processing for this purpose rests on by default' }),
        lawfulBases: z.array(z.enum(LAWFUL_BASES)).meta({ description: 'Every basis processing for this purpose may rest on (the default first)' }),
        objection: z.enum(['absolute', 'balancing', 'none']).meta({
          description:
            'What Art. 21 allows: `absolute` ends direct marketing, `balancing` stops processing unless compelling grounds are shown, `none` allows no objection',
        }),
        description: z.string(),
      }),
    ),
  }),
} satisfies BodyContract;

/** `GET /v1/contacts/:id/consents`: no body; the contact's consents and objections per purpose, and their history. */
export const viewConsents = {
  response: z.object({
    contactId: z.string(),
    version: z.number().int().meta({ description: "The contact's consent stream version (0: nothing recorded)" }),
    consents: z.record(z.string(), purposeConsent).meta({ description: 'The current consent per purpose code (given or withdrawn)' }),
    objections: z.record(z.string(), objection).meta({ description: 'The objections per purpose code' }),
    history: z.array(consentHistoryEntry).meta({ description: 'Every consent, withdrawal and objection, oldest first, with its evidence' }),
  }),
} satisfies BodyContract;

/**
 * `POST /v1/contacts/:id/consents`: the consent given; answers the consent in force (201), or, for marketing by
 * e-mail (double opt-in), the confirmation token to mail to the person (202).
 */
export const giveConsent = {
  request: z.object({ purpose: purposeCode, noticeVersion, channel, evidence }).strict(),
  response: z.union([
    consentAnswer,
    z.object({
      contactId: z.string(),
      version: z.number().int(),
      purpose: z.string(),
      status: z.literal('confirmation-requested'),
      confirmation: z.object({
        token: z.string().meta({ description: 'The single-use confirmation token, shown this once: a bearer secret to mail to the person' }),
        expiresAt: at,
        confirmPath: z.string().meta({ description: 'Where the person confirms: `/v1/consent-confirmations/{token}`' }),
      }),
    }),
  ]),
} satisfies BodyContract;

/** `POST /v1/consent-confirmations/:token`: no body; the purpose confirmed and when, nothing that identifies the person. */
export const confirmConsent = {
  response: z.object({ purpose: z.string(), status: z.literal('given'), givenAt: at }),
} satisfies BodyContract;

/** `POST /v1/contacts/:id/consents/:purpose/withdrawal`: an optional body; the consent, now withdrawn. */
export const withdrawConsent = {
  request: z.object({ channel: channel.optional() }).strict(),
  response: consentAnswer,
} satisfies BodyContract;

/** `POST /v1/contacts/:id/objections`: the objection recorded. */
export const recordObjection = {
  request: z.object({ purpose: purposeCode, channel: channel.optional() }).strict(),
  response: z.object({ contactId: z.string(), version: z.number().int(), purpose: z.string(), objection }),
} satisfies BodyContract;

// Privacy notices.

const noticeText = (max: number) => z.string().trim().min(1).max(max);
/** Retention, recipients and processors come from the register per purpose; the DPO may add a text to each. */
const noticeAddition = (max: number) => z.string().trim().max(max).default('');

/** Everything a notice version says: what its content hash covers. */
const noticeContent = {
  version: z.string().meta({ description: "The version's name, `<lang>-<number>` (`pl-3`)" }),
  lang: z.enum(NOTICE_LANGUAGES),
  catalogueVersion: z.number().int(),
  purposes: z.array(z.object({ code: z.string(), lawfulBases: z.array(z.string()), objection: z.string(), description: z.string() })).meta({
    description: 'The purposes and their bases, copied from the catalogue when the version was drafted',
  }),
  register: z
    .object({
      purposes: z.array(
        z.object({
          code: z.string(),
          declared: z.boolean().meta({ description: 'False when no approved activity of the register declares the purpose' }),
          retention: z.array(z.object({ period: z.string().meta({ description: 'An ISO 8601 duration or `until-withdrawal`' }), note: z.string().optional() })),
          recipients: z.array(z.string()),
          processors: z.array(z.string()).meta({ description: 'Names of the active processors (and sub-processors) the activities rely on' }),
          transfers: z.array(z.object({ country: z.string(), recipient: z.string(), safeguard: z.string() })),
        }),
      ),
      processors: z.array(z.object({ name: z.string(), country: z.string(), services: z.string().optional() })),
    })
    .optional()
    .meta({ description: "What the Art. 30 register's approved activities said when the version was drafted; absent on versions drafted before" }),
  controller: z.string(),
  dpoContact: z.string(),
  retention: z.string(),
  recipients: z.string(),
  processors: z.string(),
  rights: z.string(),
};

/** A version as the DPO's routes answer it, with who drafted and published it. */
const noticeVersionView = z.object({
  ...noticeContent,
  number: z.number().int(),
  status: z.enum(['draft', 'published']),
  draftedAt: at,
  draftedBy: actor,
  publishedAt: at.nullable(),
  publishedBy: actor.nullable(),
  contentSha256: sha256.nullable().meta({ description: 'The content hash recorded at publication (null while a draft)' }),
});

/** `POST /v1/privacy-notices`: the DPO's texts; the drafted version. */
export const draftNotice = {
  // `lang` is checked apart, so an unsupported language has its own code (NOTICE_LANGUAGE_UNSUPPORTED), not REQUEST_INVALID.
  request: z
    .object({
      lang: z.string().meta({ description: 'The language: `pl` or `en`' }),
      controller: noticeText(2000).meta({ description: 'The controller: name, address, contact' }),
      dpoContact: noticeText(1000).meta({ description: 'How to reach the data protection officer' }),
      retention: noticeAddition(8000).meta({ description: 'How long data is kept, beside what the register says per purpose' }),
      recipients: noticeAddition(8000).meta({ description: "The recipients or categories of recipients, beside the register's" }),
      processors: noticeAddition(8000).meta({ description: "The processors acting for the controller, beside the register's" }),
      rights: noticeText(16000).meta({ description: "The person's rights and how to use them" }),
    })
    .strict(),
  response: noticeVersionView,
} satisfies BodyContract;

/** `GET /v1/privacy-notices/current` and `GET /v1/privacy-notices/:version`: no body; JSON or HTML (`produces`). */
export const readNotice = {} satisfies BodyContract;

/** A published version as anyone may read it (the JSON of `readNotice`): the notice, its hash and date, no staff ids. */
export const publishedNotice = z.object({ ...noticeContent, number: z.number().int(), publishedAt: at, contentSha256: sha256 });

/** `POST /v1/privacy-notices/:version/publication`: no body; the version, now published. */
export const publishNotice = { response: noticeVersionView } satisfies BodyContract;

// The data-subject request desk.

/** A request as the desk answers it: its state, and whether it is overdue or due soon by the service's clock now. */
const requestView = z.object({
  status: z.enum(REQUEST_STATUSES),
  requestId: z.uuid(),
  contactId: z.string(),
  requestType: z.enum(REQUEST_TYPES),
  channel,
  receivedAt: at,
  dueAt: at.meta({ description: 'The end of the period, extensions included' }),
  extensionMonths: z.number().int().min(0).max(2).meta({ description: 'Months added by extensions so far' }),
  filedAt: at,
  filedBy: actor,
  verifiedAt: at.optional(),
  verifiedBy: actor.optional(),
  verificationMethod: z.enum(VERIFICATION_METHODS).optional(),
  extendedAt: at.optional(),
  startedAt: at.optional(),
  startedBy: actor.optional(),
  completedAt: at.optional(),
  completedBy: actor.optional(),
  refusedAt: at.optional(),
  refusedBy: actor.optional(),
  overdueMarkedAt: at.optional().meta({ description: 'When the deadline job marked it overdue' }),
  dueSoonRemindedFor: at.optional().meta({ description: 'The due date the deadline job last reminded of' }),
  version: z.number().int().meta({ description: "The request stream's version" }),
  overdue: z.boolean(),
  dueSoon: z.boolean(),
});

const sealedText = z.string().nullable().meta({ description: 'A sealed text, opened for the DPO; null once the contact is erased' });

/** One entry of a request's history: an event of its stream with its version. */
const requestHistoryEntry = z.discriminatedUnion('type', [
  z.object({
    version: z.number().int(),
    type: z.literal('RequestFiled'),
    requestType: z.enum(REQUEST_TYPES),
    channel,
    channelReference: sealedText.optional(),
    receivedAt: at,
    dueAt: at,
    actorId: actor,
    at,
  }),
  z.object({ version: z.number().int(), type: z.literal('IdentityVerified'), method: z.enum(VERIFICATION_METHODS), evidence: sealedText, actorId: actor, at }),
  z.object({
    version: z.number().int(),
    type: z.literal('RequestExtended'),
    months: z.number().int(),
    totalMonths: z.number().int(),
    reason: sealedText,
    dueAt: at,
    actorId: actor,
    at,
  }),
  z.object({ version: z.number().int(), type: z.literal('RequestStarted'), actorId: actor, at }),
  z.object({ version: z.number().int(), type: z.literal('RequestCompleted'), reference: sealedText.optional(), actorId: actor, at }),
  z.object({ version: z.number().int(), type: z.literal('RequestRefused'), reason: sealedText, actorId: actor, at }),
  z.object({ version: z.number().int(), type: z.literal('RequestDueSoon'), dueAt: at, actorId: actor, at }),
  z.object({ version: z.number().int(), type: z.literal('RequestOverdue'), dueAt: at, actorId: actor, at }),
]);

/** An erasure request's receipt: what was destroyed, the ledger entry, the events, and the consent proof kept. */
const erasureReceipt = {
  format: z.literal('crm.erasure-receipt.v1'),
  requestId: z.string(),
  contactId: z.string(),
  erasedAt: at,
  completedAt: at,
  alreadyErased: z.boolean().meta({ description: 'Whether the contact had been erased before the desk asked (the receipt then records that)' }),
  destroyed: z.object({
    dataKeyVersions: z.array(z.number().int()).meta({ description: "The contact's data keys destroyed: every copy sealed under them is unreadable" }),
    readModels: z.array(z.string()),
    requestPackagesDeleted: z.number().int(),
  }),
  ledger: z.object({ subjectId: z.string(), erasedAt: at, reason: z.string(), keyVersions: z.array(z.number().int()) }),
  events: z.array(z.object({ eventId: z.string(), type: z.string(), service: z.string() })),
  consentRecords: z.object({
    consents: z.array(
      z.object({
        purpose: z.string(),
        status: z.string(),
        givenAt: z.string().optional(),
        withdrawnAt: z.string().optional(),
        noticeVersion: z.string().optional(),
        noticeContentSha256: z.string().optional(),
      }),
    ),
    objections: z.array(z.object({ purpose: z.string(), recordedAt: z.string().optional() })),
    evidence: z.literal('destroyed with the key'),
  }),
};

/** `POST /v1/requests`: the request as received; the request filed, due one calendar month after receipt. */
export const fileRequest = {
  // The contact id is checked apart, so a malformed one has its own code (REQUEST_CONTACT_ID_INVALID), not REQUEST_INVALID.
  request: z
    .object({
      type: z.enum(REQUEST_TYPES),
      contactId: z.string().meta({ description: 'The contact the request is about (a UUID)' }),
      channel,
      channelReference: personalText(1000).optional().meta({ description: 'Where the request came in (a letter reference, a ticket), sealed' }),
      receivedAt: z.iso.datetime({ offset: true }).meta({ description: 'When the controller received the request: the period runs from here' }),
    })
    .strict(),
  response: requestView,
} satisfies BodyContract;

/** `GET /v1/requests`: no body; the requests of `?status`, soonest due first. */
export const listRequests = {
  response: z.object({
    status: z.enum(['open', 'due-soon', 'overdue']),
    asOf: at.meta({ description: "The service's clock the filter was applied at" }),
    requests: z.array(requestView),
  }),
} satisfies BodyContract;

/** `GET /v1/requests/:id`: no body; the request with its history, the sealed texts opened. */
export const viewRequest = {
  response: requestView.extend({ history: z.array(requestHistoryEntry).meta({ description: "Every change, oldest first (the DPO's working file)" }) }),
} satisfies BodyContract;

/** `POST /v1/requests/:id/verification`: how the requester's identity was verified; the request, now verified. */
export const verifyIdentity = {
  request: z
    .object({ method: z.enum(VERIFICATION_METHODS), evidence: personalText(2000).meta({ description: 'What the identity was verified with, sealed' }) })
    .strict(),
  response: requestView,
} satisfies BodyContract;

/** `POST /v1/requests/:id/extension`: the months added and why; the request with its new due date. */
export const extendRequest = {
  // Any whole number of months is accepted here: beyond the limit is the decision's REQUEST_EXTENSION_LIMIT.
  request: z
    .object({
      months: z.number().int().min(1).max(12).meta({ description: 'Months to add: two further months at most in total' }),
      reason: personalText(2000).meta({ description: 'Why, as the person is told (sealed)' }),
    })
    .strict(),
  response: requestView,
} satisfies BodyContract;

/** `POST /v1/requests/:id/start`: no body; the request, now in progress. */
export const startRequest = { response: requestView } satisfies BodyContract;

/** `POST /v1/requests/:id/completion`: what the work needs by request type; the request completed, with its outputs. */
export const completeRequest = {
  request: z
    .object({
      reference: personalText(1000).optional().meta({ description: 'A reference to the answer sent to the person, sealed (not for an erasure)' }),
      purpose: purposeCode.optional().meta({ description: 'An objection request: the purpose objected to' }),
      // Passed on to contacts, which validates them as a PATCH's changes; never stored or logged here.
      changes: z
        .record(z.string(), z.unknown())
        .optional()
        .meta({ description: 'A rectification request: the changes, as `PATCH /v1/contacts/{id}` takes them' }),
      expectedVersion: z
        .number()
        .int()
        .positive()
        .optional()
        .meta({ description: "A rectification request: the contact's version the changes were decided against" }),
      restrictionReason: z
        .string()
        .min(1)
        .max(64)
        .optional()
        .meta({ description: "A restriction request: the ground (Art. 18(1)), one of contacts' restriction reasons" }),
    })
    .strict(),
  response: requestView.extend({
    package: z
      .object({ formats: z.array(z.string()), expiresAt: at })
      .optional()
      .meta({ description: 'Access and portability: the files built (`GET /v1/requests/{id}/package`), and until when they can be downloaded' }),
    receipt: z
      .object(erasureReceipt)
      .optional()
      .meta({ description: 'Erasure: the receipt (its audit inclusion proof is added by `GET /v1/requests/{id}/receipt`)' }),
  }),
} satisfies BodyContract;

/** `GET /v1/requests/:id/package`: no body; the file, JSON, HTML or CSV (`produces`). */
export const downloadPackage = {} satisfies BodyContract;

/** `GET /v1/requests/:id/receipt`: no body; the erasure receipt with the audit trail's inclusion proof of the erasure. */
export const viewReceipt = {
  response: z.object({
    ...erasureReceipt,
    inclusionProof: z
      .discriminatedUnion('status', [
        z.object({
          status: z.literal('included'),
          eventId: z.string(),
          proof: z
            .looseObject({ leafIndex: z.number().int(), treeSize: z.number().int(), proof: z.array(z.string()) })
            .meta({ description: "The audit trail's inclusion proof (RFC 6962), as `GET /v1/audit/entries/{id}/proof` answers it" }),
        }),
        z.object({ status: z.literal('pending'), eventId: z.string() }),
        z.object({ status: z.literal('none') }),
      ])
      .meta({ description: "The audit trail's proof of the contacts' `ContactErased` entry; `pending` until the trail has ingested it (seconds)" }),
  }),
} satisfies BodyContract;

/** `POST /v1/requests/:id/refusal`: the reason told to the person; the request, now refused. */
export const refuseRequest = {
  request: z.object({ reason: personalText(2000).meta({ description: 'The reason told to the person (sealed)' }) }).strict(),
  response: requestView,
} satisfies BodyContract;
