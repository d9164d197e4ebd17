import { compareWrites, type HeldWrites, type WriteAttempt } from './write-ledger.js';

const CREATED = 'crm.contacts.v1.ContactCreated';
const RECTIFIED = 'crm.contacts.v1.ContactRectified';

const attempts: WriteAttempt[] = [
  { stream: 'a', kind: CREATED, acknowledged: true },
  { stream: 'a', kind: RECTIFIED, acknowledged: true },
  { stream: 'a', kind: RECTIFIED, acknowledged: false },
  { stream: 'b', kind: CREATED, acknowledged: true },
];

const STREAM_OF: Record<string, string> = { e1: 'a', e2: 'a', e3: 'b', e9: 'someone-else' };
const copy = (...ids: string[]) => ids.map((eventId) => ({ eventId, stream: STREAM_OF[eventId]! }));

function consistent(): HeldWrites {
  const eventStore = [
    { eventId: 'e1', stream: 'a', kind: CREATED },
    { eventId: 'e2', stream: 'a', kind: RECTIFIED },
    { eventId: 'e3', stream: 'b', kind: CREATED },
    { eventId: 'e9', stream: 'someone-else', kind: CREATED },
  ];
  return {
    eventStore,
    copies: { topic: copy('e1', 'e2', 'e3', 'e9'), audit: copy('e3', 'e2', 'e1') },
    readModelVersions: new Map([
      ['a', 2],
      ['b', 1],
    ]),
  };
}

describe('comparing acknowledged writes with the stores', () => {
  it('given every acknowledged write held once everywhere (a refused one not applied), then there is no problem', () => {
    expect(compareWrites(attempts, consistent())).toEqual([]);
  });

  it('given a refused write that was applied all the same, then there is no problem (it may have happened)', () => {
    const held = consistent();
    held.eventStore = [...held.eventStore, { eventId: 'e4', stream: 'a', kind: RECTIFIED }];
    held.copies = { topic: [...held.copies.topic!, { eventId: 'e4', stream: 'a' }], audit: [...held.copies.audit!, { eventId: 'e4', stream: 'a' }] };
    held.readModelVersions = new Map([...held.readModelVersions, ['a', 3]]);
    expect(compareWrites(attempts, held)).toEqual([]);
  });

  it('given an acknowledged write missing from the event store, then it is reported lost', () => {
    const held = consistent();
    held.eventStore = held.eventStore.filter((event) => event.eventId !== 'e3');
    held.copies = { topic: copy('e1', 'e2'), audit: copy('e1', 'e2') };
    expect(compareWrites(attempts, held)).toEqual([`lost: b ${CREATED}: 1 acknowledged, 0 in the event store`]);
  });

  it('given a write applied more often than attempted, then it is reported applied twice', () => {
    const held = consistent();
    held.eventStore = [...held.eventStore, { eventId: 'e5', stream: 'b', kind: CREATED }];
    held.copies = { topic: [...held.copies.topic!, { eventId: 'e5', stream: 'b' }], audit: [...held.copies.audit!, { eventId: 'e5', stream: 'b' }] };
    held.readModelVersions = new Map([...held.readModelVersions, ['b', 2]]);
    expect(compareWrites(attempts, held)).toEqual([`applied twice: b ${CREATED}: 1 attempted, 2 in the event store`]);
  });

  it('given an event twice on the topic, missing from the audit trail, or unknown to the event store, then each is reported', () => {
    const held = consistent();
    held.copies = { topic: copy('e1', 'e2', 'e2', 'e3'), audit: [...copy('e1', 'e3'), { eventId: 'e7', stream: 'a' }] };
    expect(compareWrites(attempts, held)).toEqual([
      'topic: event e2 held 2 times',
      'audit: event e2 held 0 times',
      'audit: event e7 is not in the event store',
    ]);
  });

  it('given a read model that missed or doubled an event, then its version is reported', () => {
    const held = consistent();
    held.readModelVersions = new Map([['a', 3]]);
    expect(compareWrites(attempts, held)).toEqual([
      'read model: a at version 3, the event store has 2 events',
      'read model: b at version none, the event store has 1 events',
    ]);
  });
});
