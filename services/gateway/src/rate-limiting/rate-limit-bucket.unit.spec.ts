import { bucketOf } from './rate-limit.middleware.js';

describe('which rate-limit bucket a request is counted in', () => {
  it.each([
    ['/v1/auth/login', 'auth'],
    ['/v1/auth/mfa?x=1', 'auth'],
    ['/v1/me/mfa/totp', 'auth'],
    ['/v1/me/password', 'auth'],
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
