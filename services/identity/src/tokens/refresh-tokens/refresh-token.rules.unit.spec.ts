import { judgeRefreshToken, sessionExpiry, tokenExpiry } from './refresh-token.rules.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const lifetimes = { idleSeconds: 86_400, absoluteSeconds: 14 * 86_400 };

describe('judging a presented refresh token', () => {
  it('given an unused, unrevoked token before its expiry, then it is valid', () => {
    expect(judgeRefreshToken({ usedAt: null, revokedAt: null, expiresAt: later(1) }, NOW)).toBe('valid');
  });

  it('given a token already exchanged, then it is reuse — even if the session is revoked or expired by now', () => {
    expect(judgeRefreshToken({ usedAt: later(-60), revokedAt: null, expiresAt: later(100) }, NOW)).toBe('reused');
    expect(judgeRefreshToken({ usedAt: later(-60), revokedAt: later(-30), expiresAt: later(-10) }, NOW)).toBe('reused');
  });

  it('given a revoked, never used token, then it is revoked; an expired one, expired (at the exact instant too)', () => {
    expect(judgeRefreshToken({ usedAt: null, revokedAt: later(-1), expiresAt: later(100) }, NOW)).toBe('revoked');
    expect(judgeRefreshToken({ usedAt: null, revokedAt: null, expiresAt: NOW }, NOW)).toBe('expired');
  });
});

describe('refresh-token lifetimes', () => {
  it('given a new session, then a token lives one idle period and the session fourteen days', () => {
    const session = sessionExpiry(NOW, lifetimes);
    expect(session).toEqual(later(14 * 86_400));
    expect(tokenExpiry(NOW, session, lifetimes)).toEqual(later(86_400));
  });

  it('given a rotation near the end of the session, then the new token expires with the session, not later', () => {
    const session = sessionExpiry(NOW, lifetimes);
    const nearEnd = later(14 * 86_400 - 3600);
    expect(tokenExpiry(nearEnd, session, lifetimes)).toEqual(session);
  });
});
