import type { EventStore } from '@crm/eventstore';
import { EVENT_STORE } from '@crm/platform';
import { clock, DPO, READER, useConsentApp } from '../../testing/consent.fixture.js';
import { requestStream } from '../request.streams.js';

const consent = useConsentApp();
const store = () => consent.app.get<EventStore>(EVENT_STORE);
const dpo = (method: string, path: string, body?: unknown) => consent.callWithMfa(method, path, DPO, 10, body);

/** A verified request about a contact consent knows (it records objections only for contacts that exist). */
async function verifiedRequest(type: string, known?: string): Promise<{ id: string; contactId: string }> {
  const contactId = known ?? (await consent.knownContact());
  const filed = await dpo('POST', '/v1/requests', { type, contactId, channel: 'email', receivedAt: '2027-01-15T10:30:00.000Z' });
  expect(filed.status).toBe(201);
  const id = filed.body.requestId as string;
  expect((await dpo('POST', `/v1/requests/${id}/verification`, { method: 'email-confirmation', evidence: 'confirmed by e-mail' })).status).toBe(200);
  return { id, contactId };
}

describe('completing a request', () => {
  it('an objection request records the objection (Art. 21) on the contact, then completes with a reference to it', async () => {
    clock.set('2027-01-16T08:00:00.000Z');
    const { id, contactId } = await verifiedRequest('objection');
    const completed = await dpo('POST', `/v1/requests/${id}/completion`, { purpose: 'marketing', reference: 'told by letter' });
    expect([completed.status, completed.body.status]).toEqual([200, 'completed']);

    const consents = await consent.call('GET', `/v1/contacts/${contactId}/consents`, READER);
    expect(consents.body.objections.marketing).toMatchObject({ recordedAt: '2027-01-16T08:00:00.000Z', recordedBy: consent.actor });
    const detail = await dpo('GET', `/v1/requests/${id}`);
    expect(detail.body.history.at(-1)).toMatchObject({
      type: 'RequestCompleted',
      reference: 'objection to marketing recorded (consent stream version 1); told by letter',
    });
  });

  it('an objection recorded already counts as done', async () => {
    const contactId = await consent.knownContact();
    expect((await consent.call('POST', `/v1/contacts/${contactId}/objections`, ['consent:write'], { purpose: 'analytics' })).status).toBe(201);
    const { id } = await verifiedRequest('objection', contactId);
    const completed = await dpo('POST', `/v1/requests/${id}/completion`, { purpose: 'analytics' });
    expect([completed.status, completed.body.status]).toEqual([200, 'completed']);
  });

  it('refuses a completion that cannot record its work, and records nothing', async () => {
    const { id, contactId } = await verifiedRequest('objection');
    const cases = [
      [{}, 400, 'REQUEST_OBJECTION_PURPOSE_REQUIRED'],
      [{ purpose: 'sales' }, 400, 'OBJECTION_NOT_APPLICABLE'],
      [{ purpose: 'gossip' }, 400, 'CONSENT_PURPOSE_UNKNOWN'],
    ] as const;
    for (const [body, status, code] of cases) {
      const refused = await dpo('POST', `/v1/requests/${id}/completion`, body);
      expect({ body, status: refused.status, code: refused.body.code }).toEqual({ body, status, code });
    }
    expect(await store().readStream(`consent-${contactId}`)).toEqual([]);
    expect((await store().readStream(requestStream(id))).length).toBe(2);

    const { id: access } = await verifiedRequest('access');
    const notApplicable = await dpo('POST', `/v1/requests/${access}/completion`, { purpose: 'marketing' });
    expect([notApplicable.status, notApplicable.body.code]).toEqual([400, 'REQUEST_PURPOSE_NOT_APPLICABLE']);

    // An unverified objection request: the completion's own refusal, and no objection recorded.
    const other = await consent.knownContact();
    const filed = await dpo('POST', '/v1/requests', { type: 'objection', contactId: other, channel: 'email', receivedAt: '2027-01-15T10:30:00.000Z' });
    const unverified = await dpo('POST', `/v1/requests/${filed.body.requestId}/completion`, { purpose: 'marketing' });
    expect([unverified.status, unverified.body.code]).toEqual([409, 'REQUEST_NOT_VERIFIED']);
    expect(await store().readStream(`consent-${other}`)).toEqual([]);
  });
});
