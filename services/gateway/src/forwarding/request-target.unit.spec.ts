import { downstreamPath, effectivePath, inspectRequestTarget } from './request-target.js';

describe('the request target the gateway accepts', () => {
  it.each([
    ['/v1/contacts', '', '/v1/contacts'],
    ['/v1/contacts?purpose=sales&email=a%40b.example', 'purpose=sales&email=a%40b.example', '/v1/contacts'],
    ['/v1/contacts/0b9c3c1e-4b53-4f0b-9d0e-1d3b1f0c2a11/transactions', '', '/v1/contacts/0b9c3c1e-4b53-4f0b-9d0e-1d3b1f0c2a11/transactions'],
    ['/.well-known/jwks.json', '', '/.well-known/jwks.json'],
    ['/v1/contacts/a.b..c', '', '/v1/contacts/a.b..c'],
  ])('given the origin-form target %s, then it is accepted with its path and query', (target, query, path) => {
    expect(inspectRequestTarget(target)).toEqual({ ok: true, path, query });
  });

  it.each([
    ['http://127.0.0.1:18999/v1/auth/login', 'absolute-form'],
    ['HTTP://localhost/v1/auth/login', 'absolute-form'],
    ['//evil.example/v1/auth/login', 'absolute-form'],
    ['*', 'absolute-form'],
    ['127.0.0.1:8080', 'absolute-form'],
    ['/v1/contacts/../auth/login', 'dot-segment'],
    ['/v1/contacts/./x', 'dot-segment'],
    ['/v1/contacts/%2e%2e/transactions', 'dot-segment'],
    ['/v1/contacts/%2E%2e/transactions', 'dot-segment'],
    ['/v1/contacts/.%2e/transactions', 'dot-segment'],
    ['/v1/contacts/%2e', 'dot-segment'],
    ['/v1/contacts/..', 'dot-segment'],
    ['/v1/contacts/a%2Fb/transactions', 'encoded-separator'],
    ['/v1/contacts/%2e%2e%2fauth', 'encoded-separator'],
    ['/v1/contacts/a%5cb', 'encoded-separator'],
    ['/v1/contacts\\..\\auth', 'backslash'],
    ['/v1/contacts/%E0%A4%A', 'malformed-encoding'],
  ])('given %s, then it is refused as %s', (target, reason) => {
    expect(inspectRequestTarget(target)).toEqual({ ok: false, reason });
  });

  it('given a dot segment in the query only, then the path is what counts and it is accepted', () => {
    expect(inspectRequestTarget('/v1/audit/entries?cursor=../x')).toEqual({ ok: true, path: '/v1/audit/entries', query: 'cursor=../x' });
  });
});

describe('the path a lenient resolver would see', () => {
  it.each([
    ['http://127.0.0.1:18999/v1/auth/login', '/v1/auth/login'],
    ['/v1/contacts/%2e%2e/%2e%2e/v1/auth/login', '/v1/auth/login'],
    ['/v1/x/../auth/refresh', '/v1/auth/refresh'],
    ['/v1/contacts', '/v1/contacts'],
  ])('given %s, then it is %s', (target, path) => {
    expect(effectivePath(target)).toBe(path);
  });
});

describe('the downstream path of a matched route', () => {
  it('given parameters with characters that mean something in a path, then each is re-encoded into its one segment', () => {
    expect(downstreamPath('/v1/contacts/:id/transactions', { id: 'a/../b?c#d' }, '')).toBe('/v1/contacts/a%2F..%2Fb%3Fc%23d/transactions');
  });

  it('given a query, then it is carried over unchanged', () => {
    expect(downstreamPath('/v1/contacts/:id', { id: 'abc' }, 'purpose=sales')).toBe('/v1/contacts/abc?purpose=sales');
  });

  it('given a template whose parameter was not matched, then it refuses to build a path', () => {
    expect(() => downstreamPath('/v1/users/:id', {}, '')).toThrow('route parameter id is missing');
  });
});
