import type { ArgumentsHost } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppError } from './app-error.js';
import { ErrorFilter } from './error.filter.js';

/** What the filter answered: status, headers set and body, on a plain response object (no server). */
function answer(exception: unknown): { status: number; headers: Record<string, string>; body: Record<string, unknown> } {
  const out = { status: 0, headers: {} as Record<string, string>, body: {} as Record<string, unknown> };
  const response = {
    headersSent: false,
    setHeader: (name: string, value: string) => void (out.headers[name] = value),
    status(code: number) {
      out.status = code;
      return this;
    },
    json: (body: Record<string, unknown>) => void (out.body = body),
  };
  const host = { switchToHttp: () => ({ getRequest: () => ({ headers: { 'x-correlation-id': 'corr-1' } }), getResponse: () => response }) };
  const logger = { error: () => undefined } as unknown as Logger;
  new ErrorFilter(logger).catch(exception, host as unknown as ArgumentsHost);
  return out;
}

describe('the error filter', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a server shutting down', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['a lost connection', Object.assign(new Error('connection failure'), { code: '08006' })],
    ['a connection the server dropped under a query (node-postgres: no code)', new Error('Connection terminated unexpectedly')],
  ])('given %s (a store down or restarting), answers 503 STORE_UNAVAILABLE with Retry-After, quoting nothing', (_what, error) => {
    const { status, headers, body } = answer(error);
    expect({ status, retryAfter: headers['retry-after'], code: body.code }).toEqual({ status: 503, retryAfter: '1', code: 'STORE_UNAVAILABLE' });
    expect(JSON.stringify(body)).not.toContain('127.0.0.1');
  });

  it('given a bug, answers a generic 500 INTERNAL', () => {
    expect(answer(new TypeError("Cannot read properties of undefined (reading 'x')"))).toMatchObject({ status: 500, body: { code: 'INTERNAL' } });
  });

  it('given an application error, answers its own status and code', () => {
    expect(answer(new AppError('CONTACT_NOT_FOUND', 'not_found', 'no such contact'))).toMatchObject({ status: 404, body: { code: 'CONTACT_NOT_FOUND' } });
  });
});
