import { randomUUID } from 'node:crypto';
import { ActorType, EventEnvelopeSchema, LegalBasis, ProcessingActivityRecordedSchema, ProcessorRecordedSchema, toBinary } from '@crm/contracts';
import { createEnvelope, envelopeHeaders, protoEvent } from '@crm/eventstore';
import { KAFKA_PRIMARY, type KafkaCluster } from '@crm/messaging';
import { expectEventually, uniqueName } from '@crm/testing';
import { noticeContentSha256 } from '../notices/notice.hash.js';
import type { NoticeContent } from '../notices/notice.decider.js';
import { noticeTexts, PUBLISHER, useConsentApp } from '../testing/consent.fixture.js';
import { RegisterView } from './register-view.repository.js';
import { AUDIT_REGISTER_TOPIC } from './register.projection.js';

// Privacy notices state retention, recipients and processors from the Art. 30 register: consent learns the register
// from audit's events on crm.audit.v1.events (published here as audit publishes them), and a draft takes what the
// approved activities say.
const consent = useConsentApp();
const marker = uniqueName('reg').replaceAll('-', '');
const metadata = {
  actor: { id: 'dpo-it', type: ActorType.USER },
  purpose: 'records-of-processing',
  legalBasis: LegalBasis.LEGAL_OBLIGATION,
  correlationId: marker,
};

async function publish(...events: Array<{ stream: string; version: number; event: ReturnType<typeof protoEvent> }>): Promise<void> {
  const kafka = consent.app.get<KafkaCluster>(KAFKA_PRIMARY, { strict: false });
  await kafka.publish(
    AUDIT_REGISTER_TOPIC,
    events.map(({ stream, version, event }) => {
      const envelope = createEnvelope(stream, BigInt(version), event, metadata, new Date());
      return { key: stream, value: toBinary(EventEnvelopeSchema, envelope), headers: envelopeHeaders(envelope.eventType, envelope.eventId) };
    }),
  );
}
const activity = (id: string, version: number, status: string, document: Record<string, unknown>) => ({
  stream: `activity-${id}`,
  version,
  event: protoEvent(ProcessingActivityRecordedSchema, {
    activityId: id,
    version,
    name: String(document.name),
    purposes: document.purposes as string[],
    documentJson: JSON.stringify(document),
    status,
    change: status === 'draft' ? 'drafted' : 'approved',
  }),
});

describe('privacy notices from the register', () => {
  const processorId = randomUUID();
  const marketing = randomUUID();
  const legalClaims = randomUUID();
  const base = {
    legalBasis: 'consent',
    dataSubjectCategories: ['customers'],
    personalDataCategories: ['contact data'],
    securityMeasures: ['x'],
    thirdCountryTransfers: [],
  };
  const approvedDocument = {
    ...base,
    name: `Marketing ${marker}`,
    purposes: ['marketing'],
    recipients: [`staff ${marker}`],
    processorIds: [processorId],
    retentionPeriod: 'until-withdrawal',
  };

  beforeAll(async () => {
    await publish(
      {
        stream: `processor-${processorId}`,
        version: 1,
        event: protoEvent(ProcessorRecordedSchema, {
          processorId,
          version: 1,
          name: `Mail ${marker}`,
          documentJson: JSON.stringify({ name: `Mail ${marker}`, dpaReference: 'DPA-1', country: 'DE', status: 'active' }),
        }),
      },
      activity(marketing, 1, 'draft', { ...approvedDocument, recipients: [`draft recipients ${marker}`] }),
      activity(marketing, 2, 'approved', approvedDocument),
      // An older version redelivered after a newer one changes nothing.
      activity(marketing, 1, 'draft', { ...approvedDocument, recipients: [`draft recipients ${marker}`] }),
      activity(legalClaims, 1, 'draft', {
        ...base,
        legalBasis: 'legitimate_interests',
        name: 'Claims',
        purposes: ['legal-claims'],
        recipients: [`unreviewed ${marker}`],
        processorIds: [],
        retentionPeriod: 'P6Y',
      }),
    );
    const view = consent.app.get(RegisterView, { strict: false });
    await expectEventually(
      async () => {
        const { activities } = await view.snapshot();
        expect(activities.filter((a) => a.id === marketing || a.id === legalClaims).map((a) => [a.id, a.status])).toEqual(
          expect.arrayContaining([
            [marketing, 'approved'],
            [legalClaims, 'draft'],
          ]),
        );
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  });

  it('given the register, when a notice is drafted, then each purpose states what the approved activities say, and drafts say nothing', async () => {
    const { retention: _r, recipients: _c, processors: _p, ...texts } = noticeTexts('en', marker);
    const drafted = await consent.callWithMfa('POST', '/v1/privacy-notices', PUBLISHER, 10, texts);
    expect(drafted.status).toBe(201);
    expect([drafted.body.retention, drafted.body.recipients, drafted.body.processors]).toEqual(['', '', '']);
    const purposes = drafted.body.register.purposes as Array<{
      code: string;
      declared: boolean;
      recipients: string[];
      processors: string[];
      retention: unknown[];
    }>;
    const stated = purposes.find((purpose) => purpose.code === 'marketing')!;
    expect(stated.declared).toBe(true);
    expect(stated.recipients).toContain(`staff ${marker}`);
    expect(stated.recipients).not.toContain(`draft recipients ${marker}`);
    expect(stated.processors).toContain(`Mail ${marker}`);
    expect(stated.retention).toContainEqual({ period: 'until-withdrawal' });
    expect(JSON.stringify(purposes.find((purpose) => purpose.code === 'legal-claims'))).not.toContain(`unreviewed ${marker}`);
    expect(drafted.body.register.processors).toContainEqual({ name: `Mail ${marker}`, country: 'DE' });

    // Published, the content hash covers the register part: anyone recomputes it from the public JSON.
    const published = await consent.callWithMfa('POST', `/v1/privacy-notices/${drafted.body.version}/publication`, PUBLISHER, 10);
    expect(published.status).toBe(200);
    const read = await consent.anonymous('GET', `/v1/privacy-notices/${drafted.body.version}`);
    const {
      number: _n,
      publishedAt: _a,
      contentSha256,
      ...content
    } = read.body as NoticeContent & { number: number; publishedAt: string; contentSha256: string };
    expect(content.register?.purposes.find((purpose) => purpose.code === 'marketing')?.recipients).toContain(`staff ${marker}`);
    expect(noticeContentSha256(content)).toBe(contentSha256);
    expect(contentSha256).toBe(published.body.contentSha256);
  });
});
