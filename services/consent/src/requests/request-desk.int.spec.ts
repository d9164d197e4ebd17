import { consentApi } from '@crm/api-contract';
import type { SubjectShredder } from '@crm/crypto';
import { decodePayload, LegalBasis, SubjectRequestFiledSchema, SubjectRequestIdentityVerifiedSchema, SubjectRequestType } from '@crm/contracts';
import { fold, type EventStore } from '@crm/eventstore';
import { EVENT_STORE, SUBJECT_SHREDDER } from '@crm/platform';
import { PG_POOL, type Pool } from '@crm/postgres';
import { clock, DPO, newContactId, READER, useConsentApp, WRITER } from '../testing/consent.fixture.js';
import { RequestStates } from './request-states.repository.js';
import { requestDecider } from './request.decider.js';
import { requestStream } from './request.streams.js';
import { RequestWriteModel } from './request.write-model.js';

const consent = useConsentApp();
const store = () => consent.app.get<EventStore>(EVENT_STORE);
/** A DPO's call with a second factor confirmed 10 seconds ago (fresh enough for every request route). */
const dpo = (method: string, path: string, body?: unknown) => consent.callWithMfa(method, path, DPO, 10, body);

const fileRequest = async (contactId: string, marker: string, override: Record<string, unknown> = {}) => {
  const filed = await dpo('POST', '/v1/requests', {
    type: 'access',
    contactId,
    channel: 'email',
    channelReference: `e-mail ${marker}`,
    receivedAt: '2027-01-15T10:30:00.000Z',
    ...override,
  });
  expect([filed.status, filed.text]).toEqual([201, expect.any(String)]);
  return filed.body as { requestId: string; dueAt: string; status: string };
};

describe('the data-subject request desk', () => {
  it('files, verifies, starts and completes a request; the texts are sealed and the state is the fold of the stream', async () => {
    clock.set('2027-01-16T08:00:00.000Z');
    // An objection, whose work is this service's own (the other types' work is done by contacts and audit, which the
    // e2e journey has).
    const contactId = await consent.knownContact();
    const filed = await fileRequest(contactId, 'Rq1Channel', { type: 'objection' });
    expect(filed).toMatchObject({
      status: 'received',
      contactId,
      requestType: 'objection',
      channel: 'email',
      receivedAt: '2027-01-15T10:30:00.000Z',
      dueAt: '2027-02-15T23:59:59.999Z',
      extensionMonths: 0,
      filedAt: '2027-01-16T08:00:00.000Z',
      filedBy: consent.actor,
      overdue: false,
      dueSoon: false,
      version: 1,
    });
    const id = filed.requestId;

    clock.set('2027-01-17T09:00:00.000Z');
    const verified = await dpo('POST', `/v1/requests/${id}/verification`, { method: 'id-document', evidence: 'ID card Rq1Evidence' });
    expect([verified.status, verified.body.status, verified.body.verificationMethod, verified.body.verifiedAt]).toEqual([
      200,
      'verified',
      'id-document',
      '2027-01-17T09:00:00.000Z',
    ]);
    expect((await dpo('POST', `/v1/requests/${id}/start`)).body.status).toBe('in-progress');
    clock.set('2027-01-20T09:00:00.000Z');
    const completed = await dpo('POST', `/v1/requests/${id}/completion`, { purpose: 'marketing', reference: 'package Rq1Reference' });
    expect([completed.status, completed.body.status, completed.body.completedAt, completed.body.version]).toEqual([
      200,
      'completed',
      '2027-01-20T09:00:00.000Z',
      4,
    ]);

    // Completed again: a stable conflict, nothing written.
    const again = await dpo('POST', `/v1/requests/${id}/completion`, {});
    expect([again.status, again.body.code]).toEqual([409, 'REQUEST_ALREADY_CLOSED']);

    const events = await store().readStream(requestStream(id));
    expect(events.map((event) => event.envelope.eventType)).toEqual([
      'crm.consent.v1.SubjectRequestFiled',
      'crm.consent.v1.SubjectRequestIdentityVerified',
      'crm.consent.v1.SubjectRequestStarted',
      'crm.consent.v1.SubjectRequestCompleted',
    ]);
    for (const event of events) {
      expect(event.envelope).toMatchObject({ subjectId: contactId, purpose: 'data-subject-rights', legalBasis: LegalBasis.LEGAL_OBLIGATION });
      expect(event.envelope.actor?.id).toBe(consent.actor);
      for (const marker of ['Rq1Channel', 'Rq1Evidence', 'Rq1Reference']) expect(Buffer.from(event.envelopeBytes).includes(marker)).toBe(false);
    }
    const filedPayload = decodePayload(events[0]!.envelope, SubjectRequestFiledSchema);
    expect([filedPayload.type, filedPayload.channelReference?.keyId]).toEqual([SubjectRequestType.OBJECTION, events[0]!.envelope.keyId]);
    expect(decodePayload(events[1]!.envelope, SubjectRequestIdentityVerifiedSchema).method).toBe('id-document');

    const model = consent.app.get(RequestWriteModel);
    const folded = fold(requestDecider, await Promise.all(events.map((event) => model.codec.decode(event.envelope))));
    const row = await consent.app.get(RequestStates).byId(id);
    expect(row?.state).toEqual(folded);
    expect(row?.version).toBe(4n);

    // The DPO's working file: the history with the texts opened.
    const detail = await dpo('GET', `/v1/requests/${id}`);
    expect(detail.status).toBe(200);
    // The answers are exactly what the API contract documents (parsing drops what it does not state, so a field the
    // contract lacks shows as a difference): fuzzing through the gateway rarely reaches a real request.
    expect(consentApi.verifyIdentity.response.parse(verified.body)).toEqual(verified.body);
    expect(consentApi.completeRequest.response.parse(completed.body)).toEqual(completed.body);
    expect(consentApi.viewRequest.response.parse(detail.body)).toEqual(detail.body);
    expect(detail.body.history.map((entry: { type: string }) => entry.type)).toEqual([
      'RequestFiled',
      'IdentityVerified',
      'RequestStarted',
      'RequestCompleted',
    ]);
    expect(detail.body.history[0]).toMatchObject({ version: 1, channelReference: 'e-mail Rq1Channel', actorId: consent.actor });
    expect(detail.body.history[1]).toMatchObject({ evidence: 'ID card Rq1Evidence' });
    expect(detail.body.history[3]).toMatchObject({ reference: 'objection to marketing recorded (consent stream version 1); package Rq1Reference' });
  });

  it('lists open, due-soon and overdue requests by the clock', async () => {
    clock.set('2030-03-01T08:00:00.000Z');
    const early = await fileRequest(await consent.knownContact(), 'L1', { receivedAt: '2030-01-20T08:00:00.000Z' }); // due 20 February: overdue
    const soon = await fileRequest(await consent.knownContact(), 'L2', { receivedAt: '2030-02-05T08:00:00.000Z' }); // due 5 March: due soon
    const later = await fileRequest(await consent.knownContact(), 'L3', { receivedAt: '2030-02-28T08:00:00.000Z' }); // due 28 March: open
    const closed = await fileRequest(await consent.knownContact(), 'L4', { receivedAt: '2030-01-20T08:00:00.000Z' });
    expect((await dpo('POST', `/v1/requests/${closed.requestId}/refusal`, { reason: 'identity not established L4' })).body.status).toBe('refused');

    const ids = async (status?: string) => {
      const listed = await consent.callWithMfa('GET', `/v1/requests${status === undefined ? '' : `?status=${status}`}`, DPO, 3600);
      expect(listed.status).toBe(200);
      return (listed.body.requests as Array<{ requestId: string }>)
        .map((request) => request.requestId)
        .filter((id) => [early, soon, later, closed].some((r) => r.requestId === id));
    };
    expect(await ids('overdue')).toEqual([early.requestId]);
    expect(await ids('due-soon')).toEqual([soon.requestId]);
    expect(await ids('open')).toEqual([early.requestId, soon.requestId, later.requestId]);
    expect(await ids()).toEqual([early.requestId, soon.requestId, later.requestId]);
    const listed = await consent.callWithMfa('GET', '/v1/requests?status=overdue', DPO, 3600);
    expect(listed.body.asOf).toBe('2030-03-01T08:00:00.000Z');
    expect(listed.body.requests.find((r: { requestId: string }) => r.requestId === early.requestId)).toMatchObject({ overdue: true, dueSoon: false });

    clock.set('2030-03-06T00:00:00.000Z');
    expect(await ids('overdue')).toEqual([early.requestId, soon.requestId]);
    expect((await consent.callWithMfa('GET', '/v1/requests?status=late', DPO, 3600)).body.code).toBe('REQUEST_INVALID');
  });

  it('extends by up to two further months in total, within the first month, with a sealed reason', async () => {
    clock.set('2027-01-20T08:00:00.000Z');
    const { requestId: id } = await fileRequest(await consent.knownContact(), 'Ext');
    const once = await dpo('POST', `/v1/requests/${id}/extension`, { months: 1, reason: 'complex Ext1Reason' });
    expect([once.status, once.body.dueAt, once.body.extensionMonths]).toEqual([200, '2027-03-15T23:59:59.999Z', 1]);
    const twice = await dpo('POST', `/v1/requests/${id}/extension`, { months: 1, reason: 'still complex' });
    expect([twice.status, twice.body.dueAt, twice.body.extensionMonths]).toEqual([200, '2027-04-15T23:59:59.999Z', 2]);
    const beyond = await dpo('POST', `/v1/requests/${id}/extension`, { months: 1, reason: 'more' });
    expect([beyond.status, beyond.body.code]).toEqual([409, 'REQUEST_EXTENSION_LIMIT']);

    const { requestId: late } = await fileRequest(await consent.knownContact(), 'Late');
    clock.set('2027-02-16T00:00:00.000Z');
    const tooLate = await dpo('POST', `/v1/requests/${late}/extension`, { months: 1, reason: 'too late' });
    expect([tooLate.status, tooLate.body.code]).toEqual([409, 'REQUEST_EXTENSION_TOO_LATE']);
    expect((await store().readStream(requestStream(id))).length).toBe(3);
    expect((await store().readStream(requestStream(late))).length).toBe(1);
    expect(Buffer.concat((await store().readStream(requestStream(id))).map((event) => Buffer.from(event.envelopeBytes))).includes('Ext1Reason')).toBe(false);
  });

  it('refuses a request about an erased contact (REQUEST_CONTACT_ERASED) and shows its texts as null after erasure', async () => {
    clock.set('2027-01-16T08:00:00.000Z');
    const contactId = await consent.knownContact();
    const { requestId: id } = await fileRequest(contactId, 'Er1');
    await dpo('POST', `/v1/requests/${id}/verification`, { method: 'phone-callback', evidence: 'called back Er1' });
    await consent.app.get<SubjectShredder>(SUBJECT_SHREDDER).shredSubject(contactId, 'ERASURE_REQUEST');

    const another = await dpo('POST', '/v1/requests', { type: 'erasure', contactId, channel: 'paper', receivedAt: '2027-01-15T10:30:00.000Z' });
    expect([another.status, another.body.code]).toEqual([410, 'REQUEST_CONTACT_ERASED']);
    const onIt = await dpo('POST', `/v1/requests/${id}/refusal`, { reason: 'anything' });
    expect([onIt.status, onIt.body.code]).toEqual([410, 'REQUEST_CONTACT_ERASED']);
    expect((await store().readStream(requestStream(id))).length).toBe(2);

    const detail = await dpo('GET', `/v1/requests/${id}`);
    expect(detail.status).toBe(200);
    expect([detail.body.history[0].channelReference, detail.body.history[1].evidence]).toEqual([null, null]);
  });

  it('refuses bad input with a stable code, never echoes the texts, and writes nothing', async () => {
    clock.set('2027-01-16T08:00:00.000Z');
    const secret = 'Zq9RequestSecret';
    const contactId = await consent.knownContact();
    const body = { type: 'access', contactId, channel: 'email', channelReference: secret, receivedAt: '2027-01-15T10:30:00.000Z' };
    const cases = [
      [{ ...body, type: 'gossip' }, 400, 'REQUEST_INVALID'],
      [{ ...body, channel: 'pigeon' }, 400, 'REQUEST_INVALID'],
      [{ ...body, receivedAt: 'yesterday' }, 400, 'REQUEST_INVALID'],
      [{ ...body, receivedAt: undefined }, 400, 'REQUEST_INVALID'],
      [{ ...body, channelReference: secret.repeat(100) }, 400, 'REQUEST_INVALID'],
      [{ ...body, note: secret }, 400, 'REQUEST_INVALID'],
      [{ ...body, contactId: `${secret}-not-a-uuid` }, 400, 'REQUEST_CONTACT_ID_INVALID'],
      [{ ...body, receivedAt: '2027-01-16T08:00:00.001Z' }, 400, 'REQUEST_RECEIVED_IN_FUTURE'],
    ] as const;
    for (const [input, status, code] of cases) {
      const response = await dpo('POST', '/v1/requests', input);
      expect({ input, status: response.status, code: response.body.code }).toEqual({ input, status, code });
      expect(response.text).not.toContain(secret);
    }
    const { requestId: id } = await fileRequest(contactId, 'Bad');
    const unverified = await dpo('POST', `/v1/requests/${id}/completion`, {});
    expect([unverified.status, unverified.body.code]).toEqual([409, 'REQUEST_NOT_VERIFIED']);
    const noEvidence = await dpo('POST', `/v1/requests/${id}/verification`, { method: 'id-document' });
    expect([noEvidence.status, noEvidence.body.code]).toEqual([400, 'REQUEST_INVALID']);
    for (const path of [`/v1/requests/${newContactId()}/start`, '/v1/requests/not-a-uuid/start']) {
      const unknown = await dpo('POST', path);
      expect([unknown.status, unknown.body.code]).toEqual([404, 'REQUEST_NOT_FOUND']);
    }
    expect((await dpo('GET', `/v1/requests/${newContactId()}`)).status).toBe(404);
    expect((await store().readStream(requestStream(id))).length).toBe(1);
  });

  it('refuses filing a request about a contact consent has never learnt of: 404 REQUEST_CONTACT_UNKNOWN, nothing written, the text not echoed', async () => {
    clock.set('2027-01-16T08:00:00.000Z');
    const contactId = newContactId();
    const refused = await dpo('POST', '/v1/requests', {
      type: 'erasure',
      contactId,
      channel: 'email',
      channelReference: 'Unk7Marker',
      receivedAt: '2027-01-15T10:30:00.000Z',
    });
    expect([refused.status, refused.body.code]).toEqual([404, 'REQUEST_CONTACT_UNKNOWN']);
    expect(refused.text).not.toContain('Unk7Marker');
    const pool = consent.app.get<Pool>(PG_POOL, { strict: false });
    expect((await pool.query('SELECT 1 FROM consent.subject_request_states WHERE contact_id = $1', [contactId])).rowCount).toBe(0);
    const listed = await dpo('GET', '/v1/requests?status=open');
    expect(listed.body.requests.filter((request: { contactId: string }) => request.contactId === contactId)).toEqual([]);
  });

  it('guards every route: requests:manage, and a fresh second factor for working a request', async () => {
    clock.set('2027-01-16T08:00:00.000Z');
    const { requestId: id } = await fileRequest(await consent.knownContact(), 'Guard');
    const body = { type: 'access', contactId: await consent.knownContact(), channel: 'email', receivedAt: '2027-01-15T10:30:00.000Z' };
    for (const perms of [WRITER, READER]) {
      expect((await consent.callWithMfa('POST', '/v1/requests', perms, 10, body)).status).toBe(403);
      expect((await consent.callWithMfa('GET', '/v1/requests', perms, 10)).status).toBe(403);
      expect((await consent.callWithMfa('GET', `/v1/requests/${id}`, perms, 10)).status).toBe(403);
    }
    const stale = await consent.callWithMfa('POST', `/v1/requests/${id}/verification`, DPO, 3600, { method: 'id-document', evidence: 'x' });
    expect([stale.status, stale.body.code]).toEqual([403, 'STEP_UP_REQUIRED']);
    expect((await consent.callWithMfa('POST', '/v1/requests', DPO, 3600, body)).body.code).toBe('STEP_UP_REQUIRED');
    expect((await consent.callWithMfa('GET', `/v1/requests/${id}`, DPO, 3600)).body.code).toBe('STEP_UP_REQUIRED');
    expect((await consent.callWithMfa('GET', '/v1/requests', DPO, 3600)).status).toBe(200);
    // requests:manage is a sensitive permission: without any second factor in the session, every route refuses.
    expect((await consent.callPasswordOnly('GET', '/v1/requests', DPO)).body.code).toBe('MFA_REQUIRED');
    expect((await consent.anonymous('GET', '/v1/requests')).status).toBe(401);
    expect((await store().readStream(requestStream(id))).length).toBe(1);
  });
});
