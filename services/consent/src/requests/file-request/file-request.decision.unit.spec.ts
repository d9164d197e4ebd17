import { contactId, dpoId, dueAt, filed, filedAt, givenRequestOf, receivedAt, requestId } from '../../testing/request-history.fixture.js';
import type { FileRequest } from '../request.decider.js';
import { decideFileRequest } from './file-request.decision.js';

const given = givenRequestOf(decideFileRequest);
const file = (override: Partial<FileRequest> = {}): FileRequest => ({
  type: 'FileRequest',
  requestId,
  contactId,
  requestType: 'access',
  channel: 'email',
  channelReference: filed.channelReference!,
  receivedAt,
  actorId: dpoId,
  at: filedAt,
  ...override,
});

describe('FileRequest', () => {
  it('given no request, when filed, then RequestFiled due one calendar month after receipt, and it is received', () => {
    const events = given().when(file());
    expect(events).toEqual([filed]);
    expect(given(...events).state).toMatchObject({ status: 'received', dueAt, extensionMonths: 0, filedBy: dpoId });
  });

  it('given no request, when filed without a channel reference, then the event has none', () => {
    const [event] = given().when(file({ channelReference: undefined }));
    expect(event).not.toHaveProperty('channelReference');
  });

  it('given no request, when received after the clock, then REQUEST_RECEIVED_IN_FUTURE (invalid)', () => {
    const error = given().refuses(file({ receivedAt: '2027-01-16T08:00:00.001Z' }));
    expect([error.code, error.kind]).toEqual(['REQUEST_RECEIVED_IN_FUTURE', 'invalid']);
    expect(given().when(file({ receivedAt: filedAt }))).toHaveLength(1);
  });

  it('given a received request filed late, when filed, then it is due from receipt (not from filing)', () => {
    const [event] = given().when(file({ receivedAt: '2026-11-30T09:00:00.000Z', at: '2027-01-16T08:00:00.000Z' }));
    expect(event).toMatchObject({ dueAt: '2026-12-30T23:59:59.999Z' });
  });

  it('never puts the channel reference in a refusal', () => {
    const error = given().refuses(file({ channelReference: 'Zq9Marker', receivedAt: '2099-01-01T00:00:00.000Z' }));
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('Zq9Marker');
  });
});
