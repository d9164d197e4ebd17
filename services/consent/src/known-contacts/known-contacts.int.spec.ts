import { createKeyVaultPool } from '@crm/crypto';
import type { EventStore } from '@crm/eventstore';
import { EVENT_STORE } from '@crm/platform';
import { PG_POOL, type Pool } from '@crm/postgres';
import { testPlatformConfig } from '@crm/testing';
import { evidence, newContactId, READER, useConsentApp, WRITER } from '../testing/consent.fixture.js';

// Consent records nothing for a contact that does not exist: it learns which contacts exist from contacts' events
// (the known-contacts projector), and refuses any other id with a stable code before anything is written.
const consent = useConsentApp();
const { call } = consent;

const writes = (contactId: string) =>
  [
    [
      `/v1/contacts/${contactId}/consents`,
      { purpose: 'marketing', noticeVersion: consent.notice.version, channel: 'web-form', evidence: evidence('Unk9Marker') },
    ],
    [`/v1/contacts/${contactId}/consents/marketing/withdrawal`, {}],
    [`/v1/contacts/${contactId}/objections`, { purpose: 'analytics' }],
  ] as const;

async function keysOf(contactId: string): Promise<number> {
  const vault = await createKeyVaultPool(testPlatformConfig('consent').postgres!, { max: 1 });
  try {
    return (await vault.query('SELECT 1 FROM data_keys WHERE subject_id = $1', [contactId])).rowCount ?? 0;
  } finally {
    await vault.end();
  }
}

describe('consent: contacts it does not know', () => {
  it('refuses a consent, a withdrawal and an objection for an unknown contact with 404 CONSENT_CONTACT_UNKNOWN, and writes nothing: no event, no state, no key', async () => {
    const contactId = newContactId();
    for (const [path, body] of writes(contactId)) {
      const refused = await call('POST', path, WRITER, body);
      expect({ path, status: refused.status, code: refused.body.code }).toEqual({ path, status: 404, code: 'CONSENT_CONTACT_UNKNOWN' });
      expect(refused.text).not.toContain('Unk9Marker');
    }

    expect(await consent.app.get<EventStore>(EVENT_STORE).readStream(`consent-${contactId}`)).toEqual([]);
    const rows = await consent.app.get<Pool>(PG_POOL, { strict: false }).query('SELECT 1 FROM consent.consent_states WHERE contact_id = $1', [contactId]);
    expect(rows.rowCount).toBe(0);
    expect(await keysOf(contactId)).toBe(0);
  });

  it('answers reading the consents of an unknown contact with 404 CONSENT_CONTACT_UNKNOWN, not an empty history; a known one with none reads empty', async () => {
    const unknown = await call('GET', `/v1/contacts/${newContactId()}/consents`, READER);
    expect([unknown.status, unknown.body.code]).toEqual([404, 'CONSENT_CONTACT_UNKNOWN']);
    const known = await consent.knownContact();
    expect((await call('GET', `/v1/contacts/${known}/consents`, READER)).body).toMatchObject({ version: 0, history: [] });
  });

  it("records them once contacts has announced the contact (its creation event on contacts' topic)", async () => {
    const contactId = await consent.knownContact();
    const [give] = writes(contactId);
    const given = await call('POST', give[0], WRITER, give[1]);
    expect([given.status, given.body.consent?.status]).toEqual([201, 'given']);
    const objected = await call('POST', `/v1/contacts/${contactId}/objections`, WRITER, { purpose: 'analytics' });
    expect(objected.status).toBe(201);
    expect(await keysOf(contactId)).toBe(1);
  });
});
