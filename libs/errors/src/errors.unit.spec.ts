import { AppError, defineErrors, type ErrorTable } from './index.js';

const SAMPLE_ERRORS = {
  SAMPLE_INVALID: { kind: 'invalid', retriable: false },
  SAMPLE_BUSY: { kind: 'conflict', retriable: true },
} as const satisfies ErrorTable;

const sampleError = defineErrors(SAMPLE_ERRORS);

describe('defineErrors', () => {
  test('given a code, then the error carries the kind and retriability of its table row, not of the throw site', () => {
    const busy = sampleError('SAMPLE_BUSY', 'try again', { details: { attempt: 2 } });
    expect(busy).toBeInstanceOf(AppError);
    expect([busy.code, busy.kind, busy.retriable, busy.message, busy.details]).toEqual(['SAMPLE_BUSY', 'conflict', true, 'try again', { attempt: 2 }]);

    const invalid = sampleError('SAMPLE_INVALID', 'no', { retriable: true } as never);
    expect([invalid.code, invalid.kind, invalid.retriable]).toEqual(['SAMPLE_INVALID', 'invalid', false]);
  });

  test('given a cause, then it is kept as the standard Error cause', () => {
    const cause = new Error('low level');
    expect(sampleError('SAMPLE_INVALID', 'no', { cause }).cause).toBe(cause);
    expect('cause' in sampleError('SAMPLE_INVALID', 'no')).toBe(false);
  });

  test('given a code outside the table (from untyped code), then the factory refuses it', () => {
    expect(() => sampleError('TOSTRING' as never, 'x')).toThrow(TypeError);
    expect(() => sampleError('toString' as never, 'x')).toThrow(TypeError);
  });

  test('is recognises exactly the codes of its table', () => {
    expect(sampleError.is(sampleError('SAMPLE_BUSY', 'x'))).toBe(true);
    expect(sampleError.is(sampleError('SAMPLE_BUSY', 'x'), 'SAMPLE_BUSY')).toBe(true);
    expect(sampleError.is(sampleError('SAMPLE_BUSY', 'x'), 'SAMPLE_INVALID')).toBe(false);
    expect(sampleError.is(new AppError('OTHER_CODE', 'invalid', 'x'))).toBe(false);
    expect(sampleError.is(new AppError('toString', 'invalid', 'x'))).toBe(false);
    expect(sampleError.is(new Error('SAMPLE_BUSY'))).toBe(false);
  });
});
