import { confirmationTtlHours, contactOfToken, newConfirmationToken, tokenSha256 } from './confirmation-token.js';

describe('confirmation tokens', () => {
  const contactId = '01900000-0000-7000-8000-00000000c0c0';

  it('name their contact, are 64 url-safe characters, differ every time, and only their hash is kept', () => {
    const first = newConfirmationToken(contactId);
    const second = newConfirmationToken(contactId);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(first.token).not.toBe(second.token);
    expect(contactOfToken(first.token)).toBe(contactId);
    expect(first.tokenSha256).toBe(tokenSha256(first.token));
    expect(first.tokenSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each(['', 'short', 'x'.repeat(63), 'x'.repeat(65), `${'x'.repeat(63)}!`])('a malformed token %p names no contact', (token) => {
    expect(contactOfToken(token)).toBeUndefined();
  });

  it('lives 72 hours unless configured, within 1 to 720', () => {
    expect(confirmationTtlHours({})).toBe(72);
    expect(confirmationTtlHours({ CRM_CONSENT_CONFIRMATION_TTL_HOURS: '24' })).toBe(24);
    for (const bad of ['0', '721', '1.5', 'soon']) expect(() => confirmationTtlHours({ CRM_CONSENT_CONFIRMATION_TTL_HOURS: bad })).toThrow();
  });
});
