// Tree heads and proofs over HTTP, against the app on the real servers, and the verifier in API mode.
import { fromHex, verifyConsistency, verifyInclusion } from '@crm/merkle';
import { expectEventually } from '@crm/testing';
import { contactCreated, contactRectified, encode } from '../testing/audit.fixtures.js';
import { startAuditApp, type AuditApp } from '../testing/audit-app.fixture.js';
import type { StoredAuditEntry } from '../trail/audit-entry.model.js';
import { entryLeafHash } from '../trail/entry.canonical.js';
import { fromEntryView } from '../trail/entry.view.js';
import { treeHeadFromView, verifyTreeHeadSignature, type TreeHeadView } from '../tree-heads/tree-head.codec.js';
import { TreeHeadKey } from '../tree-heads/tree-head.key.js';
import { AuditApiClient } from '../verifying/entry.sources.js';
import { verifyApi } from '../verifying/verify.runner.js';
import type { ConsistencyProofView, InclusionProofView } from './proofs.service.js';

let audit: AuditApp;
let dpo: string;
let pinned: TreeHeadKey;

async function publish(count: number, round: number): Promise<string[]> {
  const envelopes = Array.from({ length: count }, (_, i) => (round === 0 ? contactCreated(`c-${i}`, ['emails']) : contactRectified(`c-${i}`, ['phones'], [])));
  await audit.kafka.publish(
    audit.topic('contacts'),
    envelopes.map((envelope) => ({ key: envelope.subjectId, value: encode(envelope) })),
  );
  return envelopes.map((envelope) => envelope.eventId);
}

async function recorded(count: number): Promise<void> {
  await expectEventually(async () => expect(await audit.runtime.view.sync()).toBeGreaterThanOrEqual(count), { timeoutMs: 30_000, intervalMs: 100 });
}

const flip = (hex: string) => hex.replace(/^./, (c) => (c === '0' ? '1' : '0'));

beforeAll(async () => {
  audit = await startAuditApp();
  await audit.kafka.ensureTopics([{ name: audit.topic('contacts'), partitions: 3 }]);
  dpo = await audit.token(['audit:read']);
  const answer = await audit.api('GET', '/v1/audit/public-key');
  expect(answer.status).toBe(200);
  pinned = TreeHeadKey.fromPublic((answer.body as { publicKeyPem: string }).publicKeyPem);
});
afterAll(() => audit.close());

describe('tree heads and proofs over HTTP', () => {
  let first: TreeHeadView;
  let ids: string[];

  it('given recorded events, when a head is signed, then it is the latest head and its signature verifies under the published key', async () => {
    ids = await publish(9, 0);
    await recorded(9);
    const signed = await audit.api('POST', '/v1/audit/tree-head', { token: dpo });
    expect(signed.status).toBe(200);
    first = signed.body as TreeHeadView;
    expect(first.treeSize).toBeGreaterThanOrEqual(9);
    expect(verifyTreeHeadSignature(treeHeadFromView(first), pinned)).toBe(true);
    const latest = await audit.api('GET', '/v1/audit/tree-head', { token: dpo });
    expect((latest.body as TreeHeadView).treeSize).toBe(first.treeSize);
  });

  it('given an entry, then its inclusion proof verifies against the signed head, from the entry as served; forged proofs do not', async () => {
    const answer = await audit.api('GET', `/v1/audit/entries/${ids[4]}/proof`, { token: dpo });
    expect(answer.status).toBe(200);
    const proof = answer.body as InclusionProofView;
    const head = treeHeadFromView(proof.treeHead!);
    expect(verifyTreeHeadSignature(head, pinned)).toBe(true);
    const entry: StoredAuditEntry = fromEntryView(proof.entry);
    const leaf = entryLeafHash(entry);
    expect(verifyInclusion(leaf, proof.leafIndex, head.treeSize, proof.proof.map(fromHex), head.rootHash)).toBe(true);

    const forgedPath = proof.proof.map((node, i) => fromHex(i === 0 ? flip(node) : node));
    expect(verifyInclusion(leaf, proof.leafIndex, head.treeSize, forgedPath, head.rootHash)).toBe(false);
    const forgedEntry = entryLeafHash({ ...entry, purpose: 'something-else' });
    expect(verifyInclusion(forgedEntry, proof.leafIndex, head.treeSize, proof.proof.map(fromHex), head.rootHash)).toBe(false);
    expect(verifyInclusion(leaf, proof.leafIndex + 1, head.treeSize, proof.proof.map(fromHex), head.rootHash)).toBe(false);

    const byIndex = await audit.api('GET', `/v1/audit/entries/${proof.leafIndex}/proof`, { token: dpo });
    expect((byIndex.body as InclusionProofView).proof).toEqual(proof.proof);
  });

  it('given the tree grew, then a consistency proof links the two signed heads; a forged one does not', async () => {
    await publish(6, 1);
    await recorded(first.treeSize + 6);
    const second = (await audit.api('POST', '/v1/audit/tree-head', { token: dpo })).body as TreeHeadView;
    expect(second.treeSize).toBeGreaterThan(first.treeSize);
    const answer = await audit.api('GET', `/v1/audit/consistency?from=${first.treeSize}&to=${second.treeSize}`, { token: dpo });
    expect(answer.status).toBe(200);
    const proof = (answer.body as ConsistencyProofView).proof.map(fromHex);
    const [older, newer] = [treeHeadFromView(first), treeHeadFromView(second)];
    expect(verifyConsistency(older.treeSize, newer.treeSize, older.rootHash, newer.rootHash, proof)).toBe(true);
    expect(verifyConsistency(older.treeSize, newer.treeSize, older.rootHash, newer.rootHash, [...proof.slice(1), proof[0]!])).toBe(proof.length < 2);
    expect(
      verifyConsistency(older.treeSize, newer.treeSize, older.rootHash, newer.rootHash, [
        fromHex(flip(Buffer.from(proof[0]!).toString('hex'))),
        ...proof.slice(1),
      ]),
    ).toBe(false);
    // Without `to`, the proof runs to the latest head.
    const toLatest = (await audit.api('GET', `/v1/audit/consistency?from=${first.treeSize}`, { token: dpo })).body as ConsistencyProofView;
    expect(toLatest.toSize).toBe(second.treeSize);
  });

  it('given bad input, then stable codes: unknown entry 404, sizes out of range or reversed 400', async () => {
    const cases: Array<[string, number, string]> = [
      ['/v1/audit/entries/no-such-event/proof', 404, 'AUDIT_ENTRY_NOT_FOUND'],
      ['/v1/audit/entries/999999/proof', 404, 'AUDIT_ENTRY_NOT_FOUND'],
      [`/v1/audit/entries/${ids[0]}/proof?treeSize=999999`, 400, 'AUDIT_TREE_SIZE_INVALID'],
      ['/v1/audit/consistency?from=5&to=2', 400, 'AUDIT_TREE_SIZE_INVALID'],
      ['/v1/audit/consistency?from=1&to=999999', 400, 'AUDIT_TREE_SIZE_INVALID'],
      ['/v1/audit/consistency?from=-1', 400, 'REQUEST_INVALID'],
      ['/v1/audit/consistency', 400, 'REQUEST_INVALID'],
    ];
    for (const [path, status, code] of cases) {
      const answer = await audit.api('GET', path, { token: dpo });
      expect([path, answer.status, (answer.body as { code: string }).code]).toEqual([path, status, code]);
    }
    const leafIndex = ((await audit.api('GET', `/v1/audit/entries/${ids[8]}/proof`, { token: dpo })).body as InclusionProofView).leafIndex;
    const notIn = await audit.api('GET', `/v1/audit/entries/${ids[8]}/proof?treeSize=${leafIndex}`, { token: dpo });
    expect([notIn.status, (notIn.body as { code: string }).code]).toEqual([400, 'AUDIT_ENTRY_NOT_IN_TREE']);
  });

  it('given no token, a token without audit:read, or one without a second factor, then 401, 403 FORBIDDEN, 403 MFA_REQUIRED', async () => {
    expect((await audit.api('GET', '/v1/audit/tree-head')).status).toBe(401);
    const analyst = await audit.api('GET', '/v1/audit/tree-head', { token: await audit.token(['contacts:read']) });
    expect([analyst.status, (analyst.body as { code: string }).code]).toEqual([403, 'FORBIDDEN']);
    const noMfa = await audit.api('GET', '/v1/audit/tree-head', { token: await audit.token(['audit:read'], { secondFactor: false }) });
    expect([noMfa.status, (noMfa.body as { code: string }).code]).toEqual([403, 'MFA_REQUIRED']);
  });

  it('given the API and the heads on Kafka, then the verifier in API mode verifies the whole log, heads pairwise consistent', async () => {
    await audit.api('POST', '/v1/audit/tree-head', { token: dpo });
    const verdict = await verifyApi(new AuditApiClient(audit.url, dpo), audit.kafka, pinned, { topic: audit.config.treeHeadsTopic });
    expect(verdict.problems).toEqual([]);
    expect(verdict.verified).toBe(true);
    expect(verdict.headsChecked).toBeGreaterThanOrEqual(2);
  });
});
