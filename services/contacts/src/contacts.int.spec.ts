// The contacts service as the platform builds it (global guard, real Postgres, Redis, Kafka and key vault), driven
// over HTTP with real ES256 tokens. The end-to-end suite covers the same journeys through the gateway; this one
// covers the service's own rules in detail.
import type { INestApplication } from '@nestjs/common';
import { AccessChannel, ContactDataAccessedSchema, decodeEnvelope, decodePayload, type EventEnvelope } from '@crm/contracts';
import { fold } from '@crm/eventstore';
import type { Permission } from '@crm/auth';
import { EVENT_STORE, FIELD_CIPHER, createServiceApp } from '@crm/platform';
import { createLogger } from '@crm/logging';
import { KafkaCluster } from '@crm/messaging';
import { migrateAll } from '@crm/migrations';
import { expectEventually, request, testPlatformConfig, TestTokenIssuer, uniqueName } from '@crm/testing';
import { AppModule } from './app.module.js';
import { contactCodec } from './contacts/contact.codec.js';
import { contactDecider } from './contacts/contact.decider.js';
import { TransactionPurge } from './erasure/transaction.purge.js';
import { ContactProjection } from './read-model/contact.projection.js';
import { databaseMigrations } from './migrations.js';
import { ContactsRepository } from './read-model/contacts.repository.js';
import { rebuildReadModel } from './read-model/read-model.rebuild.js';

let app: INestApplication;
let url: string;
let issuer: TestTokenIssuer;
const config = testPlatformConfig('contacts');
const kafka = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, clientId: 'contacts-int-test' });

const WRITER: Permission[] = ['contacts:read', 'contacts:write'];
const DPO: Permission[] = ['contacts:read', 'contacts:export', 'subjects:erase'];

beforeAll(async () => {
  // The test database's contacts schema and the key vault, migrated as `npm run migrate` migrates the real ones.
  await migrateAll(config.postgres!, databaseMigrations(config));
  issuer = await TestTokenIssuer.create();
  app = await createServiceApp(
    {
      service: 'contacts',
      defaultPort: 0,
      needs: { postgres: true, redis: true, kafka: 'primary' },
      module: (c) => AppModule.register(c),
      verificationKeys: () => async () => issuer.jwks(),
    },
    config,
    createLogger({ service: 'contacts', level: 'silent' }),
  );
  await app.listen(0, '127.0.0.1');
  url = await app.getUrl();
});
afterAll(async () => {
  await app.close();
  await kafka.close();
});

// One actor per run: the export budget on Redis is per user and outlives a run.
const actor = uniqueName('user-it');

async function call(
  method: string,
  path: string,
  perms: readonly Permission[],
  body?: unknown,
  headers: Record<string, string> = {},
  mfaAgeSeconds?: number,
  sub = actor,
) {
  const token = await issuer.token({ sub, perms, ...(mfaAgeSeconds === undefined ? {} : { mfaAgeSeconds }) });
  return request(method, path, token, body, headers, url);
}

function person(marker: string) {
  return {
    name: { given: `Ann${marker}`, family: 'Lee' },
    emails: [`ann.${marker.toLowerCase()}@example.com`],
    phones: ['+4915123456789'],
    addresses: [{ street: 'Main 1', city: 'Berlin', country: 'DE' }],
    birthDate: '1990-02-03',
    notes: [`likes ${marker}`],
  };
}

const uniqueId = () =>
  '0190a000-0000-7000-8000-' +
  Math.floor(Math.random() * 1e12)
    .toString()
    .padStart(12, '0');
const create = async (marker: string, purpose = 'customer-service') => call('POST', '/v1/contacts', WRITER, { purpose, data: person(marker) });

describe('contacts: create, read, search, rectify', () => {
  it('creates a contact and reads it back minimised to the purpose, with its version as ETag', async () => {
    const created = await create('Kappa');
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({ id: expect.any(String), version: 1, restricted: false, purpose: 'customer-service', data: person('Kappa') });

    const marketing = await call('GET', `/v1/contacts/${created.body.id}?purpose=marketing`, WRITER);
    expect(marketing.status).toBe(200);
    // Marketing sees names, e-mails and channel preferences; never phones, addresses, birth date or notes.
    expect(marketing.body.data).toEqual({ name: { given: 'AnnKappa', family: 'Lee' }, emails: ['ann.kappa@example.com'] });
  });

  it('finds contacts by exact e-mail (normalised), phone and every name token, and not by a partial value', async () => {
    const marker = uniqueName('Srch').replace(/[^A-Za-z]/g, '');
    const { body: json } = await create(marker);
    const find = async (query: string) =>
      (await call('GET', `/v1/contacts?purpose=customer-service&${query}`, WRITER)).body.items.map((item: { id: string }) => item.id);

    expect(await find(`email=${encodeURIComponent(`  ANN.${marker.toUpperCase()}@EXAMPLE.COM `)}`)).toEqual([json.id]);
    expect(await find(`name=${encodeURIComponent(`lee ann${marker}`)}`)).toEqual([json.id]);
    expect(await find(`name=${encodeURIComponent(`ann${marker}`)}&phone=${encodeURIComponent('+49 151 2345 6789')}`)).toEqual([json.id]);
    expect(await find(`email=${encodeURIComponent(`ann.${marker.slice(0, 5)}@example.com`)}`)).toEqual([]);
    expect(await find(`name=${encodeURIComponent(`ann${marker} someone-else`)}`)).toEqual([]);
  });

  it('pages a listing by id without repeating or skipping', async () => {
    await Promise.all(['A', 'B', 'C'].map((m) => create(`Page${m}`)));
    const first = await call('GET', '/v1/contacts?purpose=analytics&limit=2', WRITER);
    const second = await call('GET', `/v1/contacts?purpose=analytics&limit=2&after=${first.body.next}`, WRITER);
    expect(first.body.items).toHaveLength(2);
    expect(second.body.items[0].id > first.body.items[1].id).toBe(true);
  });

  it('rectifies only what changed, refuses a stale If-Match with 409, and removes a unit set to null', async () => {
    const { body: json } = await create('Rect');
    const ok = await call(
      'PATCH',
      `/v1/contacts/${json.id}`,
      WRITER,
      { purpose: 'customer-service', changes: { name: { family: 'Lee-Smith' }, notes: null } },
      { 'if-match': '"1"' },
    );
    expect(ok.status).toBe(200);
    expect(ok.body.version).toBe(2);
    expect(ok.body.data.name).toEqual({ given: 'AnnRect', family: 'Lee-Smith' });
    expect(ok.body.data.notes).toBeUndefined();

    const stale = await call(
      'PATCH',
      `/v1/contacts/${json.id}`,
      WRITER,
      { purpose: 'customer-service', changes: { birthDate: '1991-01-01' } },
      { 'if-match': '"1"' },
    );
    expect([stale.status, stale.body.code]).toEqual([409, 'STREAM_VERSION_CONFLICT']);
    expect((await call('GET', `/v1/contacts/${json.id}?purpose=customer-service`, WRITER)).body.data.birthDate).toBe('1990-02-03');
  });

  it('refuses bad input with a stable code, names fields but never echoes values, and writes nothing', async () => {
    const secret = 'Zq9SecretMarker';
    const cases = [
      [{ purpose: 'customer-service', data: { emails: [`${secret}@@example`] } }, 'CONTACT_FIELD_INVALID'],
      [{ purpose: 'customer-service', data: { nickname: secret } }, 'CONTACT_FIELD_UNKNOWN'],
      [{ purpose: 'customer-service', data: { healthNotes: secret } }, 'CONTACT_SPECIAL_CATEGORY_REFUSED'],
      [{ purpose: 'customer-service', data: { name: { given: secret.repeat(20) } } }, 'CONTACT_FIELD_INVALID'],
      [{ purpose: 'customer-service', data: { birthDate: 19900101 } }, 'CONTACT_FIELD_INVALID'],
      [{ purpose: 'gossip', data: { name: { given: secret } } }, 'REQUEST_INVALID'],
    ] as const;
    for (const [body, code] of cases) {
      const response = await call('POST', '/v1/contacts', WRITER, body);
      expect([response.status, response.body.code]).toEqual([400, code]);
      expect(response.text).not.toContain(secret);
    }
    const missing = await call('GET', '/v1/contacts/0190a000-0000-7000-8000-000000000000?purpose=sales', WRITER);
    expect([missing.status, missing.body.code]).toEqual([404, 'CONTACT_NOT_FOUND']);
    expect((await call('GET', '/v1/contacts/not-an-id?purpose=sales', WRITER)).status).toBe(404);
  });
});

describe('contacts: transactions and restriction', () => {
  it('records transactions (a repeated id is refused) and shows them to billing but not to marketing', async () => {
    const { body: json } = await create('Tx');
    const transaction = { description: 'Blue bicycle', amountCents: 49_900, currency: 'EUR', occurredAt: '2026-11-01T10:00:00Z' };
    const added = await call('POST', `/v1/contacts/${json.id}/transactions`, WRITER, { purpose: 'billing', transaction });
    expect(added.status).toBe(201);
    const again = await call('POST', `/v1/contacts/${json.id}/transactions`, WRITER, { purpose: 'billing', transactionId: added.body.id, transaction });
    expect([again.status, again.body.code]).toEqual([409, 'TRANSACTION_DUPLICATE']);

    const billing = await call('GET', `/v1/contacts/${json.id}?purpose=billing`, WRITER);
    expect(billing.body.transactionCount).toBe(1);
    expect(billing.body.transactions).toEqual([{ id: added.body.id, ...transaction, occurredAt: '2026-11-01T10:00:00.000Z', recordedAt: expect.any(String) }]);
    const marketing = await call('GET', `/v1/contacts/${json.id}?purpose=marketing`, WRITER);
    expect(marketing.body.transactions).toEqual([{ id: added.body.id, recordedAt: expect.any(String) }]);
  });

  it("pages a contact's purchases newest first, minimised to the purpose; a forged cursor is refused", async () => {
    const { body: json } = await create('TxPages');
    const added: string[] = [];
    for (const description of ['first', 'second', 'third']) {
      const transaction = { description, amountCents: 100, currency: 'EUR', occurredAt: '2026-02-01T00:00:00Z' };
      added.push((await call('POST', `/v1/contacts/${json.id}/transactions`, WRITER, { purpose: 'billing', transaction })).body.id);
    }
    const first = await call('GET', `/v1/contacts/${json.id}/transactions?purpose=billing&limit=2`, WRITER);
    expect(first.body.items.map((item: { description: string }) => item.description)).toEqual(['third', 'second']);
    const second = await call('GET', `/v1/contacts/${json.id}/transactions?purpose=billing&limit=2&before=${first.body.next}`, WRITER);
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: added[0], description: 'first' })] });

    const analytics = await call('GET', `/v1/contacts/${json.id}/transactions?purpose=analytics`, WRITER);
    expect(analytics.body.items[0]).toEqual({
      id: added[2],
      amountCents: 100,
      currency: 'EUR',
      occurredAt: '2026-02-01T00:00:00.000Z',
      recordedAt: expect.any(String),
    });
    const forged = await call('GET', `/v1/contacts/${json.id}/transactions?purpose=billing&before=bm90LWEtY3Vyc29y`, WRITER);
    expect([forged.status, forged.body.code]).toEqual([400, 'TRANSACTION_CURSOR_INVALID']);
    expect((await call('GET', '/v1/contacts/0190a000-0000-7000-8000-000000000001/transactions?purpose=billing', WRITER)).status).toBe(404);
  });

  it('makes a restricted contact read-only until the restriction is lifted', async () => {
    const { body: json } = await create('Restr');
    const restricted = await call('POST', `/v1/contacts/${json.id}/restriction`, WRITER, { reason: 'accuracy-contested' });
    expect(restricted.body).toEqual({ restricted: true, version: 2 });
    const refused = await call('PATCH', `/v1/contacts/${json.id}`, WRITER, { purpose: 'customer-service', changes: { birthDate: '1990-01-01' } });
    expect([refused.status, refused.body.code]).toEqual([409, 'CONTACT_RESTRICTED']);
    expect((await call('GET', `/v1/contacts/${json.id}?purpose=customer-service`, WRITER)).body).toMatchObject({
      restricted: true,
      restrictionReason: 'accuracy-contested',
    });

    expect((await call('DELETE', `/v1/contacts/${json.id}/restriction`, WRITER)).body).toEqual({ restricted: false, version: 3 });
    expect((await call('PATCH', `/v1/contacts/${json.id}`, WRITER, { purpose: 'customer-service', changes: { birthDate: '1990-01-01' } })).status).toBe(200);
  });
});

describe('contacts: the read-model row is the decision state', () => {
  it('given a history of commands, then the row holds exactly what the stream folds to', async () => {
    const { body: json } = await create('Fold');
    await call('PATCH', `/v1/contacts/${json.id}`, WRITER, { purpose: 'customer-service', changes: { phones: null, name: { given: 'Bo' } } });
    await call('POST', `/v1/contacts/${json.id}/transactions`, WRITER, {
      purpose: 'billing',
      transaction: { description: 'x', amountCents: 5, currency: 'EUR', occurredAt: '2026-01-01T00:00:00Z' },
    });
    await call('POST', `/v1/contacts/${json.id}/restriction`, WRITER, { reason: 'legal-claims' });

    const codec = contactCodec(app.get(FIELD_CIPHER));
    const recorded = await app.get(EVENT_STORE).readStream(`contact-${json.id}`);
    const folded = fold(contactDecider, await Promise.all(recorded.map((event: { envelope: EventEnvelope }) => codec.decode(event.envelope))));
    const row = (await app.get(ContactsRepository).byId(json.id))!;

    expect(BigInt(row.version)).toBe(recorded.at(-1)!.streamVersion);
    expect(await app.get(ContactProjection).openRecord(row)).toEqual(folded.data);
    expect([row.restricted, row.restriction_reason, row.transaction_count]).toEqual([folded.restricted, folded.restrictionReason, folded.transactionIds.size]);
  });

  it('given concurrent writes to one contact, then they queue on the row and none is lost', async () => {
    const { body: json } = await create('Queue');
    const transaction = { description: 'y', amountCents: 1, currency: 'EUR', occurredAt: '2026-01-01T00:00:00Z' };
    const results = await Promise.all(
      Array.from({ length: 12 }, () => call('POST', `/v1/contacts/${json.id}/transactions`, WRITER, { purpose: 'billing', transaction })),
    );
    expect(results.map((result) => result.status)).toEqual(Array(12).fill(201));
    expect(results.map((result) => result.body.version).sort((a: number, b: number) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 2));
    expect((await call('GET', `/v1/contacts/${json.id}?purpose=billing`, WRITER)).body).toMatchObject({ version: 13, transactionCount: 12 });
  });
});

describe('contacts: export', () => {
  it('needs contacts:export and a fresh second factor', async () => {
    const refusal = async (perms: Permission[], mfaAgeSeconds?: number) => {
      const response = await call('POST', '/v1/contacts/export', perms, { purpose: 'sales' }, {}, mfaAgeSeconds);
      return [response.status, response.body.code];
    };
    expect(await refusal(WRITER, 10)).toEqual([403, 'FORBIDDEN']);
    expect(await refusal(DPO)).toEqual([403, 'MFA_REQUIRED']);
    expect(await refusal(DPO, 3_600)).toEqual([403, 'STEP_UP_REQUIRED']);
  });

  it('exports a selection as JSON and CSV minimised to the purpose, leaves restricted contacts out, and records the export', async () => {
    const [a, b, c] = await Promise.all([create('ExpA'), create('ExpB'), create('ExpC')]);
    await call('POST', `/v1/contacts/${c.body.id}/restriction`, WRITER, { reason: 'legal-claims' });
    const ids = [a.body.id, b.body.id, c.body.id];

    const json = await call('POST', '/v1/contacts/export', DPO, { purpose: 'marketing', format: 'json', contactIds: ids }, {}, 10);
    expect(json.status).toBe(200);
    expect(json.headers.get('x-export-row-count')).toBe('2');
    expect(json.body.contacts.map((row: { id: string }) => row.id).sort()).toEqual([a.body.id, b.body.id].sort());
    expect(json.body.contacts[0]).not.toHaveProperty('phones');

    const csv = await call('POST', '/v1/contacts/export', DPO, { purpose: 'billing', format: 'csv', contactIds: ids }, {}, 10);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const [header, ...rows] = csv.text.trim().split('\r\n');
    expect(header).toBe('id,name.given,name.family,emails,addresses.street,addresses.postalCode,addresses.city,addresses.country');
    expect(rows).toHaveLength(2);

    const events = await app.get(EVENT_STORE).readStream(`export-${json.headers.get('x-export-id')}`);
    expect(events.map((event: { envelope: { payloadType: string; purpose: string } }) => [event.envelope.payloadType, event.envelope.purpose])).toEqual([
      ['crm.contacts.v1.ContactsExported', 'marketing'],
    ]);
  });
});

describe('contacts: export budget', () => {
  it("refuses a user's eleventh export within the hour with 429 EXPORT_RATE_LIMITED; another user is not affected", async () => {
    const hoarder = uniqueName('hoarder');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await call('POST', '/v1/contacts/export', DPO, { purpose: 'sales', contactIds: [uniqueId()] }, {}, 10, hoarder)).status);
    expect(statuses).toEqual([...Array(10).fill(200), 429]);
    const limited = await call('POST', '/v1/contacts/export', DPO, { purpose: 'sales', contactIds: [uniqueId()] }, {}, 10, hoarder);
    expect([limited.body.code, limited.body.details.limit]).toEqual(['EXPORT_RATE_LIMITED', 10]);
    expect((await call('POST', '/v1/contacts/export', DPO, { purpose: 'sales', contactIds: [uniqueId()] }, {}, 10, uniqueName('other'))).status).toBe(200);
  });
});

describe('contacts: import', () => {
  it('imports valid rows of a CSV file, reports the refused ones by row and code, and shows progress to its owner only', async () => {
    const csv = [
      'name.given,name.family,emails,phones,addresses.street,addresses.city,addresses.country',
      'Imp,One,imp.one@example.com,+4915100000001,"Main 1\nSide 2","Berlin\nHamburg","DE\nDE"',
      'Imp,Two,not-an-email,,,,',
      'Imp,Three,"imp.three@example.com\nimp.3@example.com",,,,',
      'Imp,Four,imp.four@example.com,12,,,',
    ].join('\r\n');
    const started = await call('POST', '/v1/contacts/import', WRITER, { purpose: 'sales', format: 'csv', content: csv });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      totalRows: 4,
      rejectedRows: 2,
      rejected: [
        { row: 2, code: 'CONTACT_FIELD_INVALID' },
        { row: 4, code: 'CONTACT_FIELD_INVALID' },
      ],
    });
    expect(started.text).not.toContain('not-an-email');

    const done = await expectEventually(async () => {
      const report = await call('GET', `/v1/contacts/imports/${started.body.importId}`, WRITER);
      expect(report.body.status).toBe('completed');
      return report.body;
    });
    expect(done).toMatchObject({ processedRows: 4, importedRows: 2 });
    const found = await call('GET', '/v1/contacts?purpose=customer-service&email=imp.3@example.com', WRITER);
    expect(found.body.items[0].data.addresses).toBeUndefined();
    const one = await call('GET', '/v1/contacts?purpose=customer-service&email=imp.one@example.com', WRITER);
    expect(one.body.items[0].data.addresses).toEqual([
      { street: 'Main 1', city: 'Berlin', country: 'DE' },
      { street: 'Side 2', city: 'Hamburg', country: 'DE' },
    ]);

    const stranger = await fetch(`${url}/v1/contacts/imports/${started.body.importId}`, {
      headers: { authorization: `Bearer ${await issuer.token({ perms: WRITER })}` },
    });
    expect(stranger.status).toBe(404);
  });

  it('refuses a malformed file or unknown columns as a whole, naming the line or column position', async () => {
    const malformed = await call('POST', '/v1/contacts/import', WRITER, { purpose: 'sales', format: 'csv', content: 'name.given\n"open' });
    expect([malformed.status, malformed.body.code]).toEqual([400, 'IMPORT_MALFORMED']);
    const unknown = await call('POST', '/v1/contacts/import', WRITER, { purpose: 'sales', format: 'csv', content: 'name.given,shoeSize\nAnn,42' });
    expect([unknown.status, unknown.body.code, unknown.body.details]).toEqual([400, 'IMPORT_COLUMN_UNKNOWN', { columns: [2] }]);
    const lines = await call('POST', '/v1/contacts/import', WRITER, { purpose: 'sales', format: 'jsonl', content: '{"name":{"given":"Jay"}}\n{oops' });
    expect(lines.body).toMatchObject({ totalRows: 2, rejected: [{ row: 2, code: 'IMPORT_ROW_MALFORMED' }] });
  });
});

describe('contacts: erasure', () => {
  it('needs subjects:erase and a fresh second factor', async () => {
    const { body: json } = await create('EraseGuard');
    expect((await call('POST', `/v1/contacts/${json.id}/erasure`, WRITER, {}, {}, 10)).body.code).toBe('FORBIDDEN');
    expect((await call('POST', `/v1/contacts/${json.id}/erasure`, DPO, {}, {}, 3_600)).body.code).toBe('STEP_UP_REQUIRED');
    expect((await call('GET', `/v1/contacts/${json.id}?purpose=sales`, WRITER)).status).toBe(200);
  });

  it('destroys the key and purges the read model: 410 everywhere, not found, not exported, not rebuilt; erasing again is a no-op', async () => {
    const marker = uniqueName('Gone').replace(/[^A-Za-z]/g, '');
    const { body: json } = await create(marker);
    await call('POST', `/v1/contacts/${json.id}/transactions`, WRITER, {
      purpose: 'billing',
      transaction: { description: 'x', amountCents: 1, currency: 'EUR', occurredAt: '2026-01-01T00:00:00Z' },
    });

    const erased = await call('POST', `/v1/contacts/${json.id}/erasure`, DPO, {}, {}, 10);
    expect(erased.body).toMatchObject({ id: json.id, alreadyErased: false });
    expect((await call('POST', `/v1/contacts/${json.id}/erasure`, DPO, {}, {}, 10)).body).toMatchObject({ alreadyErased: true });

    expect((await call('GET', `/v1/contacts/${json.id}?purpose=customer-service`, WRITER)).status).toBe(410);
    expect((await call('PATCH', `/v1/contacts/${json.id}`, WRITER, { purpose: 'sales', changes: { birthDate: null } })).status).toBe(410);
    expect((await call('GET', `/v1/contacts?purpose=customer-service&name=ann${marker}`, WRITER)).body.items).toEqual([]);
    const exported = await call('POST', '/v1/contacts/export', DPO, { purpose: 'sales', contactIds: [json.id] }, {}, 10);
    expect(exported.body.contacts).toEqual([]);

    // The purchases go right after the answer, off the erasure's path.
    await app.get(TransactionPurge).purge(json.id);
    const left = await app.get(ContactsRepository).pool.query('SELECT count(*)::int AS n FROM contacts.contact_transactions WHERE contact_id = $1', [json.id]);
    expect(left.rows[0].n).toBe(0);

    const history = await app.get(EVENT_STORE).readStream(`contact-${json.id}`);
    expect(history.map((event: { envelope: { payloadType: string } }) => event.envelope.payloadType.split('.').at(-1))).toEqual([
      'ContactCreated',
      'TransactionAdded',
      'ContactErased',
    ]);

    const repository = app.get(ContactsRepository);
    const outcome = await rebuildReadModel({
      pool: repository.pool,
      store: app.get(EVENT_STORE),
      cipher: app.get(FIELD_CIPHER),
      contacts: repository,
      projection: app.get(ContactProjection),
    });
    expect(outcome.erased).toBeGreaterThanOrEqual(1);
    expect(await repository.byId(json.id)).toBeUndefined();
    expect((await repository.pool.query('SELECT 1 FROM contacts.contact_transactions WHERE contact_id = $1', [json.id])).rows).toEqual([]);
    expect(await repository.erasedAt(json.id)).toBeInstanceOf(Date);
    expect((await call('GET', `/v1/contacts/${json.id}?purpose=customer-service`, WRITER)).status).toBe(410);
  });
});

describe('contacts: reads are processing', () => {
  it('publishes one ContactDataAccessed per contact shown, with actor, purpose and the fields, never values', async () => {
    const { body: json } = await create('Seen');
    await call('GET', `/v1/contacts/${json.id}?purpose=marketing`, WRITER);

    const isMine = (message: { value: Uint8Array }) => {
      const envelope = decodeEnvelope(message.value);
      return envelope.subjectId === json.id && envelope.payloadType === ContactDataAccessedSchema.typeName && envelope.purpose === 'marketing';
    };
    // Reads until the record arrives (or the timeout): waiting by polling the topic, never by sleeping.
    const seen = await kafka.readFromStart('crm.access.v1.events', (messages) => isMine(messages.at(-1)!), {
      groupId: uniqueName('it-access'),
      timeoutMs: 30_000,
    });
    const envelope = decodeEnvelope(seen.filter(isMine)[0]!.value);
    expect({ purpose: envelope.purpose, actor: envelope.actor?.id, ...decodePayload(envelope, ContactDataAccessedSchema) }).toMatchObject({
      purpose: 'marketing',
      actor,
      channel: AccessChannel.VIEW,
      fields: ['name.given', 'name.family', 'emails[]'],
    });
  });
});
