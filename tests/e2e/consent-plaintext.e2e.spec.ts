// Proof, not promise, for consent and the request desk (issue 12): every free text they take about a person carries
// a unique marker — the evidence of a consent given on a form, the evidence of a double opt-in asked by e-mail (then
// confirmed by the person), the channel reference of a request, the identity-verification evidence, an extension's
// and a refusal's reason, a completion's reference — and the marker is then looked for in every file the platform
// writes (both Kafka clusters' log segments, the whole Postgres data directory after a checkpoint, the pgBackRest
// repository, Redis's files and every service log), before and after the contact's erasure through the desk. The
// API shows the texts back to the DPO before the erasure (so they were recorded) and `null` after it. Controls prove
// each scan reaches its files: what is written in the clear (the request id, the DPO's id, the correlation id) is
// found where it is written. The scanning helpers are contacts-plaintext.e2e.spec.ts's.
import { randomInt } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { KafkaCluster } from '@crm/messaging';
import { createPool } from '@crm/postgres';
import {
  adminSession,
  createStaffUser,
  expectEventually,
  filesContaining,
  request,
  signIn,
  signInAgain,
  staffSession,
  stateDir,
  testPlatformConfig,
  uniqueName,
  envelopeIn,
  anonymousRequest,
  publishedEnglishNotice,
  platformFileRoots,
  scanPlatformFiles,
} from '@crm/testing';

const letters = (n: number) => Array.from({ length: n }, () => String.fromCharCode(97 + randomInt(26))).join('');
const marker = `consentmark${letters(14)}`;
/** One text per place a person's details go in: each starts with the marker, so one scan finds any of them. */
const texts = {
  evidence: `${marker}-form-evidence`,
  optIn: `${marker}-double-opt-in-evidence`,
  channelReference: `${marker} letter of the person`,
  verification: `${marker} ID card checked on a video call`,
  extension: `${marker} the person sent more documents`,
  refusal: `${marker} identity not established`,
  completion: `${marker} package sent by registered mail`,
  erasureChannel: `${marker} erasure asked for by phone`,
  erasureVerification: `${marker} called back on the known number`,
};
const correlation = `scan-${letters(16)}`;
const config = testPlatformConfig('consent', { CRM_PG_DATABASE: 'consent' });
const kafka = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: 'e2e-consent-plaintext' });
const backupKafka = new KafkaCluster({ name: 'backup', brokers: config.kafka.backupBrokers, sasl: config.kafka.sasl, clientId: 'e2e-consent-plaintext' });
const roots = platformFileRoots(stateDir, process.env.CRM_BACKUP_DIR);
const NOWHERE = { kafka: [], postgres: [], redis: [], logs: [], backups: [] };

let support: string;
let dpo: string;
let dpoId: string;
let renewDpo: () => Promise<string>;
let noticeVersion = '';

/** Every request carries the run's correlation id: the control for the log scan. */
const call = (method: string, path: string, token: string, body?: unknown) => request(method, path, token, body, { 'x-correlation-id': correlation });

async function checkpoint(): Promise<void> {
  const pool = createPool(config.postgres!, { applicationName: 'e2e-consent-plaintext' });
  try {
    await pool.query('CHECKPOINT');
  } finally {
    await pool.end();
  }
}

/** Waits until the subject's event of this type has been relayed to Kafka and mirrored to the backup cluster. */
async function relayed(topic: string, subjectId: string, payloadType: string): Promise<void> {
  for (const cluster of [kafka, backupKafka]) {
    const matches = (message: { value: Uint8Array } | undefined) => {
      if (message === undefined) return false;
      const envelope = envelopeIn(message.value);
      return envelope?.subjectId === subjectId && envelope.payloadType === payloadType;
    };
    const seen = await cluster.readFromStart(topic, (messages) => matches(messages.at(-1)), { groupId: uniqueName('e2e-consent-plain'), timeoutMs: 60_000 });
    expect(matches(seen.at(-1))).toBe(true);
  }
}

const scan = () => scanPlatformFiles(roots, marker, checkpoint);

/** The link in the double opt-in e-mail, followed by the person (no account). */
async function confirm(token: string): Promise<number> {
  return (await anonymousRequest('POST', `/v1/consent-confirmations/${token}`, { 'x-correlation-id': correlation })).status;
}

beforeAll(async () => {
  const admin = (await adminSession()).accessToken;
  support = (await staffSession(admin, 'support', 'cscan')).accessToken;
  const dpoUser = await createStaffUser(admin, 'dpo', 'cscan');
  const enrolled = await signIn(dpoUser.email, dpoUser.password, { step: 1 });
  dpo = enrolled.accessToken;
  dpoId = dpoUser.id;
  // The step-up window may be short: sign in again when the last second factor is older than 20 s (a TOTP step is
  // accepted once, so not more often).
  let signedInAt = Date.now();
  renewDpo = async () => {
    if (Date.now() - signedInAt < 20_000) return dpo;
    dpo = (await signInAgain(dpoUser.email, dpoUser.password, enrolled.secret!)).accessToken;
    signedInAt = Date.now();
    return dpo;
  };
  noticeVersion = await publishedEnglishNotice(dpo);
});
afterAll(() => Promise.all([kafka.close(), backupKafka.close()]));

describe("no plaintext of a consent's evidence or a request's details at rest", () => {
  let contactId: string;
  let accessRequest: string;

  it('after consents (form and double opt-in) and requests worked by the DPO: the marker is in no file the platform writes', async () => {
    const created = await call('POST', '/v1/contacts', support, { purpose: 'customer-service', data: { name: { given: 'Ida', family: 'Scan' } } });
    expect(created.status).toBe(201);
    contactId = created.body.id as string;
    await expectEventually(
      async () => expect((await call('POST', `/v1/contacts/${contactId}/consents/marketing/withdrawal`, support, {})).body.code).toBe('CONSENT_NOT_GIVEN'),
      { timeoutMs: 15_000, intervalMs: 100 },
    );

    // Consent on a form, then again by e-mail: asked (202, the token), confirmed by the person.
    const given = await call('POST', `/v1/contacts/${contactId}/consents`, support, {
      purpose: 'marketing',
      noticeVersion,
      channel: 'web-form',
      evidence: { kind: 'form', reference: texts.evidence },
    });
    expect(given.status).toBe(201);
    const asked = await call('POST', `/v1/contacts/${contactId}/consents`, support, {
      purpose: 'marketing',
      noticeVersion,
      channel: 'email',
      evidence: { kind: 'form', reference: texts.optIn },
    });
    expect(asked.status).toBe(202);
    expect(await confirm(asked.body.confirmation.token as string)).toBe(200);
    const consents = await call('GET', `/v1/contacts/${contactId}/consents`, support);
    expect(consents.body.history.map((entry: { evidence: { reference: string } | null }) => entry.evidence?.reference)).toEqual([
      texts.evidence,
      texts.optIn,
      expect.stringContaining('confirmed'),
    ]);

    // An access request: filed, verified, extended, completed (its package sealed); another refused.
    await renewDpo();
    const filed = await call('POST', '/v1/requests', dpo, {
      type: 'access',
      contactId,
      channel: 'paper',
      channelReference: texts.channelReference,
      receivedAt: new Date().toISOString(),
    });
    expect(filed.status).toBe(201);
    accessRequest = filed.body.requestId as string;
    expect((await call('POST', `/v1/requests/${accessRequest}/verification`, dpo, { method: 'id-document', evidence: texts.verification })).status).toBe(200);
    expect((await call('POST', `/v1/requests/${accessRequest}/extension`, dpo, { months: 1, reason: texts.extension })).status).toBe(200);
    await renewDpo();
    const completed = await call('POST', `/v1/requests/${accessRequest}/completion`, dpo, { reference: texts.completion });
    expect([completed.status, completed.body.status]).toEqual([200, 'completed']);
    const refused = await call('POST', '/v1/requests', dpo, { type: 'objection', contactId, channel: 'email', receivedAt: new Date().toISOString() });
    expect((await call('POST', `/v1/requests/${refused.body.requestId}/refusal`, dpo, { reason: texts.refusal })).status).toBe(200);
    const detail = await call('GET', `/v1/requests/${accessRequest}`, dpo);
    expect(detail.text).toContain(texts.channelReference);
    expect(detail.text).toContain(texts.verification);
    expect(detail.text).toContain(texts.extension);
    await relayed('crm.consent.v1.events', contactId, 'crm.consent.v1.SubjectRequestRefused');

    expect(await scan()).toEqual(NOWHERE);
    // Controls: what is written in the clear is found where it is written, so each scan can fail.
    expect(await filesContaining(roots.kafka.slice(0, 1), accessRequest)).not.toEqual([]);
    expect(await filesContaining(roots.kafka.slice(1), accessRequest)).not.toEqual([]);
    expect(await filesContaining(roots.postgres, accessRequest)).not.toEqual([]);
    expect(await filesContaining(roots.redis, dpoId)).not.toEqual([]);
    expect(await filesContaining(roots.logs, correlation)).not.toEqual([]);
    expect(readdirSync(join(roots.backups[0]!, 'archive'), { recursive: true }).length).toBeGreaterThan(0);
  });

  it('after the erasure through the desk: still nowhere, and the API shows every text as null', async () => {
    await renewDpo();
    const filed = await call('POST', '/v1/requests', dpo, {
      type: 'erasure',
      contactId,
      channel: 'phone',
      channelReference: texts.erasureChannel,
      receivedAt: new Date().toISOString(),
    });
    expect(filed.status).toBe(201);
    const erasure = filed.body.requestId as string;
    expect((await call('POST', `/v1/requests/${erasure}/verification`, dpo, { method: 'phone-callback', evidence: texts.erasureVerification })).status).toBe(
      200,
    );
    await renewDpo();
    const completed = await call('POST', `/v1/requests/${erasure}/completion`, dpo, {});
    expect([completed.status, completed.body.status]).toEqual([200, 'completed']);
    await relayed('crm.contacts.v1.events', contactId, 'crm.contacts.v1.ContactErased');
    await relayed('crm.consent.v1.events', contactId, 'crm.consent.v1.SubjectRequestCompleted');

    expect(await scan()).toEqual(NOWHERE);
    await renewDpo();
    const consents = await call('GET', `/v1/contacts/${contactId}/consents`, support);
    expect(consents.body.history.map((entry: { evidence: unknown }) => entry.evidence)).toEqual([null, null, null]);
    expect(consents.text).not.toContain(marker);
    for (const id of [accessRequest, erasure]) {
      const detail = await call('GET', `/v1/requests/${id}`, dpo);
      expect(detail.status).toBe(200);
      expect(detail.text).not.toContain(marker);
    }
  });
});
