import { AppError } from '@crm/http';
import { backoffMs, errorCode, isRetriable } from './retry-policy.js';

describe('retry policy', () => {
  it.each([
    { label: 'a serialization failure', error: { code: '40001' }, expected: true },
    { label: 'a deadlock', error: { code: '40P01' }, expected: true },
    { label: 'a lost connection', error: { code: '08006' }, expected: true },
    { label: 'an admin shutdown', error: { code: '57P01' }, expected: true },
    { label: 'a refused connection', error: { code: 'ECONNREFUSED' }, expected: true },
    { label: 'a retriable domain error', error: new AppError('STREAM_VERSION_CONFLICT', 'conflict', 'x', { retriable: true }), expected: true },
    { label: 'a unique violation', error: { code: '23505' }, expected: false },
    { label: 'a type error in a handler', error: new TypeError('x is undefined'), expected: false },
    { label: 'a non-retriable domain error', error: new AppError('CONTACT_INVALID', 'invalid', 'x'), expected: false },
    { label: 'a string', error: 'boom', expected: false },
  ])('given $label, then retriable is $expected', ({ error, expected }) => {
    expect(isRetriable(error)).toBe(expected);
  });

  it('given growing attempts, then the backoff window grows exponentially up to the cap', () => {
    const max = () => 0.999999;
    expect([0, 1, 2, 3, 10, 20].map((attempt) => backoffMs(attempt, max))).toEqual([99, 199, 399, 799, 9999, 9999]);
  });

  it('given any error, then the code kept for a dead letter never carries its message', () => {
    expect(errorCode(new TypeError('jane@example.com is not a function'))).toBe('UNHANDLED_TYPEERROR');
    expect(errorCode({ code: '23505', message: 'Key (email)=(jane@example.com)' })).toBe('23505');
    expect(errorCode(new AppError('CONTACT_INVALID', 'invalid', 'x'))).toBe('CONTACT_INVALID');
  });
});
