import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { totpCode } from './totp.js';

// RFC 4226 Appendix D and RFC 6238 Appendix B, with SHA-256/512 and 64-bit-time cases (the published vector set),
// kept as a fixture beside this independent test authenticator.
const vectors = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'rfc6238-totp.json'), 'utf8')) as {
  hotp: { secret_base32: string; codes_by_counter: string[] };
  totp: Array<{ algorithm: string; secret_base32: string; unix_time: number; code: string }>;
};

describe('the test authenticator (independent TOTP)', () => {
  it('given the RFC 4226 secret, then each counter step yields the published HOTP code', () => {
    vectors.hotp.codes_by_counter.forEach((code, counter) => expect(totpCode(vectors.hotp.secret_base32, counter * 30)).toBe(code));
  });

  it('given the RFC 6238 SHA-1 table, then the last six digits of every published code match', () => {
    for (const vector of vectors.totp.filter((v) => v.algorithm === 'sha1')) {
      expect(totpCode(vector.secret_base32, vector.unix_time)).toBe(vector.code.slice(-6));
    }
  });
});
