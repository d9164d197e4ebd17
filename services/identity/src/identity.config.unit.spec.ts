import { loadIdentityConfig } from './identity.config.js';

const platform = { stateDir: '/nonexistent' };
const load = (env: Record<string, string>) => loadIdentityConfig(platform, { CRM_ADMIN_PASSWORD: 'x', ...env });

describe('identity configuration: who must use a second factor', () => {
  it('given nothing, then no role is exempted or added (every role that sees personal data needs one)', () => {
    expect(load({})).toMatchObject({ mfaRequiredRoles: [], mfaExemptRoles: [] });
  });

  it('given roles to exempt, then they are listed, trimmed', () => {
    expect(load({ CRM_MFA_EXEMPT_ROLES: ' analyst , kiosk ' }).mfaExemptRoles).toEqual(['analyst', 'kiosk']);
  });

  it('given an exemption of a role with a sensitive permission, or of a role also required, then the boot fails naming the variable', () => {
    expect(() => load({ CRM_MFA_EXEMPT_ROLES: 'dpo' })).toThrow(
      expect.objectContaining({ problems: ['CRM_MFA_EXEMPT_ROLES: dpo holds a permission that always needs a second factor'] }),
    );
    expect(() => load({ CRM_MFA_EXEMPT_ROLES: 'sales', CRM_MFA_REQUIRED_ROLES: 'sales' })).toThrow(
      expect.objectContaining({ problems: ['CRM_MFA_EXEMPT_ROLES: sales is also in CRM_MFA_REQUIRED_ROLES'] }),
    );
  });
});

describe("identity configuration: the first administrator's password", () => {
  it("given no password, then the file is the state directory's admin.password and nothing is read yet (it may not exist)", () => {
    const config = loadIdentityConfig(platform, {});
    expect(config.adminPassword).toBeUndefined();
    expect(config.adminPasswordFile).toBe('/nonexistent/secrets/admin.password');
  });

  it('given CRM_ADMIN_PASSWORD or CRM_ADMIN_PASSWORD_FILE, then those are used', () => {
    expect(load({ CRM_ADMIN_PASSWORD: 'Given-pass1!' }).adminPassword?.reveal()).toBe('Given-pass1!');
    expect(loadIdentityConfig(platform, { CRM_ADMIN_PASSWORD_FILE: '/run/secrets/admin' }).adminPasswordFile).toBe('/run/secrets/admin');
  });
});

describe('identity configuration: the life of a one-time password', () => {
  it('given nothing, then a day; given a number of seconds, then those; given one out of range, then the boot fails naming the variable', () => {
    expect(load({}).oneTimePasswordTtlSeconds).toBe(86_400);
    expect(load({ CRM_ONE_TIME_PASSWORD_TTL_SECONDS: '3600' }).oneTimePasswordTtlSeconds).toBe(3_600);
    expect(() => load({ CRM_ONE_TIME_PASSWORD_TTL_SECONDS: '10' })).toThrow(
      expect.objectContaining({ problems: [expect.stringContaining('CRM_ONE_TIME_PASSWORD_TTL_SECONDS')] }),
    );
  });
});
