/** What the supervisor saw at one check of the mirror. */
export interface MirrorObservation {
  at: Date;
  /** Records on the primary not yet on the backup, over every platform topic-partition. */
  totalLag: bigint;
  /** When the mirror last committed progress (undefined: not since the service started). */
  lastProgressAt: Date | undefined;
}

export type MirrorHealth = 'ok' | 'stalled';

/**
 * The mirror is stalled when records wait on the primary and it has committed nothing for `stallAfterMs` (since the
 * service started, when it never has): it is down, wedged, or cannot reach a cluster. A mirror with nothing to copy
 * commits nothing and is fine. The alarm is raised on the change, not at every check.
 */
export function mirrorHealth(observation: MirrorObservation, startedAt: Date, stallAfterMs: number): MirrorHealth {
  if (observation.totalLag === 0n) return 'ok';
  const since = observation.lastProgressAt ?? startedAt;
  return observation.at.getTime() - since.getTime() >= stallAfterMs ? 'stalled' : 'ok';
}
