// The DPO's audit trail and register through the gateway (issue: audit trail and processing register for DPOs).
// Several users act on several contacts and sign in; the trail shows it per subject and per actor, complete and
// in order; after an erasure it still shows what happened, without personal data, and the log still verifies
// against the signed heads on Kafka.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex, verifyInclusion } from '@crm/merkle';
import { adminSession, createStaffUser, expectEventually, gateway, request as call, signIn, uniqueName } from '@crm/testing';

/** The API's shapes, as a client sees them (e2e tests do not import service code). */
interface EntryView {
  leafIndex: number;
  eventId: string;
  occurredAt: string;
  actorId: string;
  action: string;
  subjectId: string;
  fields: string[];
  purpose: string;
  leafHash: string;
}
interface SubjectReport {
  entries: EntryView[];
}

const short = (entry: EntryView) => entry.action.split('.').at(-1);

/**
 * The verifier CLI as a DPO runs it (built by `npm test` before the e2e stage): API mode with the DPO's token, the
 * heads from Kafka, the public key pinned from this machine's state directory (the default).
 */
async function verifyCli(token: string): Promise<{ status: number | null; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'crm-audit-e2e-'));
  try {
    writeFileSync(join(dir, 'token'), token, { mode: 0o600 });
    // Asynchronously: a blocked event loop would miss the gateway closing idle keep-alive sockets, and the next
    // request would be sent on a dead one.
    const child = spawn(
      process.execPath,
      ['services/audit/dist/verifying/verify-cli.js', '--source', 'api', '--api-url', gateway, '--token-file', join(dir, 'token')],
      {
        env: process.env,
        timeout: 120_000,
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [status] = (await once(child, 'close')) as [number | null];
    return { status, output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tag = uniqueName('z').replace(/[^a-z]/gi, '');
const personal = { given: `Ines${tag}`, email: `ines.${tag.toLowerCase()}@example.com` };
let alice: { id: string; token: string };
let bruno: { id: string; token: string };
let dpo: string;
let anna: string;
let ben: string;

beforeAll(async () => {
  const admin = (await adminSession()).accessToken;
  const [a, b, d] = [
    await createStaffUser(admin, 'sales', 'audit'),
    await createStaffUser(admin, 'sales', 'audit'),
    await createStaffUser(admin, 'dpo', 'audit'),
  ];
  // Salespeople see personal data, so they sign in with a second factor (enrolled at first sign-in).
  alice = { id: a.id, token: (await signIn(a.email, a.password, { step: 1 })).accessToken };
  bruno = { id: b.id, token: (await signIn(b.email, b.password, { step: 1 })).accessToken };
  dpo = (await signIn(d.email, d.password, { step: 1 })).accessToken;

  const data = { name: { given: personal.given, family: 'Roth' }, emails: [personal.email], phones: ['+4930765432'] };
  anna = (await call('POST', '/v1/contacts', alice.token, { purpose: 'sales', data })).body.id as string;
  ben = (await call('POST', '/v1/contacts', alice.token, { purpose: 'sales', data: { name: { given: `Ben${tag}`, family: 'Roth' } } })).body.id as string;
  expect(
    (await call('PATCH', `/v1/contacts/${anna}`, bruno.token, { purpose: 'sales', changes: { phones: ['+4930111111'] } }, { 'if-match': '"1"' })).status,
  ).toBe(200);
  expect((await call('GET', `/v1/contacts/${anna}?purpose=sales`, bruno.token)).status).toBe(200);
  expect((await call('GET', `/v1/contacts/${ben}?purpose=sales`, alice.token)).status).toBe(200);
});

describe('the audit trail through the gateway', () => {
  it('given actions by two users on a contact, then its report lists them all, in order, with actors, purposes and fields', async () => {
    const domain = await expectEventually(
      async () => {
        const answer = await call('GET', `/v1/audit/subjects/${anna}/report`, dpo);
        expect(answer.status).toBe(200);
        const entries = (answer.body as SubjectReport).entries.filter((entry) => entry.action.startsWith('crm.contacts.'));
        // Writes and reads travel on different topics and are ingested independently: wait for both.
        expect(entries.some((entry) => short(entry) === 'ContactRectified')).toBe(true);
        expect(entries.some((entry) => short(entry) === 'ContactDataAccessed' && entry.actorId === bruno.id)).toBe(true);
        return entries;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    // Writes by each user, in order; reads (every answer carrying personal data is one) by whoever was shown it.
    const writes = domain.filter((entry) => short(entry) !== 'ContactDataAccessed');
    expect(writes.map((entry) => [short(entry), entry.actorId])).toEqual([
      ['ContactCreated', alice.id],
      ['ContactRectified', bruno.id],
    ]);
    expect(writes[1]!.fields).toEqual(['phones']);
    expect(domain.map((entry) => entry.occurredAt)).toEqual([...domain.map((entry) => entry.occurredAt)].sort());
    expect(domain.at(-1)).toMatchObject({ action: 'crm.contacts.v1.ContactDataAccessed', actorId: bruno.id });
    expect(domain.every((entry) => entry.purpose === 'sales' && entry.subjectId === anna)).toBe(true);
  });

  it("given an actor, then the actor query shows that user's sign-in and everything they did, in log order", async () => {
    await expectEventually(
      async () => {
        const page = (await call('GET', `/v1/audit/entries?actorId=${alice.id}&limit=100`, dpo)).body as { entries: EntryView[] };
        const actions = page.entries.map(short);
        expect(actions).toEqual(expect.arrayContaining(['LoginSucceeded', 'ContactCreated', 'ContactDataAccessed']));
        expect(page.entries.filter((entry) => short(entry) === 'ContactCreated').map((entry) => entry.subjectId)).toEqual([anna, ben]);
        // The sign-in happened first. Log order across topics is the order of ingestion (each topic is consumed on
        // its own), so "first" is the time it occurred, not its place in the log.
        const at = (action: string) => page.entries.find((entry) => short(entry) === action)!.occurredAt;
        expect(at('LoginSucceeded') < at('ContactCreated')).toBe(true);
        expect(page.entries.map((entry) => entry.leafIndex)).toEqual([...page.entries.map((entry) => entry.leafIndex)].sort((x, y) => x - y));
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  });

  it('given the subject erased, then the trail still shows what happened (and the erasure), holds no personal data, and verifies', async () => {
    expect((await call('POST', `/v1/contacts/${anna}/erasure`, dpo)).status).toBe(200);
    const report = await expectEventually(
      async () => {
        const body = (await call('GET', `/v1/audit/subjects/${anna}/report`, dpo)).body as SubjectReport;
        expect(body.entries.map(short)).toContain('ContactErased');
        return body;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(report.entries.map(short)).toEqual(expect.arrayContaining(['ContactCreated', 'ContactRectified', 'ContactDataAccessed', 'ContactErased']));
    const html = await call('GET', `/v1/audit/subjects/${anna}/report?format=html`, dpo);
    for (const text of [JSON.stringify(report), html.text]) {
      expect(text).not.toContain(personal.given);
      expect(text).not.toContain(personal.email);
    }

    // The erasure's entry is in the log under the latest signed head (the path leads from its leaf to the head's root).
    const erased = report.entries.find((entry) => short(entry) === 'ContactErased')!;
    await call('POST', '/v1/audit/tree-head', dpo);
    const proof = (await call('GET', `/v1/audit/entries/${erased.eventId}/proof`, dpo)).body;
    expect(proof.treeHead.treeSize).toBe(proof.treeSize);
    expect(verifyInclusion(fromHex(proof.entry.leafHash), proof.leafIndex, proof.treeSize, proof.proof.map(fromHex), fromHex(proof.treeHead.rootHash))).toBe(
      true,
    );

    // And the whole log verifies with the CLI: every head's signature, their pairwise consistency, every leaf rehashed.
    const verdict = await verifyCli(dpo);
    expect(verdict.output).toMatch(/: VERIFIED\n/);
    expect(verdict.status).toBe(0);
  });

  it('given an activity declared for the sales purpose, then the register export counts its evidence and declares the purpose', async () => {
    const declared = await call('POST', '/v1/register/activities', dpo, {
      name: `Sales pipeline ${tag}`,
      purposes: ['sales'],
      legalBasis: 'contract',
      dataSubjectCategories: ['prospects', 'customers'],
      personalDataCategories: ['identity', 'contact details'],
      retentionPeriod: 'P3Y',
      securityMeasures: ['per-subject encryption'],
    });
    expect(declared.status).toBe(201);
    expect(declared.body.evidence.events).toBeGreaterThanOrEqual(5);
    const exported = (await call('GET', '/v1/register/export?format=json', dpo)).body;
    expect(exported.activities.find((activity: { id: string }) => activity.id === declared.body.id)?.evidence.distinctSubjects).toBeGreaterThanOrEqual(2);
    // Every purpose the platform uses is joined with the register: sales is declared by an approved activity now (the
    // platform's own drafts leave none undeclared: tests/e2e/register.e2e.spec.ts).
    expect(exported.purposes.find((purpose: { purpose: string }) => purpose.purpose === 'sales')).toMatchObject({ status: 'approved', flags: [] });
    expect(exported.purposes.find((purpose: { purpose: string }) => purpose.purpose === 'sales').activityIds).toContain(declared.body.id);
    const csv = await call('GET', '/v1/register/export?format=csv', dpo);
    expect(csv.text).toContain(`Sales pipeline ${tag}`);
    expect((await call('GET', '/v1/register/export', alice.token)).status).toBe(403);
    expect((await call('GET', `/v1/audit/subjects/${ben}/report`, alice.token)).status).toBe(403);
  });
});
