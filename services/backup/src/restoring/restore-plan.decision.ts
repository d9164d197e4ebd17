import { AppError } from '@crm/errors';
import type { RepositoryBackup } from '../snapshots/pgbackrest.cli.js';

/** What an operator asks `npm run restore` (or a drill) for. */
export interface RestoreRequest {
  /** A snapshot's label (pgBackRest's backup label) or `latest`. */
  from: string;
  /** Recover up to this moment (point-in-time recovery); absent: as far as the archived WAL goes. */
  until?: Date;
  into: 'scratch' | 'live';
  force: boolean;
}

/** What is restored: one snapshot, and how far past it the archived WAL is replayed. */
export interface RestorePlan {
  snapshot: RepositoryBackup;
  /** `end-of-archive`: every archived WAL segment (the newest recoverable state); `time`: up to `until`. */
  target: { type: 'end-of-archive' } | { type: 'time'; until: Date };
  into: 'scratch' | 'live';
}

const LABEL = /^\d{8}-\d{6}F(_\d{8}-\d{6}[DI])?$/;

/**
 * Chooses the snapshot a restore starts from. `latest` with `until` is the newest good snapshot that ended before
 * `until` (WAL replay brings it to that moment); a named one must exist, be good, and have ended before `until`.
 * Pure: the repository's listing and the clock are inputs.
 */
export function planRestore(request: RestoreRequest, backups: readonly RepositoryBackup[], now: Date): RestorePlan {
  if (request.from !== 'latest' && !LABEL.test(request.from)) {
    throw new AppError('RESTORE_ARGUMENT_INVALID', 'invalid', '--from must be latest or a snapshot label such as 20261201-020000F');
  }
  if (request.until !== undefined && (Number.isNaN(request.until.getTime()) || request.until.getTime() > now.getTime())) {
    throw new AppError('RESTORE_ARGUMENT_INVALID', 'invalid', '--until must be a valid moment that is not in the future');
  }
  const good = backups.filter((backup) => !backup.error).sort((a, b) => a.stoppedAt.getTime() - b.stoppedAt.getTime());
  const endsBefore = (backup: RepositoryBackup): boolean => request.until === undefined || backup.stoppedAt.getTime() <= request.until.getTime();
  let snapshot: RepositoryBackup | undefined;
  if (request.from === 'latest') {
    snapshot = good.filter(endsBefore).at(-1);
    if (snapshot === undefined) {
      throw new AppError(
        'RESTORE_NO_SNAPSHOT',
        'not_found',
        request.until === undefined ? 'the repository holds no usable snapshot yet' : 'no usable snapshot ended before --until',
      );
    }
  } else {
    snapshot = good.find((backup) => backup.label === request.from);
    if (snapshot === undefined) throw new AppError('RESTORE_SNAPSHOT_UNKNOWN', 'not_found', 'no usable snapshot with that label in the repository');
    if (!endsBefore(snapshot)) throw new AppError('RESTORE_UNTIL_BEFORE_SNAPSHOT', 'invalid', '--until is earlier than the end of that snapshot');
  }
  return { snapshot, target: request.until === undefined ? { type: 'end-of-archive' } : { type: 'time', until: request.until }, into: request.into };
}

/** A live restore replaces the platform's databases: refused while they hold data, unless the operator says --force. */
export function assertLiveTargetWritable(into: RestoreRequest['into'], force: boolean, liveHasData: boolean): void {
  if (into === 'live' && liveHasData && !force) {
    throw new AppError('RESTORE_TARGET_NOT_EMPTY', 'conflict', 'the live databases hold data; a restore into live replaces them only with --force');
  }
}

/**
 * Whether a restored audit trail stands verified. `LOG_TRUNCATED` alone is accepted: a signed head covers entries
 * written after the restore point (the archive had not shipped them yet), which is the RPO, not tampering; those heads
 * are left out of a rebuilt primary. Any other problem (a changed, removed or reordered entry) is not.
 */
export function restoredTrailVerified(audit: { verified: boolean; problems: ReadonlyArray<{ code: string }> }): boolean {
  return audit.verified || (audit.problems.length > 0 && audit.problems.every((problem) => problem.code === 'LOG_TRUNCATED'));
}
