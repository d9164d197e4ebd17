import { StateRowsCatchUp } from '@crm/platform';
import { PG_POOL, type Pool } from '@crm/postgres';
import { useContactsApp, WRITER } from '../testing/contacts.fixture.js';

const contacts = useContactsApp();
const { call, create } = contacts;

/** A contact's rows as a snapshot holds them, to be put back later (the restore's database is the snapshot's). */
async function rowsOf(pool: Pool, contactId: string) {
  const record = await pool.query<{ row: unknown }>(`SELECT row_to_json(c) AS row FROM contacts.contact_records c WHERE contact_id = $1`, [contactId]);
  const tokens = await pool.query<{ rows: unknown }>(`SELECT coalesce(json_agg(s), '[]') AS rows FROM contacts.contact_search s WHERE contact_id = $1`, [
    contactId,
  ]);
  return { record: record.rows[0]!.row, tokens: tokens.rows[0]!.rows };
}

async function putBack(pool: Pool, contactId: string, rows: Awaited<ReturnType<typeof rowsOf>>): Promise<void> {
  await pool.query(`DELETE FROM contacts.contact_transactions WHERE contact_id = $1`, [contactId]);
  await pool.query(`DELETE FROM contacts.contact_records WHERE contact_id = $1`, [contactId]);
  await pool.query(`INSERT INTO contacts.contact_records SELECT * FROM json_populate_record(NULL::contacts.contact_records, $1)`, [
    JSON.stringify(rows.record),
  ]);
  await pool.query(`INSERT INTO contacts.contact_search SELECT * FROM json_populate_recordset(NULL::contacts.contact_search, $1)`, [
    JSON.stringify(rows.tokens),
  ]);
}

describe('contacts: a stream a restore replayed events into', () => {
  it('given rows older than the events (the snapshot) and the restore`s mark, when the service starts, then the rows are refolded and commands work again', async () => {
    const pool = contacts.app.get<Pool>(PG_POOL);
    const { body: created } = await create('Replayed');
    const id = String(created.id);
    const snapshot = await rowsOf(pool, id);
    // After the snapshot: a rectification and a purchase, which reach the store only through the restore's replay.
    expect((await call('PATCH', `/v1/contacts/${id}`, WRITER, { purpose: 'customer-service', changes: { name: { given: 'Replayedlater' } } })).status).toBe(
      200,
    );
    const purchase = { description: 'after the snapshot', amountCents: 700, currency: 'EUR', occurredAt: '2026-01-01T00:00:00Z' };
    expect((await call('POST', `/v1/contacts/${id}/transactions`, WRITER, { purpose: 'billing', transaction: purchase })).status).toBe(201);
    await putBack(pool, id, snapshot);
    await pool.query(`INSERT INTO contacts.replayed_streams (stream_id, version) VALUES ($1, 3)`, [`contact-${id}`]);

    // Rows older than the stream: a command decides on the snapshot's version and meets the replayed events.
    const refused = await call('PATCH', `/v1/contacts/${id}`, WRITER, { purpose: 'customer-service', changes: { notes: ['refused'] } });
    expect(refused.status).toBe(409);

    await contacts.app.get(StateRowsCatchUp).onApplicationBootstrap();

    const read = await call('GET', `/v1/contacts/${id}?purpose=billing`, WRITER);
    expect(read.body).toMatchObject({ version: 3, transactionCount: 1, data: { name: { given: 'Replayedlater', family: 'Lee' } } });
    const found = await call('GET', `/v1/contacts?purpose=customer-service&name=Replayedlater%20Lee`, WRITER);
    expect(found.body.items.map((item: { id: string }) => item.id)).toContain(id);
    expect((await call('PATCH', `/v1/contacts/${id}`, WRITER, { purpose: 'customer-service', changes: { notes: ['accepted'] } })).body).toMatchObject({
      version: 4,
    });
    expect((await pool.query(`SELECT 1 FROM contacts.replayed_streams WHERE stream_id = $1`, [`contact-${id}`])).rowCount).toBe(0);
  });
});
