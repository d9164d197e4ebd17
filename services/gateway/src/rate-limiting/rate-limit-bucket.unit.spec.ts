import { createHash } from 'node:crypto';
import { Secret } from '@crm/config';
import { bucketOf, clientKey, loadRateLimits } from './rate-limit.middleware.js';

describe('which rate-limit bucket a request is counted in', () => {
  it.each([
    ['/v1/auth/login', 'auth'],
    ['/v1/auth/mfa?x=1', 'auth'],
    ['/v1/me/mfa/totp', 'auth'],
    ['/v1/me/password', 'auth'],
    ['/v1/consent-confirmations/AAAA', 'auth'],
    ['/v1/contacts/x/consents', 'all'],
    ['/v1/contacts?purpose=sales', 'all'],
    ['/v1/me', 'all'],
    ['/v1/authors', 'all'],
  ])('given the plain target %s, then it is the %s bucket', (target, bucket) => {
    expect(bucketOf(target)).toBe(bucket);
  });

  it.each([
    'http://127.0.0.1:18999/v1/auth/login',
    'http://127.0.0.1:18999/v1/contacts',
    '/v1/contacts/%2e%2e/auth/login',
    '/v1/contacts/%2e%2e/transactions',
    '//elsewhere.example/v1/me',
  ])('given the refused target %s, then it is counted in the strict sign-in bucket', (target) => {
    expect(bucketOf(target)).toBe('auth');
  });
});

describe('the Redis key of a client address', () => {
  const secret = new Secret('k'.repeat(32));

  it('given an address, then its key is a keyed hash: not the plain SHA-256 of the address, and another key gives another', () => {
    const address = '203.0.113.7';
    const plain = createHash('sha256').update(address).digest('base64url').slice(0, 22);

    expect(clientKey(secret, address)).not.toBe(plain);
    expect(clientKey(secret, address)).not.toBe(clientKey(new Secret('j'.repeat(32)), address));
    expect(clientKey(secret, address)).toBe(clientKey(secret, address));
    expect(clientKey(secret, address)).not.toContain(address);
  });

  it('given a secret shorter than 32 characters, then the gateway refuses to start', () => {
    expect(() => loadRateLimits({ CRM_GATEWAY_RATE_LIMIT_SECRET: 'short' })).toThrow(/CRM_GATEWAY_RATE_LIMIT_SECRET/);
  });
});
