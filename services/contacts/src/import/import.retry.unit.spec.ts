import { AppError } from '@crm/http';
import { decideRunFailure } from './import.retry.js';

const pgError = (code: string) => Object.assign(new Error('server said no'), { code });

describe('import run failures', () => {
  it('given a transient failure with attempts left, then the job is retried', () => {
    for (const error of [
      pgError('57P01'), // the backend terminated by an administrator
      pgError('40001'), // serialization failure
      pgError('ECONNREFUSED'),
      new AppError('OUTBOX_UNAVAILABLE', 'unavailable', 'try again', { retriable: true }),
    ]) {
      expect(decideRunFailure(error, { final: false })).toEqual({ kind: 'retry' });
    }
  });

  it('given a transient failure on the last attempt, then the import fails with a stable code', () => {
    expect(decideRunFailure(pgError('08006'), { final: true })).toEqual({ kind: 'fail', code: 'IMPORT_UNAVAILABLE' });
    expect(decideRunFailure(new AppError('OUTBOX_UNAVAILABLE', 'unavailable', 'try again', { retriable: true }), { final: true })).toEqual({
      kind: 'fail',
      code: 'OUTBOX_UNAVAILABLE',
    });
  });

  it('given a permanent failure, then the import fails at once with its code, attempts left or not', () => {
    for (const final of [false, true]) {
      expect(decideRunFailure(new AppError('CONTACT_FIELD_INVALID', 'invalid', 'bad row'), { final })).toEqual({ kind: 'fail', code: 'CONTACT_FIELD_INVALID' });
      expect(decideRunFailure(pgError('23514'), { final })).toEqual({ kind: 'fail', code: 'IMPORT_FAILED' });
      expect(decideRunFailure(new TypeError('a bug'), { final })).toEqual({ kind: 'fail', code: 'IMPORT_FAILED' });
    }
  });
});
