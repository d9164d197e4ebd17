/**
 * The bookkeeping of signing keys, as pure functions over a small document: which key signs, and which retired
 * keys must stay published because tokens they signed may still be alive. Times are epoch seconds, supplied by the
 * caller. The private keys themselves live beside it, one file per `kid` (see `SigningKeyStore`).
 */
export interface KeyringEntry {
  /** RFC 7638 JWK thumbprint of the public key. */
  kid: string;
  createdAt: number;
  /** When it stopped signing. */
  retiredAt?: number;
  /** When the last token it signed has certainly expired; it is published until then, and then forgotten. */
  publishUntil?: number;
}

export interface Keyring {
  /** Increases by one on every change; the file name carries it, which is what serialises writers. */
  generation: number;
  current: string;
  keys: KeyringEntry[];
}

export interface RetirementPolicy {
  accessTokenLifetimeSeconds: number;
  /** The verifiers' clock tolerance: a token is accepted this long past its `exp`. */
  clockToleranceSeconds: number;
}

export function initialKeyring(kid: string, nowSeconds: number): Keyring {
  return { generation: 1, current: kid, keys: [{ kid, createdAt: nowSeconds }] };
}

/**
 * Makes `newKid` the signing key. The previous one retires now and stays published for one access-token lifetime
 * plus clock tolerance, so every token it signed keeps verifying until it expires on its own; keys whose
 * publication window has passed are dropped (returned, so their private files can be destroyed).
 */
export function rotateKeyring(ring: Keyring, newKid: string, nowSeconds: number, policy: RetirementPolicy): { ring: Keyring; dropped: string[] } {
  if (ring.keys.some((entry) => entry.kid === newKid)) throw new Error('a rotation needs a key that was never used before');
  const publishUntil = nowSeconds + policy.accessTokenLifetimeSeconds + policy.clockToleranceSeconds;
  const retired = ring.keys.map((entry) => (entry.kid === ring.current ? { ...entry, retiredAt: nowSeconds, publishUntil } : entry));
  const kept = retired.filter((entry) => entry.publishUntil === undefined || entry.publishUntil > nowSeconds);
  const dropped = retired.filter((entry) => !kept.includes(entry)).map((entry) => entry.kid);
  return { ring: { generation: ring.generation + 1, current: newKid, keys: [{ kid: newKid, createdAt: nowSeconds }, ...kept] }, dropped };
}

/** The kids to publish in the JWKS at `nowSeconds`: the current key first, then retired keys still in their window. */
export function publishedKids(ring: Keyring, nowSeconds: number): string[] {
  const retired = ring.keys
    .filter((entry) => entry.kid !== ring.current && entry.publishUntil !== undefined && entry.publishUntil > nowSeconds)
    .sort((a, b) => (b.retiredAt ?? 0) - (a.retiredAt ?? 0))
    .map((entry) => entry.kid);
  return [ring.current, ...retired];
}

const KID = /^[A-Za-z0-9_-]{43}$/;

/** Validates a keyring read from disk; a hand-edited or truncated file is refused rather than half-trusted. */
export function parseKeyring(value: unknown): Keyring {
  const fail = (why: string): never => {
    throw new Error(`signing keyring is invalid: ${why}`);
  };
  if (typeof value !== 'object' || value === null) return fail('not an object');
  const { generation, current, keys } = value as Record<string, unknown>;
  if (typeof generation !== 'number' || !Number.isSafeInteger(generation) || generation < 1) return fail('generation');
  if (typeof current !== 'string' || !KID.test(current)) return fail('current');
  if (!Array.isArray(keys)) return fail('keys');
  const entries = keys.map((entry: unknown): KeyringEntry => {
    if (typeof entry !== 'object' || entry === null) return fail('key entry');
    const { kid, createdAt, retiredAt, publishUntil } = entry as Record<string, unknown>;
    if (typeof kid !== 'string' || !KID.test(kid) || !isEpoch(createdAt)) return fail('key entry');
    if ((retiredAt !== undefined && !isEpoch(retiredAt)) || (publishUntil !== undefined && !isEpoch(publishUntil))) return fail('key entry times');
    return { kid, createdAt, ...(retiredAt === undefined ? {} : { retiredAt }), ...(publishUntil === undefined ? {} : { publishUntil }) };
  });
  if (!entries.some((entry) => entry.kid === current && entry.retiredAt === undefined)) return fail('current key is missing or retired');
  return { generation, current, keys: entries };
}

function isEpoch(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
