// The DPO's queries over HTTP, on the real servers: filters, keyset paging, the subject report (JSON and HTML),
// and every query recorded in the trail itself.
import { AuditTrailQueriedSchema } from '@crm/contracts';
import { expectEventually } from '@crm/testing';
import { contactCreated, contactDataAccessed, contactRectified, encode } from '../testing/audit.fixtures.js';
import { startAuditApp, type AuditApp } from '../testing/audit-app.fixture.js';
import type { EntryView } from '../trail/entry.view.js';
import type { SubjectReport } from './subject-report.js';

let audit: AuditApp;
let dpo: string;
const HOSTILE = '<script>alert("x")</script>';
const t = (minute: number) => new Date(Date.UTC(2026, 2, 1, 10, minute));

type Page = { entries: EntryView[]; nextCursor: string | null };

/** The domain events only: every query of these tests is itself recorded (and may land between two pages). */
const domain = (entries: EntryView[]) => entries.filter((entry) => entry.action !== AuditTrailQueriedSchema.typeName);

async function all(path: string): Promise<EntryView[]> {
  const entries: EntryView[] = [];
  let cursor: string | null = null;
  do {
    const answer = await audit.api('GET', `${path}${path.includes('?') ? '&' : '?'}limit=2${cursor === null ? '' : `&cursor=${cursor}`}`, { token: dpo });
    expect(answer.status).toBe(200);
    const page = answer.body as Page;
    entries.push(...page.entries);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return entries;
}

beforeAll(async () => {
  audit = await startAuditApp();
  const contacts = audit.topic('contacts');
  await audit.kafka.ensureTopics([{ name: contacts, partitions: 1 }]);
  await audit.kafka.publish(
    contacts,
    [
      contactCreated('anna', ['name.given', 'emails'], { actorId: 'user-1', occurredAt: t(1) }),
      contactCreated('bob', ['name.given'], { actorId: 'user-2', occurredAt: t(2) }),
      contactRectified('anna', ['emails'], ['phones'], { actorId: 'user-2', occurredAt: t(3), purpose: 'sales' }),
      contactDataAccessed('anna', ['emails'], { actorId: 'user-1', occurredAt: t(4) }),
      contactCreated(HOSTILE, ['emails'], { actorId: 'user-3', occurredAt: t(5) }),
    ].map((envelope) => ({ key: 'k', value: encode(envelope) })),
  );
  dpo = await audit.token(['audit:read'], { sub: 'dpo-1' });
  await expectEventually(async () => expect(await audit.runtime.view.sync()).toBe(5), { timeoutMs: 30_000, intervalMs: 100 });
});
afterAll(() => audit.close());

describe('DPO queries over HTTP', () => {
  it('given a subject filter, then only that subject, in log order, across pages of two', async () => {
    const anna = domain(await all('/v1/audit/entries?subjectId=anna'));
    expect(anna.map((entry) => [entry.action.split('.').at(-1), entry.actorId])).toEqual([
      ['ContactCreated', 'user-1'],
      ['ContactRectified', 'user-2'],
      ['ContactDataAccessed', 'user-1'],
    ]);
    expect(anna.map((entry) => entry.leafIndex)).toEqual([...anna.map((entry) => entry.leafIndex)].sort((a, b) => a - b));
  });

  it('given actor, action, purpose and time filters, then they combine', async () => {
    expect((await all('/v1/audit/entries?actorId=user-1')).map((entry) => entry.subjectId)).toEqual(['anna', 'anna']);
    expect((await all('/v1/audit/entries?action=crm.contacts.v1.ContactCreated')).map((entry) => entry.subjectId)).toEqual(['anna', 'bob', HOSTILE]);
    expect((await all('/v1/audit/entries?purpose=sales')).map((entry) => entry.fields)).toEqual([['emails', 'phones']]);
    const window = domain(await all(`/v1/audit/entries?from=${t(2).toISOString()}&to=${t(4).toISOString()}`));
    expect(window.map((entry) => entry.occurredAt)).toEqual([t(2).toISOString(), t(3).toISOString()]);
  });

  it('given bad input, then 400 with a stable code and nothing echoed', async () => {
    const cursor = await audit.api('GET', '/v1/audit/entries?cursor=bm90LWEtY3Vyc29y', { token: dpo });
    expect([cursor.status, (cursor.body as { code: string }).code]).toEqual([400, 'AUDIT_CURSOR_INVALID']);
    const unknown = await audit.api('GET', '/v1/audit/entries?email=jane@example.com', { token: dpo });
    expect([unknown.status, (unknown.body as { code: string }).code]).toEqual([400, 'REQUEST_INVALID']);
    expect(unknown.text).not.toContain('jane@example.com');
    const limit = await audit.api('GET', '/v1/audit/entries?limit=100000', { token: dpo });
    expect(limit.status).toBe(400);
    // Found by the contract fuzzing (issue 16): a NUL, which no Postgres text holds, failed the query with a 500.
    for (const path of ['/v1/audit/entries?subjectId=a%00b', '/v1/audit/entries?action=%00', '/v1/audit/subjects/a%00b/report']) {
      const nul = await audit.api('GET', path, { token: dpo });
      expect({ path, status: nul.status, code: (nul.body as { code: string }).code }).toEqual({ path, status: 400, code: 'REQUEST_INVALID' });
    }
  });

  it('given a subject, then the JSON report lists everything in the order it happened, with counts per purpose and actor', async () => {
    const answer = await audit.api('GET', '/v1/audit/subjects/anna/report', { token: dpo });
    expect(answer.status).toBe(200);
    const report = answer.body as SubjectReport;
    // The DPO's own earlier queries about anna are part of what happened to her data: they come after the domain events.
    const domainEntries = domain(report.entries);
    const oversight = report.entries.filter((entry) => entry.action === AuditTrailQueriedSchema.typeName);
    expect(report).toMatchObject({
      subjectId: 'anna',
      entryCount: domainEntries.length + oversight.length,
      truncated: false,
      firstOccurredAt: t(1).toISOString(),
    });
    expect(domainEntries.map((entry) => entry.occurredAt)).toEqual([t(1), t(3), t(4)].map((date) => date.toISOString()));
    expect(oversight.every((entry) => entry.actorId === 'dpo-1' && entry.occurredAt > t(4).toISOString())).toBe(true);
    expect(report.purposes.filter((purpose) => purpose.purpose !== 'data-protection-oversight')).toEqual([
      { purpose: 'customer-service', legalBases: ['contract'], count: 2 },
      { purpose: 'sales', legalBases: ['contract'], count: 1 },
    ]);
    expect(report.fieldsTouched).toEqual(['emails', 'name.given', 'phones']);
    expect(report.actors.filter((actor) => actor.actorId !== 'dpo-1').map((actor) => [actor.actorId, actor.count])).toEqual([
      ['user-1', 2],
      ['user-2', 1],
    ]);
  });

  it('given Accept: text/html or format=html, then a printable page with every value escaped', async () => {
    const html = await audit.api('GET', '/v1/audit/subjects/anna/report', { token: dpo, accept: 'text/html' });
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.text).toMatch(/^<!doctype html>/);
    expect(html.text).toContain('ContactRectified');
    const hostile = await audit.api('GET', `/v1/audit/subjects/${encodeURIComponent(HOSTILE)}/report?format=html`, { token: dpo });
    expect(hostile.status).toBe(200);
    expect(hostile.text).not.toContain('<script>');
    expect(hostile.text).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
  });

  it('given a DPO read a trail, then the read itself is recorded (actor, filters, no values) and shows in the subject report', async () => {
    await audit.api('GET', '/v1/audit/subjects/bob/report', { token: dpo });
    await expectEventually(
      async () => {
        const entries = await all('/v1/audit/entries?subjectId=bob');
        const queried = entries.filter((entry) => entry.action === AuditTrailQueriedSchema.typeName);
        expect(queried.length).toBeGreaterThanOrEqual(1);
        expect(queried[0]).toMatchObject({
          actorId: 'dpo-1',
          purpose: 'data-protection-oversight',
          legalBasis: 'legal_obligation',
          sourceTopic: audit.topic('access'),
        });
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  });
});
