import { groupOf, groupsOf, mayRead, PLATFORM_SERVICES, placementOf, placementOfFileIn, ruleFor, SECRET_RULES, secretGroups } from './secret-access.ts';

const rule = (path: string) => {
  const found = SECRET_RULES.find((candidate) => candidate.path === path);
  if (found === undefined) throw new Error(`no rule for ${path}`);
  return found;
};

describe('who may read which secret', () => {
  it('given the gateway, when it asks for the keys that open personal data or sign anything, then it may read none of them', () => {
    for (const path of ['secrets/kek/1.key', 'secrets/kek/7.key', 'secrets/blind-index.key', 'secrets/jwt/keyring.1.json', 'audit/tree-head-signing.key']) {
      expect([path, mayRead('gateway', path)]).toEqual([path, false]);
    }
    expect(groupsOf('gateway')).toEqual(['crm-forwarding', 'crm-gateway', 'crm-redis']);
  });

  it('given the audit tree-head signing key, when every service asks, then only audit may read it', () => {
    const readers = PLATFORM_SERVICES.filter((service) => mayRead(service, 'audit/tree-head-signing.key'));
    expect(readers).toEqual(['audit']);
    expect(placementOfFileIn(rule('audit'), 'tree-head-signing.key')).toEqual({ owner: 'audit', group: 'crm-audit', mode: 0o600 });
    expect(placementOfFileIn(rule('audit'), 'tree-head-signing.pub').mode).toBe(0o644);
  });

  it('given the KEKs and the blind-index key, when every service asks, then exactly the key vault’s users (identity, contacts, consent)', () => {
    for (const path of ['secrets/kek/3.key', 'secrets/blind-index.key']) {
      expect(PLATFORM_SERVICES.filter((service) => mayRead(service, path))).toEqual(['identity', 'contacts', 'consent']);
    }
    expect(groupOf(rule('secrets/kek'))).toBe('crm-kek');
    expect(groupOf(rule('secrets/blind-index.key'))).toBe('crm-blind-index');
  });

  it('given identity’s signing keys and generated password, when every service asks, then only identity', () => {
    for (const path of ['secrets/jwt/key.json', 'secrets/identity/admin.password', 'secrets/login-throttle.secret']) {
      expect(PLATFORM_SERVICES.filter((service) => mayRead(service, path))).toEqual(['identity']);
    }
  });

  it('given the Postgres and Kafka passwords, when every service asks, then each reads its own; backup also the administrator’s and the audit verifier’s', () => {
    for (const service of ['identity', 'contacts', 'consent', 'audit', 'backup'] as const) {
      expect(PLATFORM_SERVICES.filter((other) => mayRead(other, `secrets/postgres-crm_${service}.password`))).toEqual([service]);
    }
    expect(PLATFORM_SERVICES.filter((service) => mayRead(service, 'secrets/postgres-crm.password'))).toEqual(['backup']);
    expect(PLATFORM_SERVICES.filter((service) => mayRead(service, 'secrets/kafka-audit.password'))).toEqual(['audit', 'backup']);
    expect(PLATFORM_SERVICES.filter((service) => mayRead(service, 'secrets/kafka-contacts.password'))).toEqual(['contacts']);
    for (const rootOnly of ['secrets/kafka-admin.password', 'secrets/postgres-superuser.password', 'secrets/backup-repo.cipher']) {
      expect(PLATFORM_SERVICES.filter((service) => mayRead(service, rootOnly))).toEqual([]);
    }
  });

  it('given a file the table does not name, when a service asks, then no one may read it (the secrets directory only lets them through)', () => {
    expect(ruleFor('secrets/something-new.key')).toBeUndefined();
    expect(PLATFORM_SERVICES.some((service) => mayRead(service, 'secrets/something-new.key'))).toBe(false);
    expect(placementOf(rule('secrets'))).toEqual({ owner: 'root', group: 'root', mode: 0o711 });
  });

  it('given each group, when its members are listed, then they are exactly the readers of the secrets it shares', () => {
    for (const group of secretGroups()) {
      const readers = new Set(SECRET_RULES.filter((candidate) => groupOf(candidate) === group).flatMap((candidate) => candidate.readers));
      const members = PLATFORM_SERVICES.filter((service) => groupsOf(service).includes(group));
      expect([group, members]).toEqual([group, PLATFORM_SERVICES.filter((service) => readers.has(service))]);
    }
  });

  it('given the modes, when placed, then nothing is open to others and a directory services write into is setgid for their group', () => {
    for (const candidate of SECRET_RULES) {
      const { mode } = placementOf(candidate);
      if (candidate.kind === 'file') expect([candidate.path, mode & 0o137]).toEqual([candidate.path, 0]);
      else if (candidate.traverseOnly !== true && candidate.publicFiles === undefined) expect([candidate.path, mode & 0o007]).toEqual([candidate.path, 0]);
    }
    expect(placementOf(rule('secrets/kek'))).toEqual({ owner: 'root', group: 'crm-kek', mode: 0o2770 });
    expect(placementOfFileIn(rule('secrets/kek'), '2.key')).toEqual({ owner: 'root', group: 'crm-kek', mode: 0o660 });
    expect(placementOf(rule('secrets/jwt'))).toEqual({ owner: 'identity', group: 'crm-identity', mode: 0o700 });
    expect(placementOf(rule('secrets/blind-index.key'))).toEqual({ owner: 'root', group: 'crm-blind-index', mode: 0o640 });
  });
});
