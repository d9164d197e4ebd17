import { fold, type EventStore } from '@crm/eventstore';
import { EVENT_STORE, StateRowsCatchUp } from '@crm/platform';
import { PG_POOL, type Pool } from '@crm/postgres';
import { clock, READER, useConsentApp, WRITER } from '../testing/consent.fixture.js';
import { ConsentStates } from './consent-states.repository.js';
import { consentDecider } from './consent.decider.js';
import { ConsentWriteModel } from './consent.write-model.js';

const consent = useConsentApp();
const { call, give } = consent;

describe('consent: the state row is the decision state', () => {
  it('given a history of commands, then the row holds exactly what the stream folds to', async () => {
    const { app } = consent;
    const contactId = await consent.knownContact();
    clock.set('2026-12-09T08:00:00.000Z');
    await give(contactId, 'F1');
    await call('POST', `/v1/contacts/${contactId}/objections`, WRITER, { purpose: 'analytics', channel: 'paper' });
    clock.set('2026-12-09T09:00:00.000Z');
    await call('POST', `/v1/contacts/${contactId}/consents/marketing/withdrawal`, WRITER, { channel: 'sms' });
    await give(contactId, 'F2');
    await call('POST', `/v1/contacts/${contactId}/objections`, WRITER, { purpose: 'marketing' });

    const codec = app.get(ConsentWriteModel).codec;
    const recorded = await app.get<EventStore>(EVENT_STORE).readStream(`consent-${contactId}`);
    const folded = fold(consentDecider, await Promise.all(recorded.map((event) => codec.decode(event.envelope))));
    const row = (await app.get(ConsentStates).byId(contactId))!;

    expect(recorded).toHaveLength(5);
    expect(row.version).toBe(recorded.at(-1)!.streamVersion);
    expect(row.state).toEqual(folded);
    expect(Object.keys(folded.objections).sort()).toEqual(['analytics', 'marketing']);
  });

  it('given concurrent commands on one contact, then they queue on the row and none is lost', async () => {
    const contactId = await consent.knownContact();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => give(contactId, `C${i}`)));
    expect(results.map((result) => result.status)).toEqual(Array(10).fill(201));
    expect(results.map((result) => result.body.version).sort((a: number, b: number) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    const view = await call('GET', `/v1/contacts/${contactId}/consents`, READER);
    expect([view.body.version, view.body.history.length]).toEqual([10, 10]);
  });

  it('given a row older than its stream (a restore replayed events past the snapshot) and the restore`s mark, when the service starts, then the row is the fold again and commands work', async () => {
    const { app } = consent;
    const pool = app.get<Pool>(PG_POOL);
    const contactId = await consent.knownContact();
    await give(contactId, 'S1');
    const { rows } = await pool.query<{ row: unknown }>(`SELECT row_to_json(c) AS row FROM consent.consent_states c WHERE contact_id = $1`, [contactId]);
    await call('POST', `/v1/contacts/${contactId}/objections`, WRITER, { purpose: 'analytics', channel: 'paper' });
    await give(contactId, 'S2');
    // The snapshot's row back, and the stream marked, as a restore that replayed the last two events leaves them.
    await pool.query(`DELETE FROM consent.consent_states WHERE contact_id = $1`, [contactId]);
    await pool.query(`INSERT INTO consent.consent_states SELECT * FROM json_populate_record(NULL::consent.consent_states, $1)`, [JSON.stringify(rows[0]!.row)]);
    await pool.query(`INSERT INTO consent.replayed_streams (stream_id, version) VALUES ($1, 3)`, [`consent-${contactId}`]);
    expect((await give(contactId, 'S3')).status).toBe(409);

    await app.get(StateRowsCatchUp).onApplicationBootstrap();

    const recorded = await app.get<EventStore>(EVENT_STORE).readStream(`consent-${contactId}`);
    const codec = app.get(ConsentWriteModel).codec;
    const row = (await app.get(ConsentStates).byId(contactId))!;
    expect(row.version).toBe(3n);
    expect(row.state).toEqual(fold(consentDecider, await Promise.all(recorded.map((event) => codec.decode(event.envelope)))));
    expect((await give(contactId, 'S3')).body).toMatchObject({ version: 4 });
    expect((await pool.query(`SELECT 1 FROM consent.replayed_streams WHERE stream_id = $1`, [`consent-${contactId}`])).rowCount).toBe(0);
  });
});
