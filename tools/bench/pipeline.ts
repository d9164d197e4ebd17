// The production write path, measured where production runs it: the contacts service's own ContactCommands and
// CommandPipeline (decide → seal → append events + outbox + read model, one transaction), booted in this process
// exactly as the service boots, against the running platform's Postgres, key vault and Kafka. No HTTP: the gateway
// figure in contacts.ts is the same write through two HTTP hops, so the ratio of the two is what HTTP costs.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadPlatformConfig } from '@crm/config';
import { createLogger } from '@crm/logging';
import { createServiceApp, type ServiceDefinition } from '@crm/platform';
import type { ContactCommands } from '../../services/contacts/src/contacts/contact-commands.service.ts';
import { percentile, repoRoot, timed, type Measurement } from './bench-env.ts';

/** The service's built code (what `npm start` runs); its sources use decorators, which Node's type stripping does not. */
const built = async <T>(path: string, name: string): Promise<T> =>
  ((await import(pathToFileURL(join(repoRoot, 'services', 'contacts', 'dist', path)).href)) as Record<string, unknown>)[name] as T;

export interface PipelineOptions {
  commands: number;
  writers: number;
  /** Paced instead of as fast as possible: commands are issued on a fixed schedule and latency is what counts. */
  ratePerSecond?: number;
}

const person = (n: number) => ({
  name: { given: `Pipeline${n}`, family: 'Bench' },
  emails: [`pipeline-${n}-${randomUUID().slice(0, 8)}@bench.example`],
  phones: ['+4930555000'],
  notes: ['written by npm run bench through the contacts write path'],
});

export async function contactsPipeline(options: PipelineOptions): Promise<Measurement> {
  const contacts = await built<ServiceDefinition>('service.definition.js', 'serviceDefinition');
  const ContactCommandsClass = await built<typeof ContactCommands>('contacts/contact-commands.service.js', 'ContactCommands');
  const config = loadPlatformConfig({ service: contacts.service, defaultPort: contacts.defaultPort, postgres: contacts.needs.postgres === true }, process.env);
  const app = await createServiceApp(contacts, config, createLogger({ service: 'contacts-bench', level: 'warn' }));
  await app.init();
  try {
    const commands = app.get(ContactCommandsClass);
    const context = { actorId: 'bench', purpose: 'sales', legalBasis: 'contract' as const, correlationId: 'bench-pipeline' };
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    const writer = async (): Promise<void> => {
      for (let n = next++; n < options.commands; n = next++) {
        if (options.ratePerSecond !== undefined) {
          const due = started + (n * 1000) / options.ratePerSecond;
          if (due > performance.now()) await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
        }
        const issued = performance.now();
        await commands.execute({ type: 'CreateContact', contactId: randomUUID(), data: person(n) }, context);
        latencies.push(performance.now() - issued);
      }
    };
    const { seconds } = await timed(() => Promise.all(Array.from({ length: options.writers }, writer)));
    latencies.sort((a, b) => a - b);
    return {
      section: 'pipeline',
      name:
        options.ratePerSecond === undefined
          ? `pipeline: contact creation on the contacts write path, PII sealed, max rate (${options.writers} writers)`
          : `pipeline: contact creation on the contacts write path, PII sealed, paced at ${options.ratePerSecond}/s`,
      perSecond: options.commands / seconds,
      count: options.commands,
      seconds,
      extra: { p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)) },
    };
  } finally {
    await app.close();
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
