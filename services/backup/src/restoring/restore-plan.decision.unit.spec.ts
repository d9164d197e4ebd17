import { describe, expect, it } from '@jest/globals';
import type { RepositoryBackup } from '../snapshots/pgbackrest.cli.js';
import { assertLiveTargetWritable, planRestore, restoredTrailVerified } from './restore-plan.decision.js';

const backup = (label: string, stopped: string, error = false): RepositoryBackup => ({
  label,
  type: label.endsWith('F') ? 'full' : 'diff',
  startedAt: new Date(new Date(stopped).getTime() - 60_000),
  stoppedAt: new Date(stopped),
  sizeBytes: 1,
  repositoryDeltaBytes: 1,
  walStart: '000000010000000000000001',
  walStop: '000000010000000000000002',
  error,
});

const FULL = backup('20261128-020000F', '2026-11-28T02:01:00Z');
const DIFF = backup('20261128-020000F_20261129-020000D', '2026-11-29T02:01:00Z');
const BROKEN = backup('20261128-020000F_20261130-020000D', '2026-11-30T02:01:00Z', true);
const REPO = [DIFF, FULL, BROKEN];
const NOW = new Date('2026-12-01T12:00:00Z');

describe('planRestore', () => {
  it('given latest, when planning, then the newest good snapshot is replayed to the end of the archive', () => {
    const plan = planRestore({ from: 'latest', into: 'scratch', force: false }, REPO, NOW);
    expect(plan.snapshot.label).toBe(DIFF.label);
    expect(plan.target).toEqual({ type: 'end-of-archive' });
  });

  it('given latest and --until, when planning, then the newest snapshot that ended before it is chosen', () => {
    const until = new Date('2026-11-28T18:00:00Z');
    const plan = planRestore({ from: 'latest', until, into: 'live', force: true }, REPO, NOW);
    expect(plan.snapshot.label).toBe(FULL.label);
    expect(plan.target).toEqual({ type: 'time', until });
  });

  it('given a label, when planning, then that snapshot is chosen', () => {
    expect(planRestore({ from: FULL.label, into: 'scratch', force: false }, REPO, NOW).snapshot).toBe(FULL);
  });

  it.each([
    ['an unknown label', { from: '20260101-000000F' }, 'RESTORE_SNAPSHOT_UNKNOWN'],
    ['a failed snapshot', { from: BROKEN.label }, 'RESTORE_SNAPSHOT_UNKNOWN'],
    ['something that is no label', { from: "'; rm -rf /" }, 'RESTORE_ARGUMENT_INVALID'],
    ['--until in the future', { from: 'latest', until: new Date('2027-01-01T00:00:00Z') }, 'RESTORE_ARGUMENT_INVALID'],
    ['--until that is no date', { from: 'latest', until: new Date('nonsense') }, 'RESTORE_ARGUMENT_INVALID'],
    ['--until before every snapshot', { from: 'latest', until: new Date('2026-11-01T00:00:00Z') }, 'RESTORE_NO_SNAPSHOT'],
    ['--until before the named snapshot', { from: DIFF.label, until: new Date('2026-11-28T18:00:00Z') }, 'RESTORE_UNTIL_BEFORE_SNAPSHOT'],
  ])('given %s, when planning, then it is refused with a stable code', (_, request, code) => {
    expect(() => planRestore({ into: 'scratch', force: false, ...request }, REPO, NOW)).toThrow(expect.objectContaining({ code }));
  });

  it('given an empty repository, when planning latest, then RESTORE_NO_SNAPSHOT', () => {
    expect(() => planRestore({ from: 'latest', into: 'scratch', force: false }, [], NOW)).toThrow(expect.objectContaining({ code: 'RESTORE_NO_SNAPSHOT' }));
  });
});

describe('assertLiveTargetWritable', () => {
  it('given live databases with data and no --force, then RESTORE_TARGET_NOT_EMPTY', () => {
    expect(() => assertLiveTargetWritable('live', false, true)).toThrow(expect.objectContaining({ code: 'RESTORE_TARGET_NOT_EMPTY' }));
  });

  it('given --force, an empty live target or a scratch target, then it goes ahead', () => {
    expect(() => assertLiveTargetWritable('live', true, true)).not.toThrow();
    expect(() => assertLiveTargetWritable('live', false, false)).not.toThrow();
    expect(() => assertLiveTargetWritable('scratch', false, true)).not.toThrow();
  });
});

describe('restoredTrailVerified', () => {
  it('given a verified trail, then verified', () => {
    expect(restoredTrailVerified({ verified: true, problems: [] })).toBe(true);
  });

  it('given only heads over entries after the restore point, then verified up to it', () => {
    expect(restoredTrailVerified({ verified: false, problems: [{ code: 'LOG_TRUNCATED' }] })).toBe(true);
  });

  it('given a changed entry or no reason at all, then not verified', () => {
    expect(restoredTrailVerified({ verified: false, problems: [{ code: 'LOG_TRUNCATED' }, { code: 'ENTRY_HASH_MISMATCH' }] })).toBe(false);
    expect(restoredTrailVerified({ verified: false, problems: [] })).toBe(false);
  });
});
