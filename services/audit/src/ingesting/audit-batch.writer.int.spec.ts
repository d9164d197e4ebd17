// The batch writer on real Postgres: exactly one entry per event id, dense leaf indexes, rows that hash as recorded.
import type pg from 'pg';
import type { EventEnvelope } from '@crm/contracts';
import type { IncomingMessage } from '@crm/messaging';
import { scratchSchema } from '@crm/testing';
import { contactCreated, contactRectified, encode } from '../testing/audit.fixtures.js';
import { auditTrailMigrations } from '../trail/audit.schema.js';
import { EntriesStore } from '../trail/entries.store.js';
import { entryLeafHash } from '../trail/entry.canonical.js';
import { recordBatch } from './audit-batch.writer.js';

let pool: pg.Pool;
let drop: () => Promise<void>;
let store: EntriesStore;
let offset = 0n;

const messages = (...envelopes: EventEnvelope[]): IncomingMessage[] =>
  envelopes.map((envelope) => ({
    topic: 'crm.contacts.v1.events',
    partition: 0,
    offset: offset++,
    key: envelope.subjectId,
    value: Buffer.from(encode(envelope)),
    headers: {},
  }));
const now = (): Date => new Date(Date.UTC(2026, 11, 1, 9, 0, 0, 250));

async function logged(): Promise<{ ids: string[]; next: number }> {
  const entries = await store.entriesAfter(-1, 100);
  expect(entries.map((entry) => entry.leafIndex)).toEqual(entries.map((_, i) => i));
  // What was stored hashes to the leaf hash stored beside it.
  expect(entries.map((entry) => Buffer.from(entryLeafHash(entry)).toString('hex'))).toEqual(
    entries.map((entry) => Buffer.from(entry.leafHash).toString('hex')),
  );
  const { rows } = await pool.query<{ next: string }>(`SELECT next_leaf_index::text AS next FROM ${store.s}.log_state`);
  return { ids: entries.map((entry) => entry.eventId), next: Number(rows[0]!.next) };
}

beforeEach(async () => {
  let schema: string;
  ({ pool, schema, drop } = await scratchSchema('it_audit_writer', auditTrailMigrations));
  store = new EntriesStore(pool, schema);
});
afterEach(() => drop());

describe('recording batches of events in the audit log', () => {
  it('given a batch holding events already in the log and one event twice, then only the new ones are appended, once each, with no gap', async () => {
    const a = contactCreated('c-1', ['emails']);
    const b = contactRectified('c-1', ['phones'], []);
    const c = contactCreated('c-2', ['name.given']);
    const d = contactRectified('c-2', [], ['emails']);
    expect((await recordBatch(store, messages(a, b), now)).duplicates).toBe(0);

    const outcome = await recordBatch(store, messages(c, a, d, c, b), now);

    expect(outcome.duplicates).toBe(3);
    expect(outcome.appended.map((entry) => [entry.leafIndex, entry.eventId])).toEqual([
      [2, c.eventId],
      [3, d.eventId],
    ]);
    expect(await logged()).toEqual({ ids: [a, b, c, d].map((event) => event.eventId), next: 4 });
  });

  it('given a batch of events all in the log already, then nothing is appended and the next leaf index stays', async () => {
    const a = contactCreated('c-1', ['emails']);
    await recordBatch(store, messages(a), now);

    const outcome = await recordBatch(store, messages(a, a), now);

    expect(outcome).toEqual({ appended: [], duplicates: 2 });
    expect(await logged()).toEqual({ ids: [a.eventId], next: 1 });
  });

  it('given times before year 1 and after 9999 beside ordinary ones, then they are stored exactly', async () => {
    const far = [new Date(Date.UTC(12345, 5, 6, 7, 8, 9, 10)), new Date(Date.UTC(-2, 0, 1, 0, 0, 0, 1)), new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 999))];
    const envelopes = far.map((at, i) => contactCreated(`c-${i}`, ['emails'], { occurredAt: at, eventId: `far-${i}` }));
    await recordBatch(store, messages(...envelopes), now);

    expect((await store.entriesAfter(-1, 10)).map((entry) => entry.occurredAt.getTime())).toEqual(far.map((at) => at.getTime()));
    await logged();
  });

  it('given field paths with quotes, backslashes, braces, commas and other scripts, then they are stored exactly', async () => {
    const paths = ['a"b', 'back\\slash', '{braces}', 'comma,separated', 'NULL', ' spaced ', 'straße.日本'];
    await recordBatch(store, messages(contactRectified('c-1', [], paths)), now);

    const [entry] = await store.entriesAfter(-1, 1);
    expect(entry!.fields).toEqual([...paths].sort());
    await logged();
  });
});
