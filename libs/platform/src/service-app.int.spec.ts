import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { Writable } from 'node:stream';
import { AppError, Public } from '@crm/http';
import { createLogger } from '@crm/logging';
import { Reactor } from '@crm/processing';
import { expectEventually, openSocketsTo, testPlatformConfig, uniqueName } from '@crm/testing';
import { createServiceApp, type ServiceDefinition } from './index.js';

@Controller('probe')
class ProbeController {
  @Public()
  @Post('echo-size')
  echoSize(@Body() body: { text?: string }): { length: number } {
    return { length: body.text?.length ?? 0 };
  }

  @Public()
  @Get('fails')
  fails(): never {
    throw new AppError('PROBE_NOT_FOUND', 'not_found', 'no such probe', { details: { field: 'id' } });
  }

  @Public()
  @Get('crashes')
  crashes(): never {
    throw new Error('secret-internal-detail jane@example.com');
  }

  @Get('guarded')
  guarded(): string {
    return 'should not be reachable';
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

const definition: ServiceDefinition = {
  service: 'probe',
  defaultPort: 0,
  needs: { postgres: true, redis: true, kafka: 'primary+backup' },
  module: () => ({ module: ProbeModule }),
};

const logLines: string[] = [];
const captured = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logLines.push(chunk.toString());
    done();
  },
});

async function start(overrides: Record<string, string> = {}, service: ServiceDefinition = definition): Promise<{ app: INestApplication; url: string }> {
  const config = testPlatformConfig('probe', overrides);
  const app = await createServiceApp(service, config, createLogger({ service: 'probe', level: 'info', destination: captured }));
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

describe('a service built with the platform conventions, on the real servers', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await start());
  });
  afterAll(() => app.close());

  it('reports liveness without touching dependencies', async () => {
    const response = await fetch(`${url}/health/live`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'up' });
  });

  it('reports readiness with Postgres, Redis and both Kafka clusters up', async () => {
    const response = await fetch(`${url}/health/ready`);
    const body = (await response.json()) as { status: string; checks: Record<string, { status: string }> };
    expect(response.status).toBe(200);
    expect(body.status).toBe('up');
    expect(Object.fromEntries(Object.entries(body.checks).map(([name, check]) => [name, check.status]))).toEqual({
      postgres: 'up',
      redis: 'up',
      'kafka-primary': 'up',
      'kafka-backup': 'up',
    });
  });

  it('answers a domain error with its stable code and the mapped status, and a correlation id', async () => {
    const response = await fetch(`${url}/probe/fails`, { headers: { 'x-correlation-id': 'corr-12345678' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-correlation-id')).toBe('corr-12345678');
    expect(await response.json()).toEqual({ code: 'PROBE_NOT_FOUND', message: 'no such probe', correlationId: 'corr-12345678', details: { field: 'id' } });
  });

  it('answers an unexpected error with a generic 500: no stack, no detail, nothing the handler saw', async () => {
    const response = await fetch(`${url}/probe/crashes`);
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(JSON.parse(text)).toMatchObject({ code: 'INTERNAL', message: 'internal error' });
    expect(text).not.toMatch(/secret-internal-detail|jane@example\.com|at .*\.ts/);
  });

  it('denies a route that declares no guard', async () => {
    const response = await fetch(`${url}/probe/guarded`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('rejects malformed JSON and oversized bodies with stable codes, without echoing them', async () => {
    const malformed = await fetch(`${url}/probe/echo-size`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text": "jane@example.com',
    });
    const malformedText = await malformed.text();
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformedText)).toMatchObject({ code: 'REQUEST_INVALID' });
    expect(malformedText).not.toContain('jane@example.com');

    const oversized = await fetch(`${url}/probe/echo-size`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(oversized.status).toBe(413);
    expect(await oversized.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('answers an unknown route with a JSON 404 that does not quote the path', async () => {
    const response = await fetch(`${url}/no/such/jane@example.com`);
    const text = await response.text();
    expect(response.status).toBe(404);
    expect(JSON.parse(text)).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    expect(text).not.toContain('jane@example.com');
  });

  it('logs requests as JSON lines with route templates, and no personal data from URLs or errors', async () => {
    await fetch(`${url}/probe/fails?email=jane@example.com`);
    const requestLine = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.route === '/probe/fails');
    expect(requestLine).toMatchObject({ service: 'probe', method: 'GET', status: 404, msg: 'request' });
    expect(logLines.join('')).not.toContain('jane@example.com');
  });
});

describe('readiness when a dependency is down', () => {
  it('answers 503 and names the dependency that is down', async () => {
    // Port 1 on loopback: nothing listens there, so the broker connection is refused at once.
    const { app, url } = await start({ CRM_KAFKA_BACKUP_BROKERS: '127.0.0.1:1' });
    try {
      const response = await fetch(`${url}/health/ready`);
      const body = (await response.json()) as { status: string; checks: Record<string, { status: string }> };
      expect(response.status).toBe(503);
      expect(body.checks['kafka-backup']?.status).toBe('down');
      expect(body.checks.postgres?.status).toBe('up');
    } finally {
      await app.close();
    }
  });
});

describe('readiness at a public edge (details hidden)', () => {
  const edge: ServiceDefinition = { ...definition, needs: { ...definition.needs, readinessDetails: 'hidden' } };

  it('answers up or down only, and logs which dependency is down instead of telling the caller', async () => {
    const { app, url } = await start({ CRM_KAFKA_BACKUP_BROKERS: '127.0.0.1:1' }, edge);
    try {
      const response = await fetch(`${url}/health/ready`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'down' });
      expect(logLines.join('')).toContain('not ready: kafka-backup');
    } finally {
      await app.close();
    }
  });
});

/** Two reactors: the first subscribes, the second cannot (Kafka refuses the topic name), so the boot fails halfway. */
const bootTopic = uniqueName('it-boot');

@Controller()
class HalfStartingConsumers {
  @Reactor('probe.boot-ok', { topics: [bootTopic], idempotency: 'natural' })
  starts(): void {}

  @Reactor('probe.boot-fails', { topics: ['not a topic name'], idempotency: 'natural' })
  fails(): void {}
}

@Module({ controllers: [HalfStartingConsumers] })
class HalfStartingModule {}

describe('a service whose boot fails after some of its clients opened', () => {
  const halfStarting: ServiceDefinition = { ...definition, needs: { redis: true, kafka: 'primary' }, module: () => ({ module: HalfStartingModule }) };

  it('fails, and closes what it opened: no connection to the broker is left behind', async () => {
    const brokers = testPlatformConfig('probe').kafka.primaryBrokers;
    const before = openSocketsTo(brokers);
    const failure = await start({}, halfStarting).then(
      ({ app }) => app.close().then(() => 'started'),
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(Error);
    await expectEventually(() => expect(openSocketsTo(brokers)).toBe(before), { timeoutMs: 10_000, intervalMs: 50 });
  });
});
