import { generateTotpSecret, hotp, otpauthUri, totpAt, totpQrSvg, verifyTotp, TOTP_SECRET_BYTES } from '../index.js';

const secret = new TextEncoder().encode('12345678901234567890');
/** Exactly at the start of time step 40 000 000 (the year 2008), so ±n steps are ±30n seconds. */
const now = 40_000_000 * 30;
const STEP = 40_000_000n;
const codeAt = (step: bigint) => hotp(secret, step, { algorithm: 'SHA1', digits: 6 });

describe('verifyTotp (RFC 6238 §5.2)', () => {
  it('given the current code, then valid with its time step and no drift', () => {
    expect(verifyTotp(secret, codeAt(STEP), now)).toEqual({ valid: true, timeStep: STEP, drift: 0 });
    expect(verifyTotp(secret, totpAt(secret, now + 29), now + 29)).toEqual({ valid: true, timeStep: STEP, drift: 0 });
  });

  it('given the previous or the next step’s code, then valid (±1 step of clock skew) with the matched step', () => {
    expect(verifyTotp(secret, codeAt(STEP - 1n), now, { window: 1 })).toEqual({ valid: true, timeStep: STEP - 1n, drift: -1 });
    expect(verifyTotp(secret, codeAt(STEP + 1n), now, { window: 1 })).toEqual({ valid: true, timeStep: STEP + 1n, drift: 1 });
  });

  it('given a code two steps away, then invalid', () => {
    expect(verifyTotp(secret, codeAt(STEP - 2n), now, { window: 1 })).toEqual({ valid: false });
    expect(verifyTotp(secret, codeAt(STEP + 2n), now, { window: 1 })).toEqual({ valid: false });
  });

  it('given window 0, then only the current step', () => {
    expect(verifyTotp(secret, codeAt(STEP - 1n), now, { window: 0 })).toEqual({ valid: false });
  });

  it.each(['', '12345', '1234567', '12345a', ' 123456', '123 456', '１２３４５６', '-12345', '+12345', '12345\n', '0x1234'])(
    'given the malformed code %j, then simply invalid, no exception',
    (code) => {
      expect(verifyTotp(secret, code, now)).toEqual({ valid: false });
    },
  );

  it('given a non-string code (untyped JSON), then invalid', () => {
    expect(verifyTotp(secret, 123456 as unknown as string, now)).toEqual({ valid: false });
  });

  it('given SHA-256 and 8 digits, then they are honoured', () => {
    const code = hotp(secret, STEP, { algorithm: 'SHA256', digits: 8 });
    expect(verifyTotp(secret, code, now, { algorithm: 'SHA256', digits: 8 })).toEqual({ valid: true, timeStep: STEP, drift: 0 });
    expect(verifyTotp(secret, code, now)).toEqual({ valid: false });
  });

  it('given a time near the Unix epoch, then steps before 0 are skipped rather than failing', () => {
    expect(verifyTotp(secret, codeAt(0n), 5)).toEqual({ valid: true, timeStep: 0n, drift: 0 });
  });

  it('given a window wider than 2, then refused as a configuration error', () => {
    expect(() => verifyTotp(secret, codeAt(STEP), now, { window: 3 })).toThrow(expect.objectContaining({ code: 'OTP_PARAMETERS_INVALID' }));
  });
});

describe('TOTP enrolment', () => {
  it('given injected randomness, then a 20-byte secret and its base32', () => {
    const generated = generateTotpSecret((size) => new Uint8Array(size).fill(0xff));

    expect(TOTP_SECRET_BYTES).toBe(20);
    expect(generated.bytes).toEqual(new Uint8Array(20).fill(0xff));
    expect(generated.base32).toBe('7'.repeat(32));
  });

  it('given the system CSPRNG, then secrets differ', () => {
    expect(generateTotpSecret().base32).not.toBe(generateTotpSecret().base32);
    expect(generateTotpSecret().base32).toMatch(/^[A-Z2-7]{32}$/);
  });

  it('given issuer and account, then a Key Uri Format URI with percent-encoded label and every parameter', () => {
    const uri = otpauthUri({ issuer: 'Acme CRM', accountName: 'jane.doe+crm@example.com', secret });

    expect(uri).toBe(
      'otpauth://totp/Acme%20CRM:jane.doe%2Bcrm%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Acme%20CRM&algorithm=SHA1&digits=6&period=30',
    );
    expect(otpauthUri({ issuer: 'X', accountName: 'y', secret: 'gezd gnbv gy3t qojq gezd gnbv gy3t qojq', algorithm: 'SHA512', digits: 8, period: 60 })).toBe(
      'otpauth://totp/X:y?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=X&algorithm=SHA512&digits=8&period=60',
    );
  });

  it('given a colon in issuer or account, then OTPAUTH_URI_INVALID (the label would be ambiguous)', () => {
    expect(() => otpauthUri({ issuer: 'Acme:CRM', accountName: 'jane', secret })).toThrow(expect.objectContaining({ code: 'OTPAUTH_URI_INVALID' }));
    expect(() => otpauthUri({ issuer: 'Acme', accountName: '', secret })).toThrow(expect.objectContaining({ code: 'OTPAUTH_URI_INVALID' }));
    expect(() => otpauthUri({ issuer: 'Acme', accountName: 'jane', secret, digits: 9 })).toThrow(expect.objectContaining({ code: 'OTPAUTH_URI_INVALID' }));
  });

  it('given a URI, then an SVG QR code', async () => {
    const svg = await totpQrSvg(otpauthUri({ issuer: 'Acme', accountName: 'jane', secret }));

    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*viewBox="0 0 \d+ \d+"/);
    expect(svg.trimEnd()).toMatch(/<\/svg>$/);
  });
});
