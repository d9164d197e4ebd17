import type { ConsentState } from '../consent.decider.js';
import { pseudonymousProof } from './consent-proof.js';

const recorded: ConsentState = {
  consents: {
    marketing: {
      status: 'given',
      catalogueVersion: 2,
      noticeVersion: 'en-1',
      noticeContentSha256: 'ab'.repeat(32),
      channel: 'email',
      givenAt: '2026-12-01T10:00:00.000Z',
      givenBy: '0190a000-0000-7000-8000-00000000c0de',
    },
    analytics: {
      status: 'withdrawn',
      catalogueVersion: 1,
      noticeVersion: 'pl-3',
      channel: 'web-form',
      givenAt: '2026-11-01T10:00:00.000Z',
      givenBy: 'user-1',
      withdrawnAt: '2026-11-02T10:00:00.000Z',
      withdrawnBy: 'user-2',
      withdrawalChannel: 'phone',
    },
  },
  objections: { analytics: { catalogueVersion: 2, channel: 'paper', recordedAt: '2026-11-03T10:00:00.000Z', recordedBy: 'user-3' } },
  confirmations: {
    ['cd'.repeat(32)]: {
      purpose: 'marketing',
      catalogueVersion: 2,
      noticeVersion: 'en-1',
      noticeContentSha256: 'ab'.repeat(32),
      channel: 'email',
      requestedAt: '2026-12-01T09:00:00.000Z',
      requestedBy: 'user-4',
      expiresAt: '2026-12-04T09:00:00.000Z',
      confirmedAt: '2026-12-01T10:00:00.000Z',
    },
  },
};

describe('the pseudonymous proof an erased contact’s consent state is reduced to', () => {
  it('given consents, a withdrawal, an objection and a double opt-in, when reduced, then only purposes, versions, hashes, channels and dates remain', () => {
    expect(pseudonymousProof(recorded)).toEqual({
      consents: {
        marketing: {
          status: 'given',
          catalogueVersion: 2,
          noticeVersion: 'en-1',
          noticeContentSha256: 'ab'.repeat(32),
          channel: 'email',
          givenAt: '2026-12-01T10:00:00.000Z',
        },
        analytics: {
          status: 'withdrawn',
          catalogueVersion: 1,
          noticeVersion: 'pl-3',
          channel: 'web-form',
          givenAt: '2026-11-01T10:00:00.000Z',
          withdrawnAt: '2026-11-02T10:00:00.000Z',
          withdrawalChannel: 'phone',
        },
      },
      objections: { analytics: { catalogueVersion: 2, channel: 'paper', recordedAt: '2026-11-03T10:00:00.000Z' } },
    });
  });

  it('given a proof, when reduced again, then nothing changes (a redelivered erasure is harmless)', () => {
    const proof = pseudonymousProof(recorded);
    expect(pseudonymousProof(proof)).toEqual(proof);
  });

  it('given no consent record, when reduced, then the proof is empty', () => {
    expect(pseudonymousProof({ consents: {}, objections: {} })).toEqual({ consents: {}, objections: {} });
  });
});
