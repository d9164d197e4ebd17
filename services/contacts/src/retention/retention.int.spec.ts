// The retention sweep against the real servers (Postgres, Kafka, Redis and the key vault) with an injected clock: the
// contacts service on a database of its own, since a sweep looks at every contact of its database.
import { randomUUID } from 'node:crypto';
import {
  ActorType,
  ConsentGivenSchema,
  ConsentWithdrawnSchema,
  ContactErasedSchema,
  decodePayload,
  EventEnvelopeSchema,
  fromBinary,
  LegalBasis,
  ProcessingActivityRecordedSchema,
  RetentionAction,
  RetentionAppliedSchema,
  RetentionPolicyRecordedSchema,
  timestampFromDate,
  toBinary,
} from '@crm/contracts';
import { createEnvelope, envelopeHeaders, protoEvent, type EventStore } from '@crm/eventstore';
import { KAFKA_PRIMARY, type IncomingMessage, type KafkaCluster } from '@crm/messaging';
import { EVENT_STORE } from '@crm/platform';
import { expectEventually, uniqueName } from '@crm/testing';
import { ANALYTICS_CONTACTS_TOPIC, pseudonymOf } from '../analytics/analytics-profile.decision.js';
import { ANALYTICS_KEY } from '../analytics/analytics-key.js';
import { CONTACTS_TOPIC } from '../contacts/contact.streams.js';
import { ContactErasure } from '../erasure/contact-erasure.service.js';
import { ContactsRepository } from '../read-model/contacts.repository.js';
import { DPO, useContactsApp, WRITER } from '../testing/contacts.fixture.js';
import type { RetentionPolicyDocument } from './retention.decision.js';
import { RetentionRepository } from './retention.repository.js';
import { RetentionPolicies } from './retention.service.js';
import { RetentionSweep, type SweepFault } from './retention.sweep.js';

// No scheduled sweep may start in the middle of a test: the daily one is moved to 1 January.
process.env.CRM_RETENTION_SCHEDULE = '0 0 1 1 *';

const contacts = useContactsApp({ database: 'crm_retention_test' });
const { call, create } = contacts;
const RETENTION_DPO = [...DPO, 'retention:read', 'retention:manage'] as const;
const MONTH = 31 * 86_400_000;
const LEASE_MS = 60_000;
const WITHIN = { timeoutMs: 30_000, intervalMs: 200 };

let now = new Date();
const clock = () => now;
const sweep = (batchSize = 2) =>
  new RetentionSweep(contacts.app.get(RetentionRepository), contacts.app.get(ContactErasure), contacts.app.get(EVENT_STORE), clock, {
    leaseMs: LEASE_MS,
    batchSize,
  });
const policies = () => new RetentionPolicies(contacts.app.get(RetentionRepository), contacts.app.get(ContactsRepository), contacts.app.get(EVENT_STORE), clock);
const dpo = (method: string, path: string, body?: unknown) => call(method, path, [...RETENTION_DPO], body, {}, 10);
const sql = async <T extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> =>
  (await contacts.app.get(RetentionRepository).pool.query<T>(text, values)).rows;

const inactivity: RetentionPolicyDocument = {
  name: 'Customers gone quiet for two years',
  purpose: 'customer-service',
  category: 'identity',
  kind: 'inactivity',
  period: 'P24M',
  action: 'crypto-shred',
};

const kafka = () => contacts.app.get<KafkaCluster>(KAFKA_PRIMARY, { strict: false });
/** An event as another service's relay publishes it (consent's, audit's register). */
function message(stream: string, version: bigint, event: ReturnType<typeof protoEvent>, key = stream) {
  const metadata = {
    actor: { id: 'it', type: ActorType.USER },
    purpose: 'data-subject-rights',
    legalBasis: LegalBasis.LEGAL_OBLIGATION,
    correlationId: stream,
  };
  const envelope = createEnvelope(stream, version, event, metadata, new Date());
  return { key, value: toBinary(EventEnvelopeSchema, envelope), headers: envelopeHeaders(envelope.eventType, envelope.eventId) };
}

/** The envelopes about `contactId` on contacts' event topic, as every consumer reads them (the audit ingest too). */
async function publishedAbout(contactId: string) {
  const envelopes: Array<ReturnType<typeof fromBinary<typeof EventEnvelopeSchema>>> = [];
  await kafka().readToEnd(
    [CONTACTS_TOPIC],
    (record) => {
      const envelope = fromBinary(EventEnvelopeSchema, record.value);
      if (envelope.subjectId === contactId) envelopes.push(envelope);
    },
    { groupId: uniqueName('retention-it-events'), timeoutMs: 20_000 },
  );
  return envelopes;
}

/** The records of one pseudonym on the analytics stream, in order (a tombstone's value is null). */
async function analyticsRecordsOf(contactId: string): Promise<IncomingMessage[]> {
  const subject = pseudonymOf(contacts.app.get<Buffer>(ANALYTICS_KEY), contactId);
  const records: IncomingMessage[] = [];
  await kafka().readToEnd([ANALYTICS_CONTACTS_TOPIC], (record) => void (record.key === subject && records.push(record)), {
    groupId: uniqueName('retention-it-analytics'),
    timeoutMs: 20_000,
  });
  return records;
}
const isTombstone = (record: IncomingMessage | undefined): boolean => record !== undefined && (record.value === null || record.value === undefined);

async function newContact(marker: string): Promise<string> {
  const reply = await create(marker);
  expect(reply.status).toBe(201);
  return reply.body.id as string;
}

async function eventCounts(contactId: string): Promise<Record<string, number>> {
  const rows = await sql<{ event_type: string; n: number }>(
    'SELECT event_type, count(*)::int AS n FROM contacts.events WHERE subject_id = $1 GROUP BY event_type',
    [contactId],
  );
  return Object.fromEntries(rows.map((row) => [row.event_type.split('.').at(-1)!, row.n]));
}

beforeEach(async () => {
  now = new Date();
  // This database is the spec's own: every test starts from no contacts, policies, holds or runs.
  await sql(
    `TRUNCATE contacts.contact_records, contacts.contact_search, contacts.contact_transactions, contacts.erased_contacts, contacts.consent_states,
              contacts.retention_policies, contacts.legal_holds, contacts.retention_runs, contacts.retention_applied, contacts.anonymised_purchases`,
  );
});

describe('retention', () => {
  it('shreds a contact past its policy, leaves one on legal hold, and the preview showed exactly what the run did', async () => {
    const [past, held] = [await newContact('RetPast'), await newContact('RetHeld')];
    const created = await dpo('POST', '/v1/retention/policies', inactivity);
    expect(created.status).toBe(201);
    const policyId = created.body.policyId as string;
    expect((await dpo('PUT', `/v1/contacts/${held}/legal-hold`, { reference: 'CASE-2026/17' })).status).toBe(200);

    now = new Date(Date.now() + 23 * MONTH);
    expect((await policies().preview()).policies).toEqual([expect.objectContaining({ policyId, count: 0, sample: [] })]);

    now = new Date(Date.now() + 25 * MONTH);
    const preview = await policies().preview();
    expect(preview).toMatchObject({ contacts: 2, held: 1, policies: [{ policyId, version: 1, action: 'crypto-shred', count: 1, sample: [past] }] });

    const outcome = await sweep().run();
    expect(outcome).toMatchObject({ resumed: false, applied: 1, held: 1, skipped: 0 });
    const applied = await sql<{ contact_id: string }>('SELECT contact_id FROM contacts.retention_applied WHERE run_id = $1', [outcome.runId]);
    expect(applied.map((row) => row.contact_id)).toEqual(preview.policies[0]!.sample);

    expect((await call('GET', `/v1/contacts/${past}?purpose=customer-service`, WRITER)).status).toBe(410);
    expect((await call('GET', `/v1/contacts/${held}?purpose=customer-service`, WRITER)).status).toBe(200);

    const [event] = await contacts.app.get<EventStore>(EVENT_STORE).readStream(`retention-applied-${policyId}-1-${past}`);
    expect(event!.envelope).toMatchObject({ subjectId: past, purpose: 'customer-service', actor: { id: 'system' } });
    expect(decodePayload(event!.envelope, RetentionAppliedSchema)).toMatchObject({
      contactId: past,
      policyId,
      policyVersion: 1,
      action: RetentionAction.CRYPTO_SHRED,
      runId: outcome.runId,
    });
    expect(await eventCounts(past)).toMatchObject({ RetentionApplied: 1, ContactErased: 1 });
    expect(await eventCounts(held)).toMatchObject({ LegalHoldSet: 1 });
    expect((await eventCounts(held)).RetentionApplied).toBeUndefined();

    // Lifted, the hold no longer keeps it: the next preview shows it.
    expect((await dpo('DELETE', `/v1/contacts/${held}/legal-hold`)).status).toBe(200);
    expect((await policies().preview()).policies[0]).toMatchObject({ count: 1, sample: [held] });
  });

  it('publishes the shred as RetentionApplied and ContactErased on the contacts topic, as the audit trail ingests them, and tombstones the subject on the analytics stream', async () => {
    const past = await newContact('RetWire');
    const policyId = (await dpo('POST', '/v1/retention/policies', inactivity)).body.policyId as string;
    // The subject is on the analytics stream first: a profile, which the shred must end.
    await expectEventually(async () => {
      const records = await analyticsRecordsOf(past);
      expect(records.length).toBeGreaterThan(0);
      expect(isTombstone(records.at(-1))).toBe(false);
    }, WITHIN);

    now = new Date(Date.now() + 25 * MONTH);
    const outcome = await sweep().run();
    expect(outcome).toMatchObject({ applied: 1 });

    // What the audit ingest records (it reads every crm.<service>.v1.events topic): the subject, the policy's purpose,
    // the legal obligation and the system as actor, with the policy and its version in the payload.
    const published = await expectEventually(async () => {
      const envelopes = await publishedAbout(past);
      expect(envelopes.map((envelope) => envelope.eventType)).toEqual(expect.arrayContaining([RetentionAppliedSchema.typeName, ContactErasedSchema.typeName]));
      return envelopes;
    }, WITHIN);
    const applied = published.filter((envelope) => envelope.eventType === RetentionAppliedSchema.typeName);
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({
      subjectId: past,
      purpose: 'customer-service',
      legalBasis: LegalBasis.LEGAL_OBLIGATION,
      actor: { id: 'system', type: ActorType.SYSTEM },
      correlationId: outcome.runId,
    });
    expect(decodePayload(applied[0]!, RetentionAppliedSchema)).toMatchObject({
      contactId: past,
      policyId,
      policyVersion: 1,
      action: RetentionAction.CRYPTO_SHRED,
    });
    expect(published.find((envelope) => envelope.eventType === ContactErasedSchema.typeName)).toMatchObject({
      purpose: 'customer-service',
      legalBasis: LegalBasis.LEGAL_OBLIGATION,
      actor: { type: ActorType.SYSTEM },
    });

    // The analytics stream drops the person: the subject's latest record is a tombstone under its pseudonym.
    await expectEventually(async () => expect(isTombstone((await analyticsRecordsOf(past)).at(-1))).toBe(true), WITHIN);
  });

  it('anonymises: the purchases are kept as amounts, days and the category with no contact, and the contact is shredded', async () => {
    const buyer = await newContact('RetBuyer');
    for (const amountCents of [1250, -300]) {
      const bought = await call('POST', `/v1/contacts/${buyer}/transactions`, WRITER, {
        purpose: 'billing',
        transaction: { description: 'books', amountCents, currency: 'EUR', occurredAt: '2026-01-01T00:00:00Z' },
      });
      expect(bought.status).toBe(201);
    }
    const created = await dpo('POST', '/v1/retention/policies', {
      name: 'Purchases after the accounting period',
      purpose: 'billing',
      category: 'financial',
      kind: 'accounting-period',
      period: 'P5Y',
      action: 'anonymise',
    });
    const policyId = created.body.policyId as string;
    now = new Date(Date.UTC(new Date().getUTCFullYear() + 6, 0, 1));
    expect((await dpo('GET', '/v1/retention/preview')).body.policies[0]).toMatchObject({ policyId, count: 0 });
    expect((await policies().preview()).policies[0]).toMatchObject({ policyId, count: 1, sample: [buyer] });

    expect(await sweep().run()).toMatchObject({ applied: 1 });

    expect((await call('GET', `/v1/contacts/${buyer}?purpose=billing`, WRITER)).status).toBe(410);
    const kept = await contacts.app.get(RetentionRepository).anonymisedPurchases(policyId);
    const today = new Date().toISOString().slice(0, 10);
    expect(kept.sort((a, b) => a.amountCents - b.amountCents)).toEqual([
      { category: 'financial', amountCents: -300, currency: 'EUR', recordedOn: today },
      { category: 'financial', amountCents: 1250, currency: 'EUR', recordedOn: today },
    ]);
    const columns = await sql<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = 'contacts' AND table_name = 'anonymised_purchases'",
    );
    expect(columns.map((column) => column.column_name).filter((name) => /contact|transaction/.test(name))).toEqual([]);
    const [event] = await contacts.app.get<EventStore>(EVENT_STORE).readStream(`retention-applied-${policyId}-1-${buyer}`);
    expect(decodePayload(event!.envelope, RetentionAppliedSchema)).toMatchObject({ action: RetentionAction.ANONYMISE, purchasesAnonymised: 2 });
  });

  it('ends marketing data 30 days after consent is withdrawn; a contact that never consented is kept', async () => {
    const [withdrew, never] = [await newContact('RetWithdrew'), await newContact('RetNever')];
    const at = timestampFromDate(new Date());
    const consentEvents = [
      protoEvent(
        ConsentGivenSchema,
        { contactId: withdrew, purpose: 'marketing', catalogueVersion: 1, noticeVersion: '2026-11', channel: 1, givenAt: at },
        withdrew,
      ),
      protoEvent(ConsentWithdrawnSchema, { contactId: withdrew, purpose: 'marketing', withdrawnAt: at }, withdrew),
    ];
    await kafka().publish(
      'crm.consent.v1.events',
      consentEvents.map((event, index) => message(`consent-${withdrew}`, BigInt(index + 1), event, withdrew)),
    );
    await expectEventually(async () => {
      expect(await sql('SELECT consent_in_force FROM contacts.consent_states WHERE contact_id = $1', [withdrew])).toEqual([{ consent_in_force: false }]);
    }, WITHIN);
    const policyId = (
      await dpo('POST', '/v1/retention/policies', {
        name: 'Marketing after withdrawal',
        purpose: 'marketing',
        category: 'contact',
        kind: 'consent-withdrawn',
        period: 'P30D',
        action: 'crypto-shred',
      })
    ).body.policyId as string;

    now = new Date(Date.now() + 29 * 86_400_000);
    expect((await policies().preview()).policies[0]).toMatchObject({ policyId, count: 0 });
    now = new Date(Date.now() + 31 * 86_400_000);
    expect((await policies().preview()).policies[0]).toMatchObject({ policyId, count: 1, sample: [withdrew] });
    expect(await sweep().run()).toMatchObject({ applied: 1 });
    expect((await call('GET', `/v1/contacts/${withdrew}?purpose=customer-service`, WRITER)).status).toBe(410);
    expect((await call('GET', `/v1/contacts/${never}?purpose=customer-service`, WRITER)).status).toBe(200);
  });

  it('skips, and logs, a subject erased by other means before its anonymisation: nothing kept, no effect recorded', async () => {
    const buyer = await newContact('RetErasedFirst');
    await call('POST', `/v1/contacts/${buyer}/transactions`, WRITER, {
      purpose: 'billing',
      transaction: { description: 'books', amountCents: 990, currency: 'EUR', occurredAt: '2026-01-01T00:00:00Z' },
    });
    const policyId = (
      await dpo('POST', '/v1/retention/policies', {
        name: 'Books',
        purpose: 'billing',
        category: 'financial',
        kind: 'accounting-period',
        period: 'P5Y',
        action: 'anonymise',
      })
    ).body.policyId as string;
    now = new Date(Date.UTC(new Date().getUTCFullYear() + 6, 0, 1));
    // An erasure request lands between the sweep's read of the batch and the effect.
    const erasedMeanwhile: SweepFault = async (point, contactId) => {
      if (point === 'deciding')
        await contacts.app
          .get(ContactErasure)
          .erase(contactId, { actorId: 'dpo-it', purpose: 'data-subject-rights', legalBasis: 'legal-obligation', correlationId: 'it' });
    };
    expect(await sweep().run(undefined, erasedMeanwhile)).toMatchObject({ applied: 0, skipped: 1 });
    expect(await contacts.app.get(RetentionRepository).anonymisedPurchases(policyId)).toEqual([]);
    expect(await sql('SELECT 1 FROM contacts.retention_applied WHERE contact_id = $1', [buyer])).toEqual([]);
    expect(await eventCounts(buyer)).toEqual({ ContactCreated: 1, TransactionAdded: 1, ContactErased: 1 });
  });

  it('a sweep killed mid-run refuses a second one while its lease lasts, and resumed applies each effect exactly once', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) ids.push(await newContact(`RetCrash${index}`));
    const policyId = (await dpo('POST', '/v1/retention/policies', inactivity)).body.policyId as string;
    now = new Date(Date.now() + 25 * MONTH);
    const preview = await policies().preview();
    expect(preview.policies[0]!.count).toBe(5);

    // The third effect is recorded, then the process "dies" before its erasure: after the first batch of two.
    let effects = 0;
    const crash: SweepFault = (point) => {
      if (point === 'recorded' && ++effects === 3) throw new Error('killed');
    };
    await expect(sweep().run(undefined, crash)).rejects.toThrow('killed');
    await expect(sweep().run()).rejects.toMatchObject({ code: 'RETENTION_SWEEP_RUNNING' });
    const refused = await dpo('POST', '/v1/retention/sweeps');
    expect([refused.status, refused.body.code]).toEqual([409, 'RETENTION_SWEEP_RUNNING']);

    now = new Date(now.getTime() + LEASE_MS + 1_000);
    const resumed = await sweep().run();
    expect(resumed).toMatchObject({ resumed: true, completed: 1, applied: 2 });
    for (const id of ids) {
      expect((await call('GET', `/v1/contacts/${id}?purpose=customer-service`, WRITER)).status).toBe(410);
      expect(await eventCounts(id)).toMatchObject({ RetentionApplied: 1, ContactErased: 1 });
    }
    const applied = await sql<{ contact_id: string }>('SELECT contact_id FROM contacts.retention_applied WHERE policy_id = $1 ORDER BY contact_id', [policyId]);
    expect(applied.map((row) => row.contact_id)).toEqual(preview.policies[0]!.sample);
    const runs = await sql<{ status: string; applied: number }>('SELECT status, applied FROM contacts.retention_runs');
    expect(runs).toEqual([{ status: 'completed', applied: 4 }]);

    // Another sweep finds nothing left to do.
    expect(await sweep().run()).toMatchObject({ resumed: false, applied: 0, completed: 0 });
  });

  it('refuses bad policies with stable codes, storing nothing; revisions are versioned events checked against the version revised', async () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ ...inactivity, period: '-P1M' }, 'RETENTION_PERIOD_INVALID'],
      [{ ...inactivity, period: undefined }, 'RETENTION_PERIOD_INVALID'],
      [{ ...inactivity, purpose: 'profiling' }, 'RETENTION_PURPOSE_UNKNOWN'],
      [{ ...inactivity, category: 'biometric' }, 'RETENTION_CATEGORY_UNKNOWN'],
      [{ ...inactivity, action: 'delete' }, 'RETENTION_POLICY_INVALID'],
    ];
    for (const [body, code] of bad) {
      const reply = await dpo('POST', '/v1/retention/policies', body);
      expect([reply.status, reply.body.code]).toEqual([400, code]);
    }
    expect((await dpo('GET', '/v1/retention/policies')).body.items).toEqual([]);

    expect((await call('POST', '/v1/retention/policies', WRITER, inactivity, {}, 10)).body.code).toBe('FORBIDDEN');
    expect((await call('POST', '/v1/retention/policies', [...RETENTION_DPO], inactivity, {}, 3_600)).body.code).toBe('STEP_UP_REQUIRED');
    expect((await call('GET', '/v1/retention/preview', WRITER)).body.code).toBe('FORBIDDEN');

    const policyId = (await dpo('POST', '/v1/retention/policies', inactivity)).body.policyId as string;
    const revised = await dpo('PUT', `/v1/retention/policies/${policyId}`, { ...inactivity, period: 'P36M', expectedVersion: 1 });
    expect(revised.body).toMatchObject({ policyId, version: 2, period: 'P36M' });
    const stale = await dpo('PUT', `/v1/retention/policies/${policyId}`, { ...inactivity, expectedVersion: 1 });
    expect([stale.status, stale.body.code]).toEqual([409, 'RETENTION_POLICY_VERSION_CONFLICT']);
    const invalid = await dpo('PUT', `/v1/retention/policies/${policyId}`, { ...inactivity, period: 'P0D', expectedVersion: 2 });
    expect([invalid.status, invalid.body.code]).toEqual([400, 'RETENTION_PERIOD_INVALID']);
    const history = await contacts.app.get<EventStore>(EVENT_STORE).readStream(`retention-policy-${policyId}`);
    expect(history.map((event) => JSON.parse(decodePayload(event.envelope, RetentionPolicyRecordedSchema).documentJson).period)).toEqual(['P24M', 'P36M']);
    expect((await dpo('GET', '/v1/retention/policies')).body.items).toEqual([expect.objectContaining({ policyId, version: 2 })]);

    const hold = await dpo('PUT', `/v1/contacts/${await newContact('RetBadHold')}/legal-hold`, { reference: 'Ann Lee sued us' });
    expect([hold.status, hold.body.code]).toEqual([400, 'LEGAL_HOLD_INVALID']);
  });

  it("drafts policies from the register's approved activities, and a policy naming one takes its period", async () => {
    const activityId = randomUUID();
    // A whole document, as audit records one: other consumers of the topic (consent's notices) read it too.
    const document = {
      name: `Serving customers ${activityId}`,
      purposes: ['customer-service'],
      legalBasis: 'contract',
      dataSubjectCategories: ['customers'],
      personalDataCategories: ['contact data'],
      recipients: [],
      processorIds: [],
      thirdCountryTransfers: [],
      securityMeasures: ['encryption per data subject'],
      retentionPeriod: 'P6Y',
    };
    const recorded = protoEvent(ProcessingActivityRecordedSchema, {
      activityId,
      version: 1,
      name: document.name,
      purposes: document.purposes,
      documentJson: JSON.stringify(document),
      status: 'approved',
      change: 'declared',
    });
    await kafka().publish('crm.audit.v1.events', [message(`activity-${activityId}`, 1n, recorded)]);
    await expectEventually(async () => {
      const drafts = (await dpo('GET', '/v1/retention/policy-drafts')).body.items as Array<Record<string, unknown>>;
      expect(drafts.filter((draft) => draft.activityId === activityId)).toEqual([
        {
          activityId,
          activityVersion: 1,
          name: `${document.name} (customer-service)`,
          purpose: 'customer-service',
          category: 'identity',
          kind: 'inactivity',
          period: 'P6Y',
          action: 'crypto-shred',
        },
      ]);
    }, WITHIN);

    const created = await dpo('POST', '/v1/retention/policies', { ...inactivity, period: undefined, activityId });
    expect(created.body).toMatchObject({ activityId, period: 'P6Y', version: 1 });
    const drafts = (await dpo('GET', '/v1/retention/policy-drafts')).body.items as Array<Record<string, unknown>>;
    expect(drafts.filter((draft) => draft.activityId === activityId)).toEqual([]);
    const other = await dpo('POST', '/v1/retention/policies', { ...inactivity, purpose: 'sales', activityId });
    expect([other.status, other.body.code]).toEqual([400, 'RETENTION_ACTIVITY_UNKNOWN']);
  });

  it('queues a sweep on BullMQ on demand and reports its run', async () => {
    const queued = await dpo('POST', '/v1/retention/sweeps');
    expect(queued.status).toBe(202);
    await expectEventually(async () => {
      const run = await dpo('GET', `/v1/retention/sweeps/${queued.body.runId}`);
      expect(run.body).toMatchObject({ runId: queued.body.runId, status: 'completed', applied: 0 });
    });
  });
});
