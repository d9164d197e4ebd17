import type { KekEpoch } from '../keys/postgres-key.store.js';

const DAY_MS = 86_400_000;

export interface KekRotationPolicy {
  /** A live epoch older than this is rotated away: the erasure guarantee's period. */
  rotationDays: number;
  /**
   * How long past `rotationDays` an epoch may live before it is an alarm: the check runs daily, so one day of slack
   * is normal; more means rotations are failing.
   */
  graceDays: number;
}

export interface KekRotationVerdict {
  /** The current epoch reached `rotationDays`: rotate now. */
  rotate: boolean;
  /** The oldest live epoch is past the deadline (`rotationDays + graceDays`): erasures are not yet complete in time. */
  overdue: boolean;
  /** Age of the oldest live epoch in whole days (0 with no epoch yet). */
  oldestLiveAgeDays: number;
}

/**
 * Whether the KEK must rotate, and whether the erasure deadline is missed. Erasure destroys a person's data key, but
 * its wrapped copies survive in dead tuples, WAL and backups until the KEK epoch that wrapped them is destroyed; so
 * every epoch must be gone within `rotationDays` (+ the check's slack) of its creation. Pure: the epochs and the time
 * are given.
 */
export function kekRotationVerdict(epochs: readonly KekEpoch[], now: Date, policy: KekRotationPolicy): KekRotationVerdict {
  if (!(policy.rotationDays > 0) || !(policy.graceDays >= 0)) throw new RangeError('rotationDays must be positive and graceDays not negative');
  const live = epochs.filter((epoch) => epoch.retiredAt === undefined);
  if (live.length === 0) return { rotate: false, overdue: false, oldestLiveAgeDays: 0 };
  const ageMs = (epoch: KekEpoch) => now.getTime() - epoch.createdAt.getTime();
  const oldest = Math.max(...live.map(ageMs));
  return {
    rotate: oldest >= policy.rotationDays * DAY_MS,
    overdue: oldest > (policy.rotationDays + policy.graceDays) * DAY_MS,
    oldestLiveAgeDays: Math.floor(oldest / DAY_MS),
  };
}
