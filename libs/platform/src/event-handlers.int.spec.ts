// Consumers are Nest handlers: a service declares @Projector/@Reactor (@EventPattern) methods on a controller and
// the platform hosts them on its Kafka event transport, started with the application.
import { randomUUID } from 'node:crypto';
import { Controller, Inject, Module, type INestApplication } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type pg from 'pg';
import { create, DeadLetterSchema, EventEnvelopeSchema, fromBinary, toBinary } from '@crm/contracts';
import { AppError } from '@crm/http';
import { createLogger } from '@crm/logging';
import { KafkaCluster } from '@crm/messaging';
import type { SchemaMigration } from '@crm/postgres';
import { deadLetterTopic, processorMigrations, Projector, Reactor, type ProcessedEvent, type ProcessorContext } from '@crm/processing';
import { expectEventually, scratchSchema, testPlatformConfig, uniqueName } from '@crm/testing';
import { createServiceApp, type ServiceDefinition } from './index.js';

const PROBE = Symbol('PROBE');
interface Probe {
  topic: string;
  schema: string;
  /** Event ids the reactor was handed, in order. */
  reacted: string[];
}

@Controller()
class ProbeConsumers {
  constructor(@Inject(PROBE) private readonly probe: Probe) {}

  // The probe's events are of a test type no contract registers: the probe takes them as they are.
  @Projector('probe.seen', (resolve) => {
    const probe = resolve<Probe>(PROBE);
    return { topics: [probe.topic], schema: probe.schema, maxBatchSize: 20, unknownPayloadTypes: 'accept' };
  })
  async project(@Payload() events: ProcessedEvent[], @Ctx() context: ProcessorContext): Promise<void> {
    for (const { envelope } of events) {
      if (envelope.streamId === 'poison') throw new AppError('PROBE_REJECTED', 'invalid', 'the probe refuses this event');
      await context.tx.query(`INSERT INTO "${this.probe.schema}".seen (event_id, stream_id, version) VALUES ($1, $2, $3)`, [
        envelope.eventId,
        envelope.streamId,
        envelope.streamVersion.toString(),
      ]);
    }
  }

  @Reactor('probe.mailer', (resolve) => {
    const probe = resolve<Probe>(PROBE);
    return { topics: [probe.topic], idempotency: 'record', schema: probe.schema, unknownPayloadTypes: 'accept' };
  })
  react(@Payload() events: ProcessedEvent[]): void {
    this.probe.reacted.push(...events.map(({ envelope }) => envelope.eventId));
  }
}

/** The probe projector's table, as a migration beside the processor's own. */
const seenMigration: SchemaMigration = {
  name: 'EventHandlersTestSeen1795996800950',
  up: (schema) => `CREATE TABLE "${schema}".seen (event_id text NOT NULL, stream_id text NOT NULL, version bigint NOT NULL)`,
};

const config = testPlatformConfig('probe');
const kafka = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: 'event-handlers-int-test' });
let scratch: { pool: pg.Pool; schema: string; drop: () => Promise<void> };
let probe: Probe;
let app: INestApplication | undefined;

function envelope(streamId: string, version: bigint): { key: string; value: Uint8Array; eventId: string } {
  const eventId = randomUUID();
  const value = toBinary(
    EventEnvelopeSchema,
    create(EventEnvelopeSchema, { eventId, eventType: 'crm.testing.v1.Probed', streamId, streamVersion: version, subjectId: streamId }),
  );
  return { key: streamId, value, eventId };
}

async function seen(): Promise<Array<{ event_id: string; stream_id: string; version: string }>> {
  return (await scratch.pool.query(`SELECT event_id, stream_id, version::text FROM "${probe.schema}".seen ORDER BY stream_id, version`)).rows;
}

beforeAll(async () => {
  scratch = await scratchSchema('it_handlers', [...processorMigrations, seenMigration]);
  probe = { topic: uniqueName('it-handlers'), schema: scratch.schema, reacted: [] };
  await kafka.ensureTopics([{ name: probe.topic, partitions: 2 }]);
});
afterAll(async () => {
  await app?.close();
  await kafka.close();
  await scratch.drop();
});

describe('event handlers declared in a Nest module', () => {
  it('given a service app with a projector and a reactor, when events arrive (some twice, one poison), then each handler gets each event once and the poison is dead-lettered with its code', async () => {
    @Module({ controllers: [ProbeConsumers], providers: [{ provide: PROBE, useValue: probe }] })
    class ProbeModule {}
    const definition: ServiceDefinition = {
      service: 'probe',
      defaultPort: 0,
      needs: { postgres: true, redis: true, kafka: 'primary' },
      module: () => ({ module: ProbeModule }),
    };
    app = await createServiceApp(definition, config, createLogger({ service: 'probe', level: 'silent' }));

    const events = [envelope('stream-a', 1n), envelope('stream-a', 2n), envelope('stream-b', 1n)];
    const poison = envelope('poison', 1n);
    await kafka.publish(probe.topic, [poison, ...events]);
    await kafka.publish(probe.topic, events.slice(0, 2));

    await expectEventually(async () => expect(await seen()).toHaveLength(3), { timeoutMs: 30_000 });
    await expectEventually(() => expect([...probe.reacted].sort()).toEqual([poison, ...events].map((event) => event.eventId).sort()), { timeoutMs: 30_000 });
    // A marker behind the duplicates on their partition (same key): once it is handled, so were they, and no handler
    // saw an event twice.
    const marker = envelope('stream-a', 3n);
    await kafka.publish(probe.topic, [marker]);
    await expectEventually(async () => expect(await seen()).toHaveLength(4), { timeoutMs: 30_000 });
    expect((await seen()).map((row) => [row.stream_id, row.version])).toEqual([
      ['stream-a', '1'],
      ['stream-a', '2'],
      ['stream-a', '3'],
      ['stream-b', '1'],
    ]);
    await expectEventually(() => expect(probe.reacted).toContain(marker.eventId), { timeoutMs: 30_000 });
    expect([...probe.reacted].sort()).toEqual([poison, ...events, marker].map((event) => event.eventId).sort());
    // The projector's failure reached the transport as itself: its code is in the dead letter.
    const [letter] = await kafka.readFromStart(deadLetterTopic(probe.topic), (all) => all.length >= 1, {
      groupId: uniqueName('it-handlers-dlq'),
      timeoutMs: 20_000,
    });
    expect(fromBinary(DeadLetterSchema, letter!.value)).toMatchObject({ errorCode: 'PROBE_REJECTED', consumerGroup: 'probe.seen' });
  });
});
