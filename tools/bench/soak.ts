// The soak run (issue 16): `npm run bench -- --soak[=minutes]` (default 10). A steady mixed workload through the
// gateway for the given time, as staff would drive it: 8 clients, each drawing its next operation by weight.
//   create, read, search, rectify — a support user, purpose customer-service, on the client's own contacts;
//   export (JSON, up to 10 of them), erasure — a DPO (both need a fresh second factor: renewed every 2 minutes);
//   sign-in — the client's support user signs in again, password then TOTP (each TOTP step is accepted once per
//   user, so a client whose user has no unused step left waits for the next one: the draw is made again).
// Each client works on contacts it created itself, so an erasure never races another client's read.
// It reports throughput, p50/p99 per operation, non-2xx answers by status and code (a 5xx is an error like any other),
// and the platform's memory (PSS per component, tools/bench/memory.ts) at the steady-state start — the end of the
// warm-up, the first 10 % of the run — and at the end: the growth must stay under 10 %, in total and for every
// component, or the run exits non-zero.
import { randomInt } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { adminSession, api, renewingSession, staffSession, totpCode, uniqueName } from '@crm/testing';
import { percentile, repoRoot } from './bench-env.ts';
import { person, send } from './contacts.ts';
import { platformMemory, type MemoryReport } from './memory.ts';

const OPERATIONS = { create: 25, read: 30, search: 15, rectify: 15, export: 3, erase: 6, 'sign-in': 6 } as const;
type Operation = keyof typeof OPERATIONS;
const CLIENTS = 8;
const PURPOSE = 'customer-service';
const GROWTH_LIMIT_PERCENT = 10;
/** An access token lives 10 minutes by default: a client's support user signs in again after 5 at the latest. */
const SUPPORT_SESSION_MS = 300_000;

interface Answer {
  status: number;
  code?: string;
}

interface Client {
  support: { email: string; password: string; secret: string; token: string; at: number; usedSteps: Set<number> };
  dpo: () => Promise<string>;
  contacts: Array<{ id: string; email: string }>;
}

/** Draws an operation by weight; a draw that cannot be served now (no contact yet, no free TOTP step) is made again. */
function draw(): Operation {
  const total = Object.values(OPERATIONS).reduce((sum, weight) => sum + weight, 0);
  let at = randomInt(total);
  for (const [operation, weight] of Object.entries(OPERATIONS) as Array<[Operation, number]>) {
    if (at < weight) return operation;
    at -= weight;
  }
  return 'read';
}

const step = (seconds: number): number => Math.floor(seconds / 30);

/** A TOTP time for this user that is not yet spent: the current step or the next (the verifier accepts ±1). */
function freeTotpTime(client: Client): number | undefined {
  const now = Date.now() / 1000;
  return [now, now + 30].find((t) => !client.support.usedSteps.has(step(t)));
}

async function makeClient(admin: string, label: string): Promise<Client> {
  const before = Date.now() / 1000;
  const support = await staffSession(admin, 'support', label);
  const after = Date.now() / 1000;
  // Enrolment confirmed a code of the step before its time and signed in with the step after (gateway-session.ts).
  const usedSteps = new Set<number>();
  for (let s = step(before); s <= step(after); s++) usedSteps.add(s - 1).add(s + 1);
  const dpoUser = await staffSession(admin, 'dpo', label);
  return {
    support: { email: support.email, password: support.password, secret: support.secret, token: support.accessToken, at: Date.now(), usedSteps },
    dpo: renewingSession(dpoUser, dpoUser, 120_000),
    contacts: [],
  };
}

const answerOf = (reply: { status: number; body: Record<string, unknown> }): Answer => ({
  status: reply.status,
  ...(typeof reply.body.code === 'string' ? { code: reply.body.code } : {}),
});

/** Password, then the TOTP code of a step this user has not used: a new access token for the client's support user. */
async function signInAgain(client: Client, totpTime: number): Promise<Answer> {
  const { support } = client;
  support.usedSteps.add(step(totpTime));
  const login = await api('POST', '/v1/auth/login', { email: support.email, password: support.password });
  if (login.status !== 200 || typeof login.body.mfaToken !== 'string') return { status: login.status, code: String(login.body.code ?? 'NO_MFA_TOKEN') };
  const mfa = await api('POST', '/v1/auth/mfa', { mfaToken: login.body.mfaToken, code: totpCode(support.secret, totpTime) });
  if (mfa.status !== 200 || typeof mfa.body.accessToken !== 'string') return { status: mfa.status, code: String(mfa.body.code ?? 'NO_ACCESS_TOKEN') };
  Object.assign(support, { token: mfa.body.accessToken, at: Date.now() });
  return { status: 200 };
}

const pick = <T>(items: readonly T[]): T => items[randomInt(items.length)]!;

/** One operation of `client`, or undefined when the draw cannot be served now. */
function operation(client: Client, drawn: Operation, run: string, serial: () => number): (() => Promise<Answer>) | undefined {
  const { support, contacts } = client;
  const needsContact: readonly Operation[] = ['read', 'search', 'rectify', 'export', 'erase'];
  if (needsContact.includes(drawn) && contacts.length === 0) return undefined;
  switch (drawn) {
    case 'create':
      return async () => {
        const tag = `${run}x${serial()}`;
        const reply = await send('POST', '/v1/contacts', support.token, { purpose: PURPOSE, data: person(tag) });
        if (reply.status === 201) contacts.push({ id: reply.body.id as string, email: `${tag}@bench.example` });
        return answerOf(reply);
      };
    case 'read':
      return async () => answerOf(await send('GET', `/v1/contacts/${pick(contacts).id}?purpose=${PURPOSE}`, support.token));
    case 'search':
      return async () => answerOf(await send('GET', `/v1/contacts?purpose=${PURPOSE}&email=${encodeURIComponent(pick(contacts).email)}`, support.token));
    case 'rectify':
      return async () =>
        answerOf(await send('PATCH', `/v1/contacts/${pick(contacts).id}`, support.token, { purpose: PURPOSE, changes: { notes: [`rectified ${serial()}`] } }));
    case 'export':
      return async () => {
        const contactIds = [...new Set(Array.from({ length: Math.min(10, contacts.length) }, () => pick(contacts).id))];
        return answerOf(await send('POST', '/v1/contacts/export', await client.dpo(), { purpose: PURPOSE, format: 'json', contactIds }));
      };
    case 'erase':
      return async () => {
        const { id } = contacts.splice(randomInt(contacts.length), 1)[0]!;
        return answerOf(await send('POST', `/v1/contacts/${id}/erasure`, await client.dpo()));
      };
    case 'sign-in': {
      const totpTime = freeTotpTime(client);
      return totpTime === undefined ? undefined : () => signInAgain(client, totpTime);
    }
  }
}

interface OperationStats {
  latencies: number[];
  ok: number;
  errors: number;
}

export interface SoakReport {
  at: string;
  cores: number;
  minutes: number;
  clients: number;
  weights: typeof OPERATIONS;
  seconds: number;
  perSecond: number;
  operations: Record<string, { count: number; perSecond: number; p50Ms: number; p99Ms: number; errors: number }>;
  errors: Record<string, number>;
  deferredDraws: number;
  memory: {
    method: string;
    start: MemoryReport;
    end: MemoryReport;
    /** Every sample, per component too: a step (a heap sizing itself) and a slope (a leak) look alike in two windows. */
    samples: Array<{ atSeconds: number; totalMiB: number; byComponent: Record<string, number> }>;
    growthPercent: Record<string, number>;
  };
  verdict: { pass: boolean; line: string };
}

const round = (value: number): number => Math.round(value * 10) / 10;

type MemorySample = MemoryReport & { atSeconds: number };

/**
 * The steady-state start and the end, each the per-component median of a window of samples, so that one garbage
 * collection (a heap's sawtooth) does not decide the verdict. The start window follows the warm-up — the first
 * minute or the first 10 % of the run, whichever is longer (at most half the run) — and lasts a tenth of the run;
 * the end window is the run's last tenth.
 */
function steadyWindows(samples: readonly MemorySample[], seconds: number): { start: MemoryReport; end: MemoryReport; method: string } {
  const warmUp = Math.min(Math.max(60, seconds / 10), seconds / 2);
  const tenth = seconds / 10;
  const median = (window: readonly MemorySample[]): MemoryReport => {
    const names = [...new Set(window.flatMap((sample) => Object.keys(sample.byComponent)))];
    const byComponent: Record<string, number> = {};
    for (const name of names) {
      const values = window.map((sample) => sample.byComponent[name] ?? 0).sort((a, b) => a - b);
      byComponent[name] = values[Math.floor(values.length / 2)]!;
    }
    return { totalMiB: Object.values(byComponent).reduce((sum, value) => sum + value, 0), byComponent };
  };
  const within = (from: number, to: number) => samples.filter((sample) => sample.atSeconds >= from && sample.atSeconds <= to);
  const startWindow = within(warmUp, warmUp + tenth);
  const endWindow = within(seconds - tenth, seconds);
  return {
    start: median(startWindow.length > 0 ? startWindow : samples.slice(0, 1)),
    end: median(endWindow.length > 0 ? endWindow : samples.slice(-1)),
    method:
      `PSS per component (tools/bench/memory.ts) every 5 s; start = median of ${startWindow.length} samples at ${Math.round(warmUp)}–${Math.round(warmUp + tenth)} s ` +
      `(after the warm-up), end = median of ${endWindow.length} samples in the last ${Math.round(tenth)} s`,
  };
}
const growth = (start: number, end: number): number => round(((end - start) / Math.max(start, 1)) * 100);

/** Runs the soak for `minutes` and answers its report (nothing printed but progress on stderr). */
export async function soak(minutes: number): Promise<SoakReport> {
  const admin = (await adminSession()).accessToken;
  process.stderr.write(`» soak: signing in ${CLIENTS} support users and ${CLIENTS} DPOs …\n`);
  const clients: Client[] = [];
  for (let i = 0; i < CLIENTS; i++) clients.push(await makeClient(admin, 'soak'));
  const run = uniqueName('s').replace(/[^a-z0-9]/gi, '');
  let counter = 0;
  const serial = () => counter++;

  const durationMs = minutes * 60_000;
  const stats = new Map<Operation, OperationStats>(Object.keys(OPERATIONS).map((name) => [name as Operation, { latencies: [], ok: 0, errors: 0 }]));
  const errors: Record<string, number> = {};
  let deferredDraws = 0;
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  // The platform's memory every 5 s; the report compares two windows of them (see steadyWindows).
  const samples: MemorySample[] = [];
  let reported = 0;
  const sampler = setInterval(() => {
    samples.push({ atSeconds: round(elapsed() / 1000), ...platformMemory() });
    if (elapsed() - reported < durationMs / 10) return;
    reported = elapsed();
    const done = [...stats.values()].reduce((sum, s) => sum + s.ok, 0);
    process.stderr.write(`  ${Math.round(elapsed() / 1000)} s: ${done} operations, ${samples.at(-1)!.totalMiB} MiB\n`);
  }, 5_000);

  process.stderr.write(`» soak: ${minutes} min, ${CLIENTS} clients …\n`);
  await Promise.all(
    clients.map(async (client) => {
      while (elapsed() < durationMs) {
        const due = Date.now() - client.support.at > SUPPORT_SESSION_MS && freeTotpTime(client) !== undefined;
        const drawn: Operation = due ? 'sign-in' : draw();
        const work = operation(client, drawn, run, serial);
        if (work === undefined) {
          deferredDraws++;
          continue;
        }
        const stat = stats.get(drawn)!;
        const at = performance.now();
        let answer: Answer;
        try {
          answer = await work();
        } catch (error) {
          answer = { status: 0, code: (error as NodeJS.ErrnoException).code ?? (error as Error).message.slice(0, 80) };
        }
        if (answer.status >= 200 && answer.status < 300) {
          stat.ok++;
          stat.latencies.push(performance.now() - at);
        } else {
          stat.errors++;
          const key = `${drawn}: ${answer.status} ${answer.code ?? ''}`.trim();
          errors[key] = (errors[key] ?? 0) + 1;
        }
      }
    }),
  );
  clearInterval(sampler);
  const seconds = elapsed() / 1000;
  samples.push({ atSeconds: round(seconds), ...platformMemory() });
  const { start, end, method } = steadyWindows(samples, seconds);

  const operations: SoakReport['operations'] = {};
  for (const [name, stat] of stats) {
    const sorted = stat.latencies.sort((a, b) => a - b);
    operations[name] = {
      count: stat.ok,
      perSecond: round(stat.ok / seconds),
      p50Ms: round(percentile(sorted, 50)),
      p99Ms: round(percentile(sorted, 99)),
      errors: stat.errors,
    };
  }
  const total = Object.values(operations).reduce((sum, o) => sum + o.count, 0);
  const components = [...new Set([...Object.keys(start.byComponent), ...Object.keys(end.byComponent)])].sort();
  const growthPercent: Record<string, number> = { total: growth(start.totalMiB, end.totalMiB) };
  for (const name of components) growthPercent[name] = growth(start.byComponent[name] ?? 0, end.byComponent[name] ?? 0);
  const over = Object.entries(growthPercent).filter(([, percent]) => percent >= GROWTH_LIMIT_PERCENT);
  const pass = over.length === 0;
  const line = pass
    ? `verdict: PASS — platform memory grew ${growthPercent.total} % (${start.totalMiB} → ${end.totalMiB} MiB), every component under ${GROWTH_LIMIT_PERCENT} %`
    : `verdict: FAIL — memory grew ${GROWTH_LIMIT_PERCENT} % or more: ${over.map(([name, percent]) => `${name} ${percent} %`).join(', ')}`;
  return {
    at: new Date().toISOString(),
    cores: cpus().length,
    minutes,
    clients: CLIENTS,
    weights: OPERATIONS,
    seconds: round(seconds),
    perSecond: round(total / seconds),
    operations,
    errors,
    deferredDraws,
    memory: {
      method,
      start,
      end,
      samples: samples.map(({ atSeconds, totalMiB, byComponent }) => ({ atSeconds, totalMiB, byComponent })),
      growthPercent,
    },
    verdict: { pass, line },
  };
}

/** The report as a table like the benchmark's others. */
export function soakTable(report: SoakReport): string {
  const lines = [
    '',
    `CRM soak run — ${report.at} — ${report.cores} cores — ${report.minutes} min, ${report.clients} clients, ${report.perSecond} operations/s`,
    '',
    `${'operation'.padEnd(12)} ${'weight'.padStart(6)} ${'per second'.padStart(11)} ${'count'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)}`,
    ...Object.entries(report.operations).map(
      ([name, o]) =>
        `${name.padEnd(12)} ${String(report.weights[name as Operation]).padStart(6)} ${String(o.perSecond).padStart(11)} ${String(o.count).padStart(8)} ${String(o.p50Ms).padStart(8)} ${String(o.p99Ms).padStart(8)} ${String(o.errors).padStart(7)}`,
    ),
    `(${report.deferredDraws} draws made again: no contact yet, or no unused TOTP step for a sign-in)`,
    '',
    'errors by operation, status and code',
    ...(Object.keys(report.errors).length === 0 ? ['  none'] : Object.entries(report.errors).map(([key, count]) => `  ${key.padEnd(50)} ${count}`)),
    '',
    `memory (${report.memory.method})`,
    `  ${'component'.padEnd(20)} ${'start MiB'.padStart(10)} ${'end MiB'.padStart(10)} ${'growth'.padStart(8)}`,
    ...Object.entries(report.memory.growthPercent).map(([name, percent]) => {
      const of = (memory: MemoryReport) => (name === 'total' ? memory.totalMiB : (memory.byComponent[name] ?? 0));
      return `  ${name.padEnd(20)} ${String(of(report.memory.start)).padStart(10)} ${String(of(report.memory.end)).padStart(10)} ${`${percent} %`.padStart(8)}`;
    }),
    '',
    report.verdict.line,
    '',
  ];
  return lines.join('\n');
}

/** `--soak[=minutes]`: runs, prints, writes bench-results/soak-<time>.json and soak-latest.json; exits 1 on FAIL. */
export async function soakMain(minutes: number): Promise<number> {
  const report = await soak(minutes);
  process.stdout.write(soakTable(report));
  const outDir = join(repoRoot, 'bench-results');
  mkdirSync(outDir, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const file = join(outDir, `soak-${report.at.replaceAll(':', '-')}.json`);
  writeFileSync(file, json);
  writeFileSync(join(outDir, 'soak-latest.json'), json);
  process.stdout.write(`results written to ${file}\n`);
  return report.verdict.pass ? 0 : 1;
}
