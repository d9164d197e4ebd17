import { Writable } from 'node:stream';
import { createLogger } from './logger.js';
import { safeError } from './safe-error.js';

describe('error logging', () => {
  it('given a driver error quoting personal data, when serialised, then only codes, object names and frames remain', () => {
    const error = Object.assign(new Error('duplicate key value violates unique constraint'), {
      name: 'DatabaseError',
      code: '23505',
      constraint: 'contacts_email_key',
      detail: 'Key (email)=(jane@example.com) already exists.',
    });

    const safe = safeError(error);

    expect(safe).toMatchObject({ type: 'DatabaseError', code: '23505', constraint: 'contacts_email_key' });
    expect(JSON.stringify(safe)).not.toMatch(/jane@example\.com|duplicate key/);
    expect(safe.stack).toMatch(/^\s+at /);
  });

  it('given an error whose message is declared safe, then the message is kept', () => {
    const error = Object.assign(new Error('invalid configuration: CRM_PG_PORT'), { name: 'ConfigError' });
    expect(safeError(error).message).toBe('invalid configuration: CRM_PG_PORT');
  });

  it('given an aggregate of client errors, then each inner error keeps its stable codes and loses its message', () => {
    const inner = Object.assign(new Error('Topic jane@example.com already exists'), { name: 'ProtocolError', apiId: 'TOPIC_ALREADY_EXISTS', apiCode: 36 });
    const aggregate = Object.assign(new AggregateError([inner], 'Creating topics failed.'), { code: 'PLT_KFK_MULTIPLE' });

    const safe = safeError(aggregate);

    expect(safe.errors).toEqual([expect.objectContaining({ type: 'ProtocolError', apiId: 'TOPIC_ALREADY_EXISTS', apiCode: 36 })]);
    expect(JSON.stringify(safe)).not.toContain('jane@example.com');
  });

  it('given a logger, when sensitive keys are logged by mistake, then their values are redacted', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ service: 'test', level: 'info', destination });

    logger.info(
      {
        email: 'jane@example.com',
        contact: { phone: '+4912345', lastName: 'Doe' },
        req: { headers: { authorization: 'Bearer abc' } },
        code: 'CONTACT_NOT_FOUND',
      },
      'oops',
    );

    const line = lines.join('');
    expect(line).not.toMatch(/jane@example\.com|\+4912345|Doe|Bearer abc/);
    expect(line).toContain('CONTACT_NOT_FOUND');
  });
});
