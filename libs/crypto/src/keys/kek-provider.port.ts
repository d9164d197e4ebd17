/**
 * Key-encryption keys by epoch. An epoch's KEK wraps the DEKs created or re-wrapped while it is current; rotation
 * creates the next epoch and destroys the old one once nothing is wrapped under it any more.
 */
export interface KekProvider {
  /** The highest existing epoch; creates epoch 1 at first use. */
  currentEpoch(): Promise<number>;
  /** The 32-byte KEK of an epoch; throws KEK_UNAVAILABLE when it does not exist or was destroyed. */
  kek(epoch: number): Promise<Uint8Array>;
  /** Creates and returns the epoch after the highest existing one. */
  createNext(): Promise<number>;
  /** Irreversibly destroys an epoch's KEK. Idempotent: destroying a missing epoch is a no-op. */
  destroy(epoch: number): Promise<void>;
}

/**
 * Anything that holds KEKs in memory and must forget them when a rotation (in this process or another) destroys
 * them. A rotation to epoch N destroys every epoch below N.
 */
export interface KekCache {
  /** Forgets every epoch below `epoch` and a current epoch older than it. */
  forgetBelow(epoch: number): void;
  /** Forgets everything (an announcement that cannot be read must not leave a destroyed KEK trusted). */
  clear(): void;
}
