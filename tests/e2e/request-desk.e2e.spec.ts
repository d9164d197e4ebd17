// The data-subject request desk through the gateway (issue 12): a DPO, signed in with a second factor, files a
// customer's access request, verifies the requester's identity, finds it among the open requests, works it and
// completes it; completing it again is refused, and staff without requests:manage are refused everywhere. Users are
// created by the bootstrap administrator; the contact by support staff.
import { adminSession, createStaffUser, gateway, passwordSignIn, request as call, signIn, uniqueName } from '@crm/testing';

let support: string;
let dpo: string;

beforeAll(async () => {
  const admin = (await adminSession()).accessToken;
  support = await passwordSignIn(await createStaffUser(admin, 'support', 'desk'));
  const dpoUser = await createStaffUser(admin, 'dpo', 'desk');
  // Signed in with TOTP just now: the request routes' step-up is satisfied for the platform's window.
  dpo = (await signIn(dpoUser.email, dpoUser.password, { step: 1 })).accessToken;
});

async function createContact(): Promise<string> {
  const tag = uniqueName('c').replace(/[^a-z]/gi, '');
  const created = await call('POST', '/v1/contacts', support, { purpose: 'customer-service', data: { name: { given: `Ola${tag}`, family: 'Kowal' } } });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

describe('the request desk through the gateway', () => {
  it('a DPO files an access request, verifies the requester, lists it among the open ones, works and completes it', async () => {
    const contactId = await createContact();
    const receivedAt = new Date().toISOString();
    const filed = await call('POST', '/v1/requests', dpo, {
      type: 'access',
      contactId,
      channel: 'email',
      channelReference: 'e-mail to iod@example.com',
      receivedAt,
    });
    expect([filed.status, filed.body.status, filed.body.requestType, filed.body.contactId]).toEqual([201, 'received', 'access', contactId]);
    const id = filed.body.requestId as string;
    expect(Date.parse(filed.body.dueAt) - Date.parse(receivedAt)).toBeGreaterThanOrEqual(27 * 24 * 3600 * 1000);

    const unverified = await call('POST', `/v1/requests/${id}/completion`, dpo, {});
    expect([unverified.status, unverified.body.code]).toEqual([409, 'REQUEST_NOT_VERIFIED']);
    const verified = await call('POST', `/v1/requests/${id}/verification`, dpo, { method: 'signed-in-account', evidence: 'asked from the customer portal' });
    expect([verified.status, verified.body.status]).toEqual([200, 'verified']);

    const open = await call('GET', '/v1/requests?status=open', dpo);
    expect(open.status).toBe(200);
    expect(open.body.requests).toEqual(expect.arrayContaining([expect.objectContaining({ requestId: id, status: 'verified', overdue: false })]));

    expect((await call('POST', `/v1/requests/${id}/start`, dpo)).body.status).toBe('in-progress');
    const completed = await call('POST', `/v1/requests/${id}/completion`, dpo, { reference: 'package sent by e-mail' });
    expect([completed.status, completed.body.status]).toEqual([200, 'completed']);
    const again = await call('POST', `/v1/requests/${id}/completion`, dpo, {});
    expect([again.status, again.body.code]).toEqual([409, 'REQUEST_ALREADY_CLOSED']);

    const detail = await call('GET', `/v1/requests/${id}`, dpo);
    expect(detail.body.history.map((entry: { type: string }) => entry.type)).toEqual([
      'RequestFiled',
      'IdentityVerified',
      'RequestStarted',
      'RequestCompleted',
    ]);
    const stillOpen = await call('GET', '/v1/requests?status=open', dpo);
    expect(stillOpen.body.requests.map((request: { requestId: string }) => request.requestId)).not.toContain(id);
  });

  it('refuses staff without requests:manage (403) and anonymous callers (401) on every request route', async () => {
    const contactId = await createContact();
    const filed = await call('POST', '/v1/requests', dpo, { type: 'rectification', contactId, channel: 'phone', receivedAt: new Date().toISOString() });
    expect(filed.status).toBe(201);
    const id = filed.body.requestId as string;
    const routes: Array<[string, string, unknown?]> = [
      ['POST', '/v1/requests', { type: 'access', contactId, channel: 'email', receivedAt: new Date().toISOString() }],
      ['GET', '/v1/requests?status=open'],
      ['GET', `/v1/requests/${id}`],
      ['POST', `/v1/requests/${id}/verification`, { method: 'other', evidence: 'x' }],
      ['POST', `/v1/requests/${id}/extension`, { months: 1, reason: 'x' }],
      ['POST', `/v1/requests/${id}/start`],
      ['POST', `/v1/requests/${id}/completion`, {}],
      ['POST', `/v1/requests/${id}/refusal`, { reason: 'x' }],
    ];
    for (const [method, path, body] of routes) {
      const refused = await call(method, path, support, body);
      expect({ method, path, status: refused.status }).toEqual({ method, path, status: 403 });
      const anonymous = await fetch(`${gateway}${path}`, { method });
      expect({ method, path, status: anonymous.status }).toEqual({ method, path, status: 401 });
    }
    const untouched = await call('GET', `/v1/requests/${id}`, dpo);
    expect([untouched.body.status, untouched.body.version]).toEqual(['received', 1]);
  });
});
