import { fieldAad } from './field.aad.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('the associated data of a sealed field', () => {
  it('given the same binding twice, then the encoding is identical (it is recomputed on open, never stored)', () => {
    const binding = { subjectId: 's', fieldPath: 'f', keyId: 'k', keyVersion: 7 };

    expect(hex(fieldAad(binding))).toBe(hex(fieldAad({ ...binding })));
  });

  it('given separator characters moved between subject and field, then the encodings differ', () => {
    const shiftedRight = fieldAad({ subjectId: 'a|b', fieldPath: 'c', keyId: 'k', keyVersion: 1 });
    const shiftedLeft = fieldAad({ subjectId: 'a', fieldPath: 'b|c', keyId: 'k', keyVersion: 1 });

    expect(hex(shiftedRight)).not.toBe(hex(shiftedLeft));
  });

  it('given bytes moved between field path and key id, or digits between key id and version, then the encodings differ', () => {
    expect(hex(fieldAad({ subjectId: 's', fieldPath: 'ab', keyId: 'c', keyVersion: 1 }))).not.toBe(
      hex(fieldAad({ subjectId: 's', fieldPath: 'a', keyId: 'bc', keyVersion: 1 })),
    );
    expect(hex(fieldAad({ subjectId: 's', fieldPath: 'f', keyId: 'k1', keyVersion: 1 }))).not.toBe(
      hex(fieldAad({ subjectId: 's', fieldPath: 'f', keyId: 'k', keyVersion: 11 })),
    );
  });

  it('has the documented layout: length-prefixed version tag, algorithm, subject, field, key id, then u32 key version', () => {
    const aad = Buffer.from(fieldAad({ subjectId: 'sü', fieldPath: 'f', keyId: 'k', keyVersion: 258 }));
    const lp = (text: string) => {
      const bytes = Buffer.from(text, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return Buffer.concat([length, bytes]);
    };

    expect(aad.toString('hex')).toBe(
      Buffer.concat([lp('crm.crypto.v1.SealedField'), lp('AES_256_GCM'), lp('sü'), lp('f'), lp('k'), Buffer.from([0, 0, 1, 2])]).toString('hex'),
    );
  });
});
