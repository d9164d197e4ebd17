import { jsonShredAnnouncementCodec } from './subject-key-shredded.codec.js';
import { ShredListener } from './shred.listener.js';

/** A real (if tiny) key cache: the set of subjects whose DEKs it holds. */
function setCache(...subjects: string[]) {
  const held = new Set(subjects);
  return { held, evict: (subjectId: string) => void held.delete(subjectId) };
}

const announcement = { subjectId: 'subject-1', shreddedAt: new Date('2025-01-02T03:04:05.678Z'), keyVersions: [1, 2], reason: 'GDPR_ART17_REQUEST' };

describe('the shred announcement codec', () => {
  it('given an announcement, when encoded and decoded, then it is unchanged', () => {
    expect(jsonShredAnnouncementCodec.decode(jsonShredAnnouncementCodec.encode(announcement))).toEqual(announcement);
  });

  it('encodes to the documented JSON shape', () => {
    expect(JSON.parse(Buffer.from(jsonShredAnnouncementCodec.encode(announcement)).toString())).toEqual({
      subjectId: 'subject-1',
      shreddedAt: '2025-01-02T03:04:05.678Z',
      keyVersions: [1, 2],
      reason: 'GDPR_ART17_REQUEST',
    });
  });

  it.each([['not json'], ['{}'], ['{"subjectId":"s","shreddedAt":"yesterday","keyVersions":[],"reason":"X"}']])(
    'given %s, then decoding fails with SHRED_ANNOUNCEMENT_INVALID',
    (raw) => {
      expect(() => jsonShredAnnouncementCodec.decode(Buffer.from(raw))).toThrow(expect.objectContaining({ code: 'SHRED_ANNOUNCEMENT_INVALID' }));
    },
  );
});

describe('the shred listener', () => {
  it('given announcements, when handled, then every cache forgets those subjects and only those', () => {
    const first = setCache('subject-1', 'subject-2');
    const second = setCache('subject-1');
    const listener = new ShredListener([first, second]);

    const outcome = listener.handle([{ key: 'subject-1', value: Buffer.from(jsonShredAnnouncementCodec.encode(announcement)) }]);

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
