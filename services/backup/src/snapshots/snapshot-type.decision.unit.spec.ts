import { snapshotType } from './snapshot-type.decision.js';

const now = new Date('2026-12-01T02:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 60 * 60 * 1000);

describe('snapshotType', () => {
  it('given an explicit type, then that type', () => {
    expect(snapshotType('full', daysAgo(1), now)).toBe('full');
    expect(snapshotType('diff', undefined, now)).toBe('diff');
  });

  it('given auto and no full backup yet, then a full one', () => {
    expect(snapshotType('auto', undefined, now)).toBe('full');
  });

  it('given auto and a full backup younger than a week, then a differential one', () => {
    expect(snapshotType('auto', daysAgo(6.9), now)).toBe('diff');
  });

  it('given auto and a full backup a week old, then a full one', () => {
    expect(snapshotType('auto', daysAgo(7), now)).toBe('full');
  });
});
