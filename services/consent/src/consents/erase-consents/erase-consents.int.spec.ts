import { PG_POOL, type Pool } from '@crm/postgres';
import { expectEventually } from '@crm/testing';
import { PURPOSE_CATALOGUE_VERSION } from '../../purposes/purpose.catalogue.js';
import { clock, evidence, READER, useConsentApp, WRITER } from '../../testing/consent.fixture.js';

// After a contact's erasure, consent's state row about it holds only a pseudonymous proof: purposes, catalogue and
// notice versions and hashes, channel codes and dates under the contact's id; no actor, no double opt-in request.
const consent = useConsentApp();
const { call } = consent;

async function stateRow(contactId: string): Promise<{ version: string; state: Record<string, unknown> } | undefined> {
  const pool = consent.app.get<Pool>(PG_POOL, { strict: false });
  const { rows } = await pool.query('SELECT version, state FROM consent.consent_states WHERE contact_id = $1', [contactId]);
  return rows[0] as { version: string; state: Record<string, unknown> } | undefined;
}

describe("consent: a contact's erasure reduces its consent records to a pseudonymous proof", () => {
  it('keeps purposes, versions, notice hashes, channels and dates; drops the actors and the double opt-in requests', async () => {
    const contactId = await consent.knownContact();
    clock.set('2026-12-10T08:00:00.000Z');
    expect(
      (
        await call(
          'POST',
          `/v1/contacts/${contactId}/consents`,
          WRITER,
          { purpose: 'marketing', noticeVersion: consent.notice.version, channel: 'web-form', evidence: evidence('Er1') },
          'staff-giver',
        )
      ).status,
    ).toBe(201);
    clock.set('2026-12-10T09:00:00.000Z');
    expect((await call('POST', `/v1/contacts/${contactId}/consents/marketing/withdrawal`, WRITER, { channel: 'phone' }, 'staff-withdrawer')).status).toBe(200);
    clock.set('2026-12-10T10:00:00.000Z');
    expect((await call('POST', `/v1/contacts/${contactId}/objections`, WRITER, { purpose: 'analytics', channel: 'paper' }, 'staff-objector')).status).toBe(201);
    clock.set('2026-12-10T11:00:00.000Z');
    const asked = await call(
      'POST',
      `/v1/contacts/${contactId}/consents`,
      WRITER,
      { purpose: 'marketing', noticeVersion: consent.notice.version, channel: 'email', evidence: evidence('Er2') },
      'staff-asker',
    );
    expect(asked.status).toBe(202);
    const before = await stateRow(contactId);
    expect(JSON.stringify(before)).toContain('staff-asker');

    await consent.eraseContact(contactId);

    await expectEventually(async () => expect(JSON.stringify(await stateRow(contactId))).not.toContain('staff-'), { timeoutMs: 30_000, intervalMs: 100 });
    expect(await stateRow(contactId)).toEqual({
      version: before!.version,
      state: {
        consents: {
          marketing: {
            status: 'withdrawn',
            catalogueVersion: PURPOSE_CATALOGUE_VERSION,
            noticeVersion: consent.notice.version,
            noticeContentSha256: consent.notice.contentSha256,
            channel: 'web-form',
            givenAt: '2026-12-10T08:00:00.000Z',
            withdrawnAt: '2026-12-10T09:00:00.000Z',
            withdrawalChannel: 'phone',
          },
        },
        objections: { analytics: { catalogueVersion: PURPOSE_CATALOGUE_VERSION, channel: 'paper', recordedAt: '2026-12-10T10:00:00.000Z' } },
      },
    });
    // The answer shows the proof as current state; the history keeps its entries with every evidence unreadable.
    const view = await call('GET', `/v1/contacts/${contactId}/consents`, READER);
    expect(view.body.consents.marketing).not.toHaveProperty('givenBy');
    expect(view.body.history.map((entry: { evidence?: unknown }) => entry.evidence ?? null)).toEqual([null, null, null, null]);
  });
});
