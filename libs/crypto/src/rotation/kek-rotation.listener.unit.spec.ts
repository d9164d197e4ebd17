import type { KekCache } from '../keys/kek-provider.port.js';
import { decodeKekRotated, encodeKekRotated, kekRotatedAnnouncement } from './kek-rotated.codec.js';
import { KekRotationListener } from './kek-rotation.listener.js';

function recorder() {
  const calls: string[] = [];
  const cache: KekCache = { forgetBelow: (epoch) => void calls.push(`below ${epoch}`), clear: () => void calls.push('clear') };
  return { calls, cache };
}

const rotatedAt = new Date('2025-03-01T02:00:00.000Z');

describe('KEK rotation announcements', () => {
  it('round-trip through the crm.keys.v1.KekRotated contract; from is the highest retired epoch', () => {
    const announcement = kekRotatedAnnouncement({ epoch: 7, retiredEpochs: [4, 6], rewrapped: 12, rotatedAt });

    expect(announcement).toEqual({ fromEpoch: 6, toEpoch: 7, rotatedAt, rewrappedKeys: 12 });
    expect(decodeKekRotated(encodeKekRotated(announcement))).toEqual(announcement);
    expect(kekRotatedAnnouncement({ epoch: 3, retiredEpochs: [], rewrapped: 0, rotatedAt }).fromEpoch).toBe(2);
  });

  it('refuse a value that is not a well-formed announcement', () => {
    expect(() => decodeKekRotated(Buffer.from('not protobuf at all \xff\xff'))).toThrow(expect.objectContaining({ code: 'KEK_ROTATION_ANNOUNCEMENT_INVALID' }));
    expect(() => decodeKekRotated(encodeKekRotated({ fromEpoch: 5, toEpoch: 5, rotatedAt, rewrappedKeys: 0 }))).toThrow(
      expect.objectContaining({ code: 'KEK_ROTATION_ANNOUNCEMENT_INVALID' }),
    );
  });
});

describe('the KEK rotation listener', () => {
  it('forgets every epoch below the announced one, in every cache', () => {
    const [a, b] = [recorder(), recorder()];
    const listener = new KekRotationListener([a.cache, b.cache]);

    const outcome = listener.handle([{ key: '7', value: Buffer.from(encodeKekRotated({ fromEpoch: 6, toEpoch: 7, rotatedAt, rewrappedKeys: 1 })) }]);

    expect(outcome.forgotten).toEqual([7]);
    expect(a.calls).toEqual(['below 7']);
    expect(b.calls).toEqual(['below 7']);
  });

  it('fails closed: an undecodable value falls back to the key, and with no usable key the caches are cleared', () => {
    const { calls, cache } = recorder();
    const listener = new KekRotationListener(cache);

    const outcome = listener.handle([
      { key: '9', value: Buffer.from('a newer encoding') },
      { key: undefined, value: Buffer.from('a newer encoding') },
      { key: 'not-an-epoch', value: Buffer.from('') },
    ]);

    expect(outcome.forgotten).toEqual([9, 'all', 'all']);
    expect(calls).toEqual(['below 9', 'clear', 'clear']);
  });
});
