// Retention's evidence (issue 14): a sweep's shred, as the contacts service publishes it, is in the subject's audit
// trail as the system's doing under the legal obligation, and counted in the register's evidence of the activity
// declaring the policy's purpose. The contacts side (what the sweep puts on crm.contacts.v1.events) is proven by
// contacts' retention spec; this one takes those envelopes from the audit app's own topic, through the real ingest.
import { randomUUID } from 'node:crypto';
import { ContactErasedSchema, RetentionAppliedSchema } from '@crm/contracts';
import { expectEventually } from '@crm/testing';
import type { ActivityView } from '../register/export/register.report.js';
import type { SubjectReport } from '../querying/subject-report.js';
import { contactCreated, encode, retentionShred } from '../testing/audit.fixtures.js';
import { startAuditApp, type AuditApp } from '../testing/audit-app.fixture.js';

let audit: AuditApp;
beforeAll(async () => {
  audit = await startAuditApp();
});
afterAll(() => audit.close());

describe('retention evidence in the audit trail', () => {
  it("given a sweep's shred of a contact, then the subject report shows it by the system under the legal obligation, and the register's evidence for the purpose counts it", async () => {
    const [subject, runId, policyId] = [randomUUID(), randomUUID(), randomUUID()];
    const created = contactCreated(subject, ['emails'], { occurredAt: new Date(Date.UTC(2024, 0, 2)) });
    const shred = retentionShred(subject, { policyId, policyVersion: 2, runId, purpose: 'customer-service', at: new Date(Date.UTC(2026, 1, 3)) });
    const contacts = audit.topic('contacts');
    await audit.kafka.ensureTopics([{ name: contacts, partitions: 1 }]);
    await audit.kafka.publish(
      contacts,
      [created, ...shred].map((envelope) => ({ key: subject, value: encode(envelope) })),
    );
    await expectEventually(async () => expect(await audit.runtime.view.sync()).toBe(3), { timeoutMs: 30_000, intervalMs: 100 });

    const dpo = await audit.token(['audit:read'], { sub: 'dpo-1' });
    const answer = await audit.api('GET', `/v1/audit/subjects/${subject}/report`, { token: dpo });
    expect(answer.status).toBe(200);
    const report = answer.body as SubjectReport;
    const domain = report.entries.filter((entry) => entry.purpose !== 'data-protection-oversight');
    expect(domain.map((entry) => [entry.action, entry.actorId, entry.actorType, entry.purpose, entry.legalBasis])).toEqual([
      ['crm.contacts.v1.ContactCreated', 'user-1', 'user', 'customer-service', 'contract'],
      [RetentionAppliedSchema.typeName, 'system', 'system', 'customer-service', 'legal_obligation'],
      [ContactErasedSchema.typeName, 'system', 'system', 'customer-service', 'legal_obligation'],
    ]);
    expect(domain.slice(1).map((entry) => entry.correlationId)).toEqual([runId, runId]);
    expect(report.purposes).toContainEqual({ purpose: 'customer-service', legalBases: ['contract', 'legal_obligation'], count: 3 });

    const editor = await audit.token(['register:manage'], { sub: 'dpo-editor' });
    const declared = await audit.api('POST', '/v1/register/activities', {
      token: editor,
      body: {
        name: 'Customer service',
        purposes: ['customer-service'],
        legalBasis: 'contract',
        dataSubjectCategories: ['customers'],
        personalDataCategories: ['identity'],
        recipients: ['support staff'],
        retentionPeriod: 'P2Y',
        securityMeasures: ['encryption per data subject'],
      },
    });
    expect(declared.status).toBe(201);
    expect((declared.body as ActivityView).evidence).toMatchObject({
      events: 3,
      distinctSubjects: 1,
      legalBases: expect.arrayContaining([
        { legalBasis: 'legal_obligation', events: 2 },
        { legalBasis: 'contract', events: 1 },
      ]),
    });
  });
});
