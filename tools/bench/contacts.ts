// The contacts service measured through the gateway, as a frontend reaches it: contact writes per second, search
// latency on a large population, and erasure time against the length of a contact's history. Users are made by
// the bootstrap administrator (the benchmark signs in like the end-to-end suite, keeping the administrator's changed
// password and authenticator secret in the test state directory beside the state directory, `<state>-test`).
import { randomInt } from 'node:crypto';
import { Agent, request } from 'node:http';
import { adminSession, createStaffUser, gateway, staffSession, signIn, signInAgain, uniqueName } from '@crm/testing';
import { percentile, timed, type Measurement } from './bench-env.ts';

const SECTION = 'contacts';

interface Users {
  sales: () => Promise<string>;
  dpo: () => Promise<string>;
}

/**
 * A session's access token, signed in again once it is older than `maxAgeMs` (a token expires, and a long
 * measurement on a loaded machine outlives it); concurrent callers share one renewal (one TOTP step each).
 */
function renewing(first: string, renew: () => Promise<string>, maxAgeMs: number): () => Promise<string> {
  let session = { token: Promise.resolve(first), at: Date.now() };
  return () => {
    if (Date.now() - session.at > maxAgeMs) session = { token: renew(), at: Date.now() };
    return session.token;
  };
}

/** A salesperson (renewed before the access token expires), and a DPO whose session is renewed when its second factor gets old. */
export async function contactUsers(): Promise<Users> {
  const admin = (await adminSession()).accessToken;
  const salesUser = await staffSession(admin, 'sales', 'bench');
  const dpoUser = await createStaffUser(admin, 'dpo', 'bench');
  const enrolled = await signIn(dpoUser.email, dpoUser.password, { step: 1 });
  return {
    sales: renewing(salesUser.accessToken, async () => (await signInAgain(salesUser.email, salesUser.password, salesUser.secret)).accessToken, 600_000),
    // Erasure needs a second factor younger than the step-up window: the session is renewed after two minutes.
    dpo: renewing(enrolled.accessToken, async () => (await signInAgain(dpoUser.email, dpoUser.password, enrolled.secret!)).accessToken, 120_000),
  };
}

/**
 * The benchmark's HTTP client: node:http over kept-alive connections. It shares the 2 cores with the platform it
 * measures, so it should cost as little as it can (fetch cost ~0.8 ms of CPU per request here, this ~0.3 ms).
 */
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

export function send(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string | number> = { authorization: `Bearer ${token}` };
  if (payload !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  return new Promise((resolve, reject) => {
    const outgoing = request(`${gateway}${path}`, { method, agent, headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', reject);
      incoming.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: incoming.statusCode ?? 0, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

export async function expectStatus(expected: number, reply: Promise<{ status: number; body: Record<string, unknown> }>): Promise<Record<string, unknown>> {
  const { status, body } = await reply;
  if (status !== expected)
    throw new Error(
      `expected ${expected}, got ${status} ${String(body.code)}${status === 429 ? ' (gateway rate limit: run the bench with the platform it starts)' : ''}`,
    );
  return body;
}

/** `concurrency` workers taking jobs 0..count-1; returns each job's latency in ms. */
async function closedLoop(count: number, concurrency: number, job: (index: number) => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < count; index = next++) {
        const started = performance.now();
        await job(index);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

/** A contact's data for the bench: its e-mail is `<tag>@bench.example`. */
export const person = (tag: string) => ({
  name: { given: `Bench${tag}`, family: 'Writer' },
  emails: [`${tag}@bench.example`],
  phones: ['+4930555000'],
  addresses: [{ street: 'Benchstr. 1', postalCode: '10115', city: 'Berlin', country: 'DE' }],
  notes: ['created by npm run bench'],
});

/** Contacts created through the gateway by 8 concurrent clients: each is decide → seal → append → project → view. */
export async function contactWrites(users: Users, count: number): Promise<Measurement> {
  const run = uniqueName('w').replace(/[^a-z0-9]/gi, '');
  const { result: latencies, seconds } = await timed(() =>
    closedLoop(count, 8, async (index) => {
      await expectStatus(201, send('POST', '/v1/contacts', await users.sales(), { purpose: 'sales', data: person(`${run}x${index}`) }));
    }),
  );
  return {
    section: SECTION,
    name: 'contact writes through the gateway (create, 8 clients)',
    perSecond: count / seconds,
    count,
    seconds,
    extra: { p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)) },
  };
}

/**
 * Time to erase a contact whose stream holds `events` events (1 create + purchases), through the gateway. Every
 * history is built first; then, after a pause that lets the outbox relay and the audit trail catch up with the
 * burst, the contacts are erased in turns (short, long, short, long …), so each erasure meets the same quiet platform.
 */
export async function contactErasure(users: Users, histories: ReadonlyArray<{ events: number; repeats: number }>): Promise<Measurement[]> {
  const transaction = { description: 'bench purchase', amountCents: 1_999, currency: 'EUR', occurredAt: '2026-11-01T10:00:00Z' };
  const built = new Map<number, string[]>();
  for (const { events, repeats } of histories) {
    for (let r = 0; r < repeats; r++) {
      const created = await expectStatus(
        201,
        send('POST', '/v1/contacts', await users.sales(), { purpose: 'sales', data: person(uniqueName('e').replace(/[^a-z0-9]/gi, '')) }),
      );
      const id = created.id as string;
      await closedLoop(events - 1, 8, async () => {
        await expectStatus(201, send('POST', `/v1/contacts/${id}/transactions`, await users.sales(), { purpose: 'sales', transaction }));
      });
      built.set(events, [...(built.get(events) ?? []), id]);
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 15_000));
  const times = new Map<number, number[]>();
  const rounds = Math.max(...histories.map((history) => history.repeats));
  for (let r = 0; r < rounds; r++) {
    for (const { events } of histories) {
      const id = built.get(events)?.[r];
      if (id === undefined) continue;
      const dpo = await users.dpo();
      const started = performance.now();
      await expectStatus(200, send('POST', `/v1/contacts/${id}/erasure`, dpo));
      times.set(events, [...(times.get(events) ?? []), performance.now() - started]);
      await expectStatus(410, send('GET', `/v1/contacts/${id}?purpose=sales`, await users.sales()));
    }
  }
  return histories.map(({ events, repeats }) => {
    const samples = (times.get(events) ?? []).sort((a, b) => a - b);
    const mean = samples.reduce((sum, ms) => sum + ms, 0) / samples.length;
    return {
      section: SECTION,
      name: `erase a contact with ${events.toLocaleString('en')} events (mean of ${repeats})`,
      perSecond: 1000 / mean,
      count: repeats,
      seconds: mean / 1000,
      extra: { meanMs: round(mean), minMs: round(samples[0]!), maxMs: round(samples.at(-1)!) },
    };
  });
}

/** Seeded contacts are found by these: `seed<i>@bench.example`, phone +49301<i, 8 digits>, and a name token per i. */
const seedEmail = (i: number) => `seed${i}@bench.example`;
const seedPhone = (i: number) => `+49301${String(i).padStart(8, '0')}`;
const seedToken = (i: number) => `seed${i.toString(26).replace(/[0-9]/g, (d) => 'qrstuvwxyz'[Number(d)]!)}`;

/**
 * Search latency on `population` contacts. The population is seeded once through the bulk import (10,000 rows per
 * file) and reused by later runs (probed by the last seed's e-mail). Baseline: the same gateway round trip for an
 * id that does not exist (one primary-key lookup), measured in the same run.
 */
export async function contactSearch(users: Users, population: number, queries: number): Promise<Measurement[]> {
  const probe = await expectStatus(200, send('GET', `/v1/contacts?purpose=sales&email=${encodeURIComponent(seedEmail(population - 1))}`, await users.sales()));
  let seeding: Measurement | undefined;
  if ((probe.items as unknown[]).length === 0) {
    const { seconds } = await timed(async () => {
      for (let start = 0; start < population; start += 10_000) {
        const rows = Array.from({ length: Math.min(10_000, population - start) }, (_, k) => {
          const i = start + k;
          return `${seedToken(i)},Seed,${seedEmail(i)},${seedPhone(i)}`;
        });
        const content = ['name.given,name.family,emails,phones', ...rows].join('\n');
        const started = await expectStatus(202, send('POST', '/v1/contacts/import', await users.sales(), { purpose: 'sales', format: 'csv', content }));
        for (;;) {
          const report = await expectStatus(200, send('GET', `/v1/contacts/imports/${started.importId as string}`, await users.sales()));
          if (report.status === 'completed') break;
          if (report.status === 'failed') throw new Error(`seeding import failed: ${String(report.errorCode)}`);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        process.stderr.write(`  seeded ${Math.min(population, start + 10_000).toLocaleString('en')} contacts\n`);
      }
    });
    seeding = {
      section: SECTION,
      name: `bulk import through the gateway (seeding ${population.toLocaleString('en')} contacts)`,
      perSecond: population / seconds,
      count: population,
      seconds,
    };
  }
  let misses = 0;
  const kinds = ['email', 'phone', 'name'] as const;
  const search = await closedLoop(queries, 1, async (index) => {
    const i = randomInt(population);
    const kind = kinds[index % kinds.length]!;
    const value = kind === 'email' ? seedEmail(i) : kind === 'phone' ? seedPhone(i) : seedToken(i);
    const found = await expectStatus(
      200,
      send('GET', `/v1/contacts?purpose=sales&${kind === 'name' ? 'name' : kind}=${encodeURIComponent(value)}`, await users.sales()),
    );
    if ((found.items as unknown[]).length === 0) misses++;
  });
  const lookup = await closedLoop(queries, 1, async () => {
    await expectStatus(
      404,
      send('GET', `/v1/contacts/01900000-0000-7000-8000-${String(randomInt(1e12)).padStart(12, '0')}?purpose=sales`, await users.sales()),
    );
  });
  const total = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / 1000;
  return [
    ...(seeding === undefined ? [] : [seeding]),
    {
      section: SECTION,
      name: `search by e-mail, phone or name among ${population.toLocaleString('en')} contacts (1 client)`,
      perSecond: queries / total(search),
      count: queries,
      seconds: total(search),
      extra: { p50Ms: round(percentile(search, 50)), p99Ms: round(percentile(search, 99)), misses },
    },
    {
      section: SECTION,
      name: 'baseline: get an unknown contact id through the gateway (1 client)',
      perSecond: queries / total(lookup),
      count: queries,
      seconds: total(lookup),
      extra: { p50Ms: round(percentile(lookup, 50)), p99Ms: round(percentile(lookup, 99)) },
    },
  ];
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
