import { contactsApi } from '@crm/api-contract';
import { defineErrors, type ErrorTable } from '@crm/errors';
import { DATA_CATEGORIES, PURPOSES, type DataCategory, type Purpose } from '../contact-schema/index.js';

/** Retention's stable codes (docs/retention.md). */
export const RETENTION_ERRORS = {
  /** The period is missing, not an ISO 8601 duration of years, months and days, negative or zero. */
  RETENTION_PERIOD_INVALID: { kind: 'invalid', retriable: false },
  /** The purpose is not one of the catalogue's. */
  RETENTION_PURPOSE_UNKNOWN: { kind: 'invalid', retriable: false },
  /** The data category is not one of the field catalogue's. */
  RETENTION_CATEGORY_UNKNOWN: { kind: 'invalid', retriable: false },
  /** The policy is otherwise malformed: an unknown kind or action, a missing name, unknown fields. */
  RETENTION_POLICY_INVALID: { kind: 'invalid', retriable: false },
  RETENTION_POLICY_NOT_FOUND: { kind: 'not_found', retriable: false },
  /** The revision was made on an older version than the current one: read it again. */
  RETENTION_POLICY_VERSION_CONFLICT: { kind: 'conflict', retriable: true },
  /** The register activity named is unknown, not approved, or does not declare the policy's purpose. */
  RETENTION_ACTIVITY_UNKNOWN: { kind: 'invalid', retriable: false },
  RETENTION_SWEEP_NOT_FOUND: { kind: 'not_found', retriable: false },
  /** A sweep is running (here or in another replica): one at a time. */
  RETENTION_SWEEP_RUNNING: { kind: 'conflict', retriable: true },
  /** The legal hold's reference is not a plain case reference. */
  LEGAL_HOLD_INVALID: { kind: 'invalid', retriable: false },
  /** Lifting a hold the contact does not have. */
  LEGAL_HOLD_NOT_FOUND: { kind: 'not_found', retriable: false },
} as const satisfies ErrorTable;

export const retentionError = defineErrors(RETENTION_ERRORS);

/**
 * What starts a policy's clock for a contact:
 * - `inactivity`: the contact's last activity (a change to its record, a purchase, a consent or objection);
 * - `consent-withdrawn`: the withdrawal of its consent to the policy's purpose (a contact that never consented, or
 *   consents now, is not matched);
 * - `accounting-period`: the end of the calendar (financial) year of its last purchase (no purchase: not matched);
 *   and no activity since that purchase.
 */
export const RETENTION_KINDS = contactsApi.RETENTION_KINDS;
export type RetentionKind = (typeof RETENTION_KINDS)[number];

/** `crypto-shred`: the subject's key is destroyed. `anonymise`: amounts, days and categories kept with no way back, then shredded. */
export const RETENTION_ACTIONS = contactsApi.RETENTION_ACTIONS;
export type RetentionActionCode = (typeof RETENTION_ACTIONS)[number];

/** An ISO 8601 duration in whole years, months and days (`P6Y`, `P24M`, `P30D`, `P1Y6M`), as the register writes them. */
export interface RetentionPeriod {
  years: number;
  months: number;
  days: number;
}

/** A policy as a DPO declares it: no personal data, ever. */
export interface RetentionPolicyDocument {
  name: string;
  purpose: Purpose;
  category: DataCategory;
  kind: RetentionKind;
  /** ISO 8601 duration, as declared (`P24M`). */
  period: string;
  action: RetentionActionCode;
  /** The register activity the policy implements, when derived from one. */
  activityId?: string;
}

export interface RetentionPolicy {
  policyId: string;
  version: number;
  document: RetentionPolicyDocument;
}

/** What the sweep knows of one contact: ids and times only, no personal data. */
export interface RetentionFacts {
  contactId: string;
  /** The last change to the record, purchase, consent or objection. */
  lastActivityAt: Date;
  /** The last purchase's recording time; undefined when none. */
  lastPurchaseAt?: Date;
  /** Per purpose, when consent was withdrawn (consent not in force after a change); absent: never given or in force. */
  consentWithdrawnAt: ReadonlyMap<string, Date>;
  legalHold: boolean;
}

export type RetentionVerdict =
  { apply: false; reason: 'legal-hold' | 'not-due' } | { apply: true; policyId: string; version: number; action: RetentionActionCode };

const DURATION = /^P(?:(\d{1,3})Y)?(?:(\d{1,4})M)?(?:(\d{1,5})D)?$/;
/** Postgres stores no NUL character and a lone surrogate is not Unicode: a name holding either could not be stored (jsonb). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const unstorable = (text: string): boolean => text.includes('\u0000') || LONE_SURROGATE.test(text);

/** Parses a positive ISO 8601 duration of years, months and days; anything else (negative, zero, weeks, time) is refused. */
export function parsePeriod(value: unknown): RetentionPeriod {
  const match = typeof value === 'string' ? DURATION.exec(value) : null;
  if (match === null || value === 'P') {
    throw retentionError('RETENTION_PERIOD_INVALID', 'period must be a positive ISO 8601 duration in years, months and days (P6Y, P24M, P30D)', {
      details: { field: 'period' },
    });
  }
  const period = { years: Number(match[1] ?? 0), months: Number(match[2] ?? 0), days: Number(match[3] ?? 0) };
  if (period.years + period.months + period.days === 0) {
    throw retentionError('RETENTION_PERIOD_INVALID', 'period must be longer than zero', { details: { field: 'period' } });
  }
  return period;
}

/** Per field of the document: the code and message its first problem is reported with (the rest: RETENTION_POLICY_INVALID). */
const FIELD_PROBLEMS: Record<string, { code: keyof typeof RETENTION_ERRORS; message: string; allowed?: readonly string[] }> = {
  name: { code: 'RETENTION_POLICY_INVALID', message: `name must be 1-${contactsApi.POLICY_NAME_MAX} characters` },
  purpose: { code: 'RETENTION_PURPOSE_UNKNOWN', message: 'purpose is not in the purpose catalogue', allowed: PURPOSES },
  category: { code: 'RETENTION_CATEGORY_UNKNOWN', message: 'category is not a data category of the field catalogue', allowed: DATA_CATEGORIES },
  kind: { code: 'RETENTION_POLICY_INVALID', message: 'kind is not a retention kind', allowed: RETENTION_KINDS },
  period: { code: 'RETENTION_PERIOD_INVALID', message: 'period must be a positive ISO 8601 duration in years, months and days (P6Y, P24M, P30D)' },
  action: { code: 'RETENTION_POLICY_INVALID', message: 'action is not a retention action', allowed: RETENTION_ACTIONS },
  activityId: { code: 'RETENTION_POLICY_INVALID', message: 'activityId must be a register activity id' },
};

/**
 * Validates a policy document as a DPO sends it (its period filled in from the register when it named an activity);
 * the first problem is the error, with retention's code for its field, and nothing is stored on any. The shape is the
 * API contract's (`retentionPolicyDocument`: the one statement of it, which the OpenAPI document shows); what the
 * contract cannot say is added here: a name of more than blanks that Postgres can store, a period longer than zero.
 */
export function validatePolicyDocument(input: unknown): RetentionPolicyDocument {
  const parsed = contactsApi.retentionPolicyDocument.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys')
      throw retentionError('RETENTION_POLICY_INVALID', 'the policy has unknown fields', { details: { fields: issue.keys } });
    const field = typeof issue.path[0] === 'string' ? issue.path[0] : undefined;
    const problem = field === undefined ? undefined : FIELD_PROBLEMS[field];
    if (problem === undefined) throw retentionError('RETENTION_POLICY_INVALID', 'the policy must be a JSON object');
    throw retentionError(problem.code, problem.message, { details: { field, ...(problem.allowed === undefined ? {} : { allowed: problem.allowed }) } });
  }
  const { name, period, activityId, ...rest } = parsed.data;
  if (name.trim().length === 0 || unstorable(name))
    throw retentionError('RETENTION_POLICY_INVALID', FIELD_PROBLEMS.name!.message, { details: { field: 'name' } });
  parsePeriod(period);
  return { name: name.trim(), period, ...rest, ...(activityId === undefined ? {} : { activityId }) };
}

/** `at` plus the period, in UTC calendar terms (a month from 31 January is the last day of February). */
export function addPeriod(at: Date, period: RetentionPeriod): Date {
  const year = at.getUTCFullYear() + period.years;
  const month = at.getUTCMonth() + period.months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const shifted = new Date(at);
  shifted.setUTCFullYear(year, month, Math.min(at.getUTCDate(), lastDay));
  return new Date(shifted.getTime() + period.days * 86_400_000);
}

/** The start of the year after `at`'s (UTC): the end of the financial year, for a calendar-year controller. */
export function endOfYear(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear() + 1, 0, 1));
}

/** When the policy falls due for a contact; undefined when it does not concern the contact at all. */
export function policyDueAt(document: RetentionPolicyDocument, facts: RetentionFacts): Date | undefined {
  const period = parsePeriod(document.period);
  switch (document.kind) {
    case 'inactivity':
      return addPeriod(facts.lastActivityAt, period);
    case 'consent-withdrawn': {
      const withdrawnAt = facts.consentWithdrawnAt.get(document.purpose);
      return withdrawnAt === undefined ? undefined : addPeriod(withdrawnAt, period);
    }
    case 'accounting-period': {
      if (facts.lastPurchaseAt === undefined || facts.lastActivityAt > facts.lastPurchaseAt) return undefined;
      return addPeriod(endOfYear(facts.lastPurchaseAt), period);
    }
  }
}

/**
 * The one decision of retention, made the same way by the preview and by the run: a contact on legal hold is never
 * touched; otherwise the due policies apply, a crypto-shred before an anonymisation (the stricter end wins), then the
 * lower policy id (deterministic). Due means `now` is at or past the policy's end for the contact.
 */
export function decideRetention(policies: readonly RetentionPolicy[], facts: RetentionFacts, now: Date): RetentionVerdict {
  if (facts.legalHold) return { apply: false, reason: 'legal-hold' };
  const due = policies
    .filter((policy) => {
      const at = policyDueAt(policy.document, facts);
      return at !== undefined && at.getTime() <= now.getTime();
    })
    .sort((a, b) => actionRank(a.document.action) - actionRank(b.document.action) || (a.policyId < b.policyId ? -1 : a.policyId > b.policyId ? 1 : 0));
  const first = due[0];
  if (first === undefined) return { apply: false, reason: 'not-due' };
  return { apply: true, policyId: first.policyId, version: first.version, action: first.document.action };
}

const actionRank = (action: RetentionActionCode): number => (action === 'crypto-shred' ? 0 : 1);

/** The reference of a legal hold: a case number or matter id, not free text about the person. */
export function validateHoldReference(input: unknown): string {
  if (typeof input !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/.test(input)) {
    throw retentionError('LEGAL_HOLD_INVALID', 'reference must be a case reference: 1-64 letters, digits and . _ / -', { details: { field: 'reference' } });
  }
  return input;
}

/** A register activity as retention reads it (audit's `ProcessingActivityRecorded`, projected into contacts). */
export interface RegisterActivity {
  activityId: string;
  version: number;
  status: 'draft' | 'approved';
  name: string;
  purposes: readonly string[];
  /** An ISO 8601 duration (`P6Y`) or `until-withdrawal`. */
  retentionPeriod: string;
}

/** The grace after a withdrawal before marketing data goes, for an activity kept `until-withdrawal`. */
export const WITHDRAWAL_GRACE = 'P30D';

export type PolicyDraft = RetentionPolicyDocument & { activityId: string; activityVersion: number };

/**
 * The policies the register's approved activities imply, one per activity and catalogue purpose that no policy
 * implements yet: an activity kept `until-withdrawal` ends its purpose's data `WITHDRAWAL_GRACE` after a withdrawal;
 * billing keeps purchases for the accounting period and then anonymises them; any other purpose ends with a
 * crypto-shred after the activity's period without activity. A DPO reviews each and creates it (as is or edited).
 */
export function draftPolicies(activities: readonly RegisterActivity[], policies: readonly RetentionPolicy[]): PolicyDraft[] {
  const covered = new Set(
    policies.flatMap((policy) => (policy.document.activityId === undefined ? [] : [`${policy.document.activityId}/${policy.document.purpose}`])),
  );
  return activities
    .filter((activity) => activity.status === 'approved')
    .flatMap((activity) =>
      activity.purposes
        .filter((purpose): purpose is Purpose => (PURPOSES as readonly string[]).includes(purpose) && !covered.has(`${activity.activityId}/${purpose}`))
        .flatMap((purpose): PolicyDraft[] => {
          const base = {
            name: `${activity.name} (${purpose})`.slice(0, contactsApi.POLICY_NAME_MAX),
            purpose,
            activityId: activity.activityId,
            activityVersion: activity.version,
          };
          if (activity.retentionPeriod === 'until-withdrawal') {
            return [{ ...base, category: 'contact', kind: 'consent-withdrawn', period: WITHDRAWAL_GRACE, action: 'crypto-shred' }];
          }
          if (!DURATION.test(activity.retentionPeriod)) return [];
          return purpose === 'billing'
            ? [{ ...base, category: 'financial', kind: 'accounting-period', period: activity.retentionPeriod, action: 'anonymise' }]
            : [{ ...base, category: 'identity', kind: 'inactivity', period: activity.retentionPeriod, action: 'crypto-shred' }];
        }),
    );
}

/**
 * A policy naming a register activity must name an approved one declaring its purpose; without a period of its own
 * it takes the activity's (an activity kept `until-withdrawal` has none to give: the period is then required).
 */
export function withActivityPeriod(input: unknown, activity: RegisterActivity | undefined): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const body = input as Record<string, unknown>;
  if (body.activityId === undefined) return input;
  if (activity === undefined || activity.status !== 'approved' || !activity.purposes.includes(String(body.purpose))) {
    throw retentionError('RETENTION_ACTIVITY_UNKNOWN', "activityId must name an approved register activity declaring the policy's purpose", {
      details: { field: 'activityId' },
    });
  }
  return body.period === undefined && DURATION.test(activity.retentionPeriod) ? { ...body, period: activity.retentionPeriod } : input;
}
