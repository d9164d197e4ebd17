/** A snapshot the operator or the schedule asks for: a given type, or `auto` (the nightly job's choice). */
export type RequestedSnapshotType = 'full' | 'diff' | 'auto';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * What `auto` takes: a full backup when the repository has none younger than a week (the first night, and weekly
 * after), a differential one (everything changed since that full backup) every other night. Retention keeps the
 * last 4 full and 7 differential ones (deploy/local/postgres.sh), so 4 weeks of nightly restore points.
 */
export function snapshotType(requested: RequestedSnapshotType, lastFullAt: Date | undefined, now: Date): 'full' | 'diff' {
  if (requested !== 'auto') return requested;
  if (lastFullAt === undefined || now.getTime() - lastFullAt.getTime() >= WEEK_MS) return 'full';
  return 'diff';
}
