// The whole platform, started by `npm test` exactly as `npm start` starts it, seen from outside.
import { expectEventually } from '@crm/testing';

const gatewayUrl = process.env.CRM_GATEWAY_URL ?? `http://127.0.0.1:${process.env.CRM_GATEWAY_PORT ?? 8080}`;
const defaultPorts = { identity: 8081, contacts: 8082, consent: 8083, audit: 8084, backup: 8085 } as const;
// Where the platform under test put them (`CRM_<SERVICE>_PORT`, as tools/platform.ts reads it), else the defaults.
const servicePorts = Object.fromEntries(
  Object.entries(defaultPorts).map(([name, port]) => [name, Number(process.env[`CRM_${name.toUpperCase()}_PORT`] ?? port)]),
);

interface Readiness {
  status: string;
  checks: Record<string, { status: string }>;
}

async function readiness(url: string): Promise<{ status: number; body: Readiness }> {
  const response = await fetch(`${url}/health/ready`);
  return { status: response.status, body: (await response.json()) as Readiness };
}

const statuses = (body: Readiness) => Object.fromEntries(Object.entries(body.checks).map(([name, check]) => [name, check.status]));

describe('the running platform', () => {
  it('is ready through the gateway (Redis and every service behind it answer), and tells an anonymous caller no more than that', async () => {
    const { status, body } = await expectEventually(async () => {
      const result = await readiness(gatewayUrl);
      expect(result.status).toBe(200);
      return result;
    });
    expect(status).toBe(200);
    // Which dependencies stand behind the edge, and how fast they answer, is reconnaissance: the internal ports say it.
    expect(body).toEqual({ status: 'up' });
  });

  it.each(Object.entries(servicePorts))('has %s ready with its Postgres, Redis and Kafka connections up', async (name, port) => {
    const { status, body } = await readiness(`http://127.0.0.1:${port}`);
    expect(status).toBe(200);
    const expected: Record<string, string> = { postgres: 'up', redis: 'up', 'kafka-primary': 'up' };
    if (name === 'backup') expected['kafka-backup'] = 'up';
    expect(statuses(body)).toEqual(expected);
  });

  it('serves the OpenAPI description at /docs', async () => {
    const page = await fetch(`${gatewayUrl}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);

    const document = (await (await fetch(`${gatewayUrl}/docs/openapi.json`)).json()) as {
      openapi: string;
      info: { title: string };
      paths: Record<string, unknown>;
    };
    expect(document.openapi).toMatch(/^3\./);
    expect(document.info.title).toBe('CRM platform API');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/health/live', '/health/ready']));
  });

  it('answers an unknown route with a JSON error carrying a stable code and a correlation id', async () => {
    const response = await fetch(`${gatewayUrl}/v1/nothing-here`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as { code: string; correlationId: string };
    expect(body.code).toBe('ROUTE_NOT_FOUND');
    expect(response.headers.get('x-correlation-id')).toBe(body.correlationId);
  });
});
