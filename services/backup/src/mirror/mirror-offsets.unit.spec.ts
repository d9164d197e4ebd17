import { parseMirroredOffset } from './mirror-offsets.js';

const key = (parts: unknown) => JSON.stringify(['MirrorSourceConnector', parts]);

describe('parseMirroredOffset (a record of MirrorMaker 2 offsets topic)', () => {
  it('given a source offset of the primary, then it names the topic-partition and the last copied offset', () => {
    expect(parseMirroredOffset(key({ cluster: 'primary', partition: 2, topic: 'crm.contacts.v1.events' }), Buffer.from('{"offset":99}'))).toEqual({
      topic: 'crm.contacts.v1.events',
      partition: 2,
      lastCopied: 99n,
    });
  });

  it('given an offset beyond 2^53, then it is kept exactly', () => {
    expect(parseMirroredOffset(key({ cluster: 'primary', partition: 0, topic: 'crm.t' }), Buffer.from('{"offset":9007199254740993}'))?.lastCopied).toBe(
      9007199254740993n,
    );
  });

  it('given a tombstone, then the partition has no copied offset', () => {
    expect(parseMirroredOffset(key({ cluster: 'primary', partition: 1, topic: 'crm.t' }), null)).toEqual({ topic: 'crm.t', partition: 1, lastCopied: null });
  });

  it.each([
    ['another connector', JSON.stringify(['MirrorCheckpointConnector', { cluster: 'primary', partition: 0, topic: 'crm.t' }])],
    ['another source cluster', key({ cluster: 'elsewhere', partition: 0, topic: 'crm.t' })],
    ['no partition', key({ cluster: 'primary', topic: 'crm.t' })],
    ['a negative partition', key({ cluster: 'primary', partition: -1, topic: 'crm.t' })],
    ['not JSON', 'MirrorSourceConnector'],
    ['no key', undefined],
  ])('given %s, then it is not a mirrored offset', (_, recordKey) => {
    expect(parseMirroredOffset(recordKey, Buffer.from('{"offset":1}'))).toBeUndefined();
  });

  it('given a value without an offset, then it is not a mirrored offset', () => {
    expect(parseMirroredOffset(key({ cluster: 'primary', partition: 0, topic: 'crm.t' }), Buffer.from('{"position":1}'))).toBeUndefined();
  });
});
