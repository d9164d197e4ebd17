import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { totpCode } from '@crm/testing';
import { decodeBase32, encodeBase32, hotp, MAX_OTP_COUNTER, totpAt, totpTimeStep, type OtpAlgorithm } from '../index.js';

interface Vectors {
  hotp: { secret_ascii: string; secret_base32: string; digits: number; codes_by_counter: string[] };
  totp: { algorithm: string; secret_ascii: string; secret_base32: string; unix_time: number; digits: number; code: string }[];
}

// The published vectors of RFC 4226 Appendix D and RFC 6238 Appendix B, copied verbatim into fixtures/ (see its "source").
const fixtures = fileURLToPath(new URL('fixtures/', import.meta.url));
const vectors = JSON.parse(readFileSync(join(fixtures, 'rfc6238-totp.json'), 'utf8')) as Vectors;
const ascii = (text: string) => new TextEncoder().encode(text);

describe('HOTP (RFC 4226 Appendix D)', () => {
  it('has all ten vectors', () => {
    expect(vectors.hotp.codes_by_counter).toHaveLength(10);
  });

  it.each(vectors.hotp.codes_by_counter.map((code, counter) => [counter, code] as const))('given counter %i, then %s', (counter, code) => {
    const secret = ascii(vectors.hotp.secret_ascii);
    expect(hotp(secret, BigInt(counter), { algorithm: 'SHA1', digits: vectors.hotp.digits })).toBe(code);
    expect(hotp(decodeBase32(vectors.hotp.secret_base32), BigInt(counter), { algorithm: 'SHA1', digits: vectors.hotp.digits })).toBe(code);
  });
});

describe('TOTP (RFC 6238 Appendix B)', () => {
  it('has the whole table, up to the year 2603', () => {
    expect(vectors.totp).toHaveLength(18);
    expect(Math.max(...vectors.totp.map((vector) => vector.unix_time))).toBe(20_000_000_000);
  });

  it.each(vectors.totp.map((vector) => [vector.unix_time, vector.algorithm, vector.code, vector] as const))(
    'given time %i and %s, then %s (otplib TOTP, and otplib HOTP at our time step as verifyTotp computes it)',
    (unixTime, algorithm, code, vector) => {
      const parameters = { algorithm: algorithm.toUpperCase() as OtpAlgorithm, digits: vector.digits, period: 30, t0: 0 };

      expect(totpAt(ascii(vector.secret_ascii), unixTime, parameters)).toBe(code);
      expect(totpAt(decodeBase32(vector.secret_base32), BigInt(unixTime), parameters)).toBe(code);
      expect(hotp(ascii(vector.secret_ascii), totpTimeStep(unixTime, 30), parameters)).toBe(code);
    },
  );

  it('given a time before T0 or beyond 2^53 − 1 seconds, then OTP_TIME_OUT_OF_RANGE', () => {
    const secret = ascii(vectors.hotp.secret_ascii);
    const parameters = { algorithm: 'SHA1', digits: 6, period: 30 } as const;

    expect(() => totpAt(secret, -1, parameters)).toThrow(expect.objectContaining({ code: 'OTP_TIME_OUT_OF_RANGE' }));
    expect(() => totpAt(secret, 59, { ...parameters, t0: 60 })).toThrow(expect.objectContaining({ code: 'OTP_TIME_OUT_OF_RANGE' }));
    expect(() => totpAt(secret, 2n ** 53n, parameters)).toThrow(expect.objectContaining({ code: 'OTP_TIME_OUT_OF_RANGE' }));
    expect(totpAt(secret, 90, { ...parameters, t0: 60 })).toBe(hotp(secret, 1n, parameters));
  });
});

describe('64-bit counters (RFC 4226 §5.1: 8 bytes, big-endian)', () => {
  const secret = ascii(vectors.hotp.secret_ascii);

  it('given times past 2038 and 2106, then the time step is exact (no 32-bit or 2^53 overflow)', () => {
    expect(totpTimeStep(20_000_000_000, 30)).toBe(666_666_666n);
    expect(totpTimeStep(2n ** 40n * 30n + 29n, 30)).toBe(2n ** 40n);
    expect(totpTimeStep(-1, 30)).toBe(-1n);
  });

  it('given counters above 2^32 (30 s steps after the year 6053), then the code of an independent authenticator', () => {
    // @crm/testing's totpCode hashes the 8-byte counter with node:crypto, independently of otplib.
    for (const step of [2n ** 32n, 2n ** 40n + 7n, 2n ** 47n]) {
      expect(hotp(secret, step, { algorithm: 'SHA1', digits: 6 })).toBe(totpCode(vectors.hotp.secret_base32, Number(step) * 30));
    }
  });

  it('given the largest counter otplib accepts (2^53 − 1), then a code; given 2^53, 2^64 or a negative counter, then an error', () => {
    expect(MAX_OTP_COUNTER).toBe(2n ** 53n - 1n);
    expect(hotp(secret, MAX_OTP_COUNTER, { algorithm: 'SHA1', digits: 6 })).toMatch(/^\d{6}$/);
    for (const counter of [2n ** 53n, 2n ** 64n - 1n, -1n]) {
      expect(() => hotp(secret, counter, { algorithm: 'SHA1', digits: 6 })).toThrow(expect.objectContaining({ code: 'OTP_COUNTER_OUT_OF_RANGE' }));
    }
  });

  it('given counters that differ only above bit 32, then the codes differ (the high bytes are hashed)', () => {
    expect(hotp(secret, 1n, { algorithm: 'SHA1', digits: 8 })).not.toBe(hotp(secret, (1n << 32n) + 1n, { algorithm: 'SHA1', digits: 8 }));
  });

  it.each([5, 9, 6.5])('given %s digits, then refused', (digits) => {
    expect(() => hotp(secret, 0n, { algorithm: 'SHA1', digits })).toThrow(expect.objectContaining({ code: 'OTP_PARAMETERS_INVALID' }));
  });
});

describe('base32 (RFC 4648)', () => {
  it('given the vector secrets, then encoding gives the unpadded base32 and decoding accepts it padded, spaced or lower case', () => {
    for (const vector of vectors.totp) {
      expect(encodeBase32(ascii(vector.secret_ascii))).toBe(vector.secret_base32.replace(/=+$/, ''));
      expect(decodeBase32(vector.secret_base32.toLowerCase().replace(/(.{4})/g, '$1 '))).toEqual(ascii(vector.secret_ascii));
    }
  });

  it.each([[''], ['f'], ['fo'], ['foo'], ['foob'], ['fooba'], ['foobar']])('RFC 4648 §10 test vector %j round-trips', (text) => {
    const expected = { '': '', f: 'MY', fo: 'MZXQ', foo: 'MZXW6', foob: 'MZXW6YQ', fooba: 'MZXW6YTB', foobar: 'MZXW6YTBOI' }[text];
    expect(encodeBase32(ascii(text))).toBe(expected);
    expect(decodeBase32(expected!)).toEqual(ascii(text));
  });

  it.each([
    ['MZXW1', 'a character outside the alphabet'],
    ['MZXW6Y', 'a length no byte string encodes to'],
    ['MZ', 'non-zero trailing bits'],
  ])('given %j (%s), then TOTP_SECRET_INVALID', (text) => {
    expect(() => decodeBase32(text)).toThrow(expect.objectContaining({ code: 'TOTP_SECRET_INVALID' }));
  });
});
