// A DPO's retention journey through the gateway (issue 14): policies drafted from the register and created, a legal
// hold set and lifted, the preview, a sweep queued on BullMQ and its run, every change in the audit trail. The
// policies here can never fall due (a period of 99999 days), so the sweep touches none of the platform's contacts;
// what a sweep does to a contact past its policy is proven with an injected clock in the contacts service's
// integration tests.
import { adminSession, createStaffUser, expectEventually, request as call, signIn, uniqueName } from '@crm/testing';

interface EntryView {
  action: string;
  actorId: string;
  subjectId: string;
  purpose: string;
}

const tag = uniqueName('ret').replace(/[^A-Za-z]/g, '');
const NEVER = 'P99999D';
let dpo: string;
let sales: string;

beforeAll(async () => {
  const admin = (await adminSession()).accessToken;
  const [d, s] = [await createStaffUser(admin, 'dpo', 'retention'), await createStaffUser(admin, 'sales', 'retention')];
  dpo = (await signIn(d.email, d.password, { step: 1 })).accessToken;
  sales = (await signIn(s.email, s.password, { step: 1 })).accessToken;
});

describe('retention through the gateway', () => {
  it('a DPO keeps policies, holds a contact, previews and runs a sweep; others may not; every change is in the audit trail', async () => {
    const drafts = await call('GET', '/v1/retention/policy-drafts', dpo);
    expect(drafts.status).toBe(200);
    expect(Array.isArray(drafts.body.items)).toBe(true);

    const policy = {
      name: `Quiet customers ${tag}`,
      purpose: 'customer-service',
      category: 'identity',
      kind: 'inactivity',
      period: NEVER,
      action: 'crypto-shred',
    };
    expect((await call('POST', '/v1/retention/policies', sales, policy)).body.code).toBe('FORBIDDEN');
    const bad = await call('POST', '/v1/retention/policies', dpo, { ...policy, period: '-P1M' });
    expect([bad.status, bad.body.code]).toEqual([400, 'RETENTION_PERIOD_INVALID']);
    const created = await call('POST', '/v1/retention/policies', dpo, policy);
    expect(created.status).toBe(201);
    const policyId = created.body.policyId as string;
    const revised = await call('PUT', `/v1/retention/policies/${policyId}`, dpo, { ...policy, action: 'anonymise', expectedVersion: 1 });
    expect(revised.body).toMatchObject({ policyId, version: 2, action: 'anonymise' });
    const listed = (await call('GET', '/v1/retention/policies', dpo)).body.items as Array<{ policyId: string; version: number }>;
    expect(listed.find((item) => item.policyId === policyId)).toMatchObject({ version: 2 });

    const contact = (await call('POST', '/v1/contacts', sales, { purpose: 'sales', data: { name: { given: `Ann${tag}`, family: 'Lee' } } })).body.id as string;
    expect((await call('PUT', `/v1/contacts/${contact}/legal-hold`, sales, { reference: 'CASE-1' })).body.code).toBe('FORBIDDEN');
    expect((await call('PUT', `/v1/contacts/${contact}/legal-hold`, dpo, { reference: `CASE-${tag}` })).status).toBe(200);
    expect((await call('GET', `/v1/contacts/${contact}/legal-hold`, dpo)).body).toMatchObject({ contactId: contact, reference: `CASE-${tag}` });

    const preview = await call('GET', '/v1/retention/preview', dpo);
    expect(preview.status).toBe(200);
    expect(preview.body.policies).toContainEqual(expect.objectContaining({ policyId, version: 2, count: 0, sample: [] }));

    // The daily sweep may be running (409 RETENTION_SWEEP_RUNNING): queue ours once it is done.
    const queued = await expectEventually(
      async () => {
        const answer = await call('POST', '/v1/retention/sweeps', dpo);
        expect(answer.status).toBe(202);
        return answer;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    const run = await expectEventually(
      async () => {
        const answer = await call('GET', `/v1/retention/sweeps/${queued.body.runId}`, dpo);
        expect(answer.body.status).toBe('completed');
        return answer.body;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(run).toMatchObject({ applied: 0 });
    expect((await call('GET', `/v1/contacts/${contact}?purpose=sales`, sales)).status).toBe(200);

    expect((await call('DELETE', `/v1/contacts/${contact}/legal-hold`, dpo)).status).toBe(200);
    expect((await call('GET', `/v1/contacts/${contact}/legal-hold`, dpo)).body.code).toBe('LEGAL_HOLD_NOT_FOUND');

    await expectEventually(
      async () => {
        const report = await call('GET', `/v1/audit/subjects/${contact}/report`, dpo);
        const actions = (report.body.entries as EntryView[]).map((entry) => entry.action.split('.').at(-1));
        expect(actions).toEqual(expect.arrayContaining(['ContactCreated', 'LegalHoldSet', 'LegalHoldLifted']));
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  });
});
