// How soon a withdrawal of consent is enforced where the data is (issue 12): after the gateway has accepted a
// withdrawal (200), the time until a marketing read of that contact answers 403 CONSENT_REQUIRED, polled back to
// back. The path: consent's write → its outbox relay → Kafka → contacts' consent-states projector → the read's check.
// Baselines measured in the same run: one raw Kafka hop (produce acks=all → consumed, with the platform's batch
// consumer's fetch wait), the floor of any event-carried propagation; and the marketing read itself (answered 200),
// the resolution of the polling.
import { Admin, Consumer, MessagesStreamModes, ProduceAcks, Producer } from '@platformatic/kafka';
import { adminSession, api, createStaffUser, signIn, staffSession, uniqueName } from '@crm/testing';
import { percentile, primaryBrokers, runId, timed, type Measurement, primaryClientSasl } from './bench-env.ts';
import { expectStatus, send } from './contacts.ts';

const SECTION = 'consent';
const round = (ms: number): number => Math.round(ms * 10) / 10;
const latencyOf = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)), maxMs: round(sorted.at(-1) ?? Number.NaN) };
};

/** Polls `probe` back to back until it answers true, for at most `timeoutMs`. */
async function until(probe: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let polls = 0;
  for (;;) {
    polls++;
    if (await probe()) return polls;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

interface ConsentUsers {
  support: string;
  marketer: string;
  noticeVersion: string;
}

/** Support staff (record consents), a marketing lead (marketing reads) and the English notice consents name. */
async function consentUsers(): Promise<ConsentUsers> {
  const admin = (await adminSession()).accessToken;
  const support = (await staffSession(admin, 'support', 'bench')).accessToken;
  const role = `bench-marketing-${runId()}`;
  const made = await api('POST', '/v1/roles', { name: role, permissions: ['contacts:read', 'purpose:marketing'] }, admin);
  if (made.status !== 201) throw new Error(`creating the marketing role answered ${made.status} ${String(made.body.code)}`);
  const marketer = (await staffSession(admin, role, 'bench')).accessToken;
  const current = await api('GET', '/v1/privacy-notices/current?lang=en');
  if (current.status === 200) return { support, marketer, noticeVersion: current.body.version as string };
  // A fresh platform has no notice yet: a DPO publishes one (publication needs the second factor just used).
  const dpoUser = await createStaffUser(admin, 'dpo', 'bench');
  const dpo = (await signIn(dpoUser.email, dpoUser.password, { step: 1 })).accessToken;
  const draft = await expectStatus(
    201,
    send('POST', '/v1/privacy-notices', dpo, {
      lang: 'en',
      controller: 'Benchmark Ltd',
      dpoContact: 'dpo@bench.example',
      retention: 'Marketing: until consent is withdrawn',
      recipients: 'None',
      processors: 'None',
      rights: 'Write to dpo@bench.example',
    }),
  );
  const published = await expectStatus(200, send('POST', `/v1/privacy-notices/${draft.version as string}/publication`, dpo));
  return { support, marketer, noticeVersion: published.version as string };
}

/**
 * `count` contacts are made and given consent to marketing first (each polled until a marketing read answers 200);
 * then, one contact at a time on a platform otherwise at rest, the consent is withdrawn and the read polled until it
 * is refused. The refusal time is measured from the gateway's 200 to the withdrawal to the first refusing answer.
 */
export async function withdrawalToRefusal(count: number): Promise<Measurement[]> {
  const users = await consentUsers();
  const read = (id: string) => send('GET', `/v1/contacts/${id}?purpose=marketing`, users.marketer);
  const run = uniqueName('c').replace(/[^a-z0-9]/gi, '');
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const created = await expectStatus(
      201,
      send('POST', '/v1/contacts', users.support, { purpose: 'customer-service', data: { name: { given: `Consent${run}x${i}`, family: 'Bench' } } }),
    );
    ids.push(created.id as string);
  }
  const consent = { purpose: 'marketing', noticeVersion: users.noticeVersion, channel: 'web-form', evidence: { kind: 'form', reference: 'npm run bench' } };
  for (const id of ids) {
    // Consent learns a contact from contacts' events (404 CONSENT_CONTACT_UNKNOWN for a moment after its creation).
    await until(async () => (await send('POST', `/v1/contacts/${id}/consents`, users.support, consent)).status === 201, 'consent to know the contact');
    await until(async () => (await read(id)).status === 200, 'the consent to reach contacts');
  }

  const reads: number[] = [];
  const refusals: number[] = [];
  let polls = 0;
  const { seconds } = await timed(async () => {
    for (const id of ids) {
      for (let r = 0; r < 3; r++) {
        const started = performance.now();
        await expectStatus(200, read(id));
        reads.push(performance.now() - started);
      }
      await expectStatus(200, send('POST', `/v1/contacts/${id}/consents/marketing/withdrawal`, users.support, {}));
      const accepted = performance.now();
      polls += await until(async () => {
        const answer = await read(id);
        if (answer.status === 200) return false;
        if (answer.status !== 403 || answer.body.code !== 'CONSENT_REQUIRED')
          throw new Error(`the marketing read answered ${answer.status} ${String(answer.body.code)}`);
        return true;
      }, 'the withdrawal to be enforced');
      refusals.push(performance.now() - accepted);
    }
  });
  const kafka = await kafkaHop(count);
  return [
    {
      section: SECTION,
      name: `consent withdrawal -> marketing read refused (CONSENT_REQUIRED), ${count} contacts`,
      perSecond: count / seconds,
      count,
      seconds,
      extra: { ...latencyOf(refusals), pollsPerRefusal: round(polls / count) },
    },
    {
      section: SECTION,
      name: 'baseline: raw Kafka hop, produce (acks=all) -> consumed, one at a time',
      perSecond: kafka.length / (kafka.reduce((sum, ms) => sum + ms, 0) / 1000),
      count: kafka.length,
      seconds: kafka.reduce((sum, ms) => sum + ms, 0) / 1000,
      extra: latencyOf(kafka),
    },
    {
      section: SECTION,
      name: 'baseline: the marketing read with consent in force (200), 1 client',
      perSecond: reads.length / (reads.reduce((sum, ms) => sum + ms, 0) / 1000),
      count: reads.length,
      seconds: reads.reduce((sum, ms) => sum + ms, 0) / 1000,
      extra: latencyOf(reads),
    },
  ];
}

/**
 * One record at a time through the primary broker: an idempotent acks=all producer like the outbox relay, and a
 * consumer fetching with the platform's batch consumer's wait (100 ms): the time from send to delivery.
 */
async function kafkaHop(count: number): Promise<number[]> {
  const topic = `crm.bench.consent_hop_${runId()}`;
  const admin = new Admin({ clientId: 'bench-consent-admin', bootstrapBrokers: primaryBrokers, ...primaryClientSasl });
  const producer = new Producer({
    clientId: 'bench-consent-hop',
    bootstrapBrokers: primaryBrokers,
    ...primaryClientSasl,
    idempotent: true,
    acks: ProduceAcks.ALL,
  });
  const consumer = new Consumer({
    clientId: 'bench-consent-hop',
    bootstrapBrokers: primaryBrokers,
    ...primaryClientSasl,
    groupId: `bench-consent-${runId()}`,
    autocommit: false,
    maxWaitTime: 100,
  });
  try {
    await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST });
    let arrived: ((key: string) => void) | undefined;
    stream.on('data', (message) => arrived?.(message.key?.toString() ?? ''));
    const hop = async (key: string): Promise<number> => {
      const delivered = new Promise<void>((resolve) => {
        arrived = (seen) => {
          if (seen === key) resolve();
        };
      });
      const started = performance.now();
      await producer.send({ messages: [{ topic, key: Buffer.from(key), value: Buffer.alloc(300, 0x61) }] });
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([delivered, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('a record never arrived')), 30_000)))]);
      } finally {
        clearTimeout(timer);
      }
      return performance.now() - started;
    };
    await hop('warm-up');
    const samples: number[] = [];
    for (let i = 0; i < count; i++) samples.push(await hop(`r${i}`));
    await stream.close();
    return samples;
  } finally {
    await consumer.close(true).catch(() => undefined);
    await producer.close().catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.close();
  }
}
