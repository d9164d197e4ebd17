import { create, fromBinary, ShredReason, SubjectKeyShreddedSchema, timestampFromDate, toBinary } from '@crm/contracts';
import { protobufShredAnnouncementCodec } from './subject-key-shredded.codec.js';
import { ShredListener } from './shred.listener.js';

/** A real (if tiny) key cache: the set of subjects whose DEKs it holds. */
function setCache(...subjects: string[]) {
  const held = new Set(subjects);
  return { held, evict: (subjectId: string) => void held.delete(subjectId) };
}

const announcement = { subjectId: 'subject-1', shreddedAt: new Date('2025-01-02T03:04:05.678Z'), keyVersions: [1, 2], reason: 'ERASURE_REQUEST' as const };

describe('the shred announcement codec', () => {
  it('given an announcement, when encoded and decoded, then it is unchanged', () => {
    expect(protobufShredAnnouncementCodec.decode(protobufShredAnnouncementCodec.encode(announcement))).toEqual(announcement);
  });

  it('encodes to the crm.keys.v1.SubjectKeyShredded contract', () => {
    const message = fromBinary(SubjectKeyShreddedSchema, protobufShredAnnouncementCodec.encode(announcement));
    expect(message).toMatchObject({ subjectId: 'subject-1', keyVersions: [1, 2], reason: ShredReason.ERASURE_REQUEST });
  });

  it.each([
    ['bytes that are not protobuf', Buffer.from([0xff, 0xff, 0xff])],
    ['an empty message', Buffer.alloc(0)],
    [
      'an announcement without a reason',
      toBinary(SubjectKeyShreddedSchema, create(SubjectKeyShreddedSchema, { subjectId: 's', shreddedAt: timestampFromDate(new Date()), keyVersions: [1] })),
    ],
    [
      'an announcement without a time',
      toBinary(SubjectKeyShreddedSchema, create(SubjectKeyShreddedSchema, { subjectId: 's', keyVersions: [1], reason: ShredReason.ERASURE_REQUEST })),
    ],
  ])('given %s, then decoding fails with SHRED_ANNOUNCEMENT_INVALID', (_label, raw) => {
    expect(() => protobufShredAnnouncementCodec.decode(raw)).toThrow(expect.objectContaining({ code: 'SHRED_ANNOUNCEMENT_INVALID' }));
  });
});

describe('the shred listener', () => {
  it('given announcements, when handled, then every cache forgets those subjects and only those', () => {
    const first = setCache('subject-1', 'subject-2');
    const second = setCache('subject-1');
    const listener = new ShredListener([first, second]);

    const outcome = listener.handle([{ key: 'subject-1', value: Buffer.from(protobufShredAnnouncementCodec.encode(announcement)) }]);

    expect(outcome).toEqual({ evicted: ['subject-1'], unusable: 0 });
    expect([...first.held]).toEqual(['subject-2']);
    expect([...second.held]).toEqual([]);
  });

  it('given a value it cannot decode, then it still evicts by the message key (the subject id)', () => {
    const cache = setCache('subject-9');

    const outcome = new ShredListener(cache).handle([{ key: 'subject-9', value: Buffer.from('\x08\x01 protobuf, perhaps') }]);

    expect(outcome).toEqual({ evicted: ['subject-9'], unusable: 0 });
    expect(cache.held.size).toBe(0);
  });

  it('given neither a key nor a decodable value, then the message is counted as unusable', () => {
    expect(new ShredListener(setCache()).handle([{ key: undefined, value: Buffer.from('?') }])).toEqual({ evicted: [], unusable: 1 });
  });
});
