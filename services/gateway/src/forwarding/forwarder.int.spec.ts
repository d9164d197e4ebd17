// What crosses the wire between the gateway and a service. The upstream here is a real HTTP server that records
// what reaches it, because that is exactly what is under test (which headers, which path, which bytes); the
// end-to-end suites cover the same gateway in front of the real services.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { loadPlatformConfig } from '@crm/config';
import { createLogger } from '@crm/logging';
import { createServiceApp } from '@crm/platform';
import { TestTokenIssuer, testEnv } from '@crm/testing';
import { serviceDefinition } from '../service.definition.js';

const FORWARDING_SECRET = 'f'.repeat(40);

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function send(base: string, method: string, path: string, headers: Record<string, string>, body?: Buffer | string): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: url.hostname, port: url.port, method, path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

async function gatewayWith(env: Record<string, string>): Promise<{ app: INestApplication; url: string }> {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  try {
    const config = loadPlatformConfig({ service: 'gateway', defaultPort: 0, postgres: false }, testEnv());
    const app = await createServiceApp(serviceDefinition, config, createLogger({ service: 'gateway', level: 'silent' }));
    await app.listen(0, '127.0.0.1');
    return { app, url: await app.getUrl() };
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe('forwarding through the gateway', () => {
  const seen: Seen[] = [];
  let upstream: Server;
  let direct: { app: INestApplication; url: string };
  let behindProxy: { app: INestApplication; url: string };
  let origin: string;
  let issuer: TestTokenIssuer;

  beforeAll(async () => {
    issuer = await TestTokenIssuer.create();
    upstream = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        seen.push({ method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers, body: Buffer.concat(chunks) });
        if (incoming.url?.startsWith('/v1/auth/mfa')) return; // never answers: the gateway's timeout must
        if (incoming.url === '/.well-known/jwks.json')
          return void outgoing.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(issuer.jwks()));
        outgoing.writeHead(200, {
          'content-type': 'application/json',
          etag: '"7"',
          'set-cookie': 'internal=1',
          'x-internal-build': 'abc',
          connection: 'keep-alive, x-hop',
          'x-hop': 'hop-by-hop',
        });
        outgoing.end('{"ok":true}');
      });
    });
    origin = await listen(upstream);
    const env = { CRM_IDENTITY_URL: origin, CRM_GATEWAY_UPSTREAM_TIMEOUT_MS: '300', CRM_GATEWAY_FORWARDING_SECRET: FORWARDING_SECRET };
    direct = await gatewayWith(env);
    behindProxy = await gatewayWith({ ...env, CRM_GATEWAY_TRUSTED_PROXIES: '127.0.0.1/8, ::1' });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([direct.app.close(), behindProxy.app.close()]);
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });
  beforeEach(() => void seen.splice(0));

  it('streams the body byte for byte, along the route it matched, with only the headers a service may see', async () => {
    const body = Buffer.from('{ "email" :"a@b.example",\n  "password": "x\u00e9" }');
    const answer = await send(
      direct.url,
      'POST',
      '/v1/auth/login?lang=pl',
      {
        'content-type': 'application/json',
        cookie: 'session=secret',
        connection: 'keep-alive, x-caller-hop',
        'x-caller-hop': '1',
        'proxy-authorization': 'Basic eA==',
        'x-forwarded-for': '203.0.113.9',
        'x-forwarded-host': 'evil.example',
        'x-correlation-id': 'corr-0123456789',
        'x-crm-gateway-proof': 'forged-by-the-caller',
        'accept-language': 'pl',
      },
      body,
    );

    expect(answer.status).toBe(200);
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/v1/auth/login?lang=pl');
    expect(request?.body.equals(body)).toBe(true);
    expect(Object.keys(request?.headers ?? {}).sort()).toEqual(
      ['accept-language', 'content-length', 'content-type', 'host', 'x-correlation-id', 'x-crm-gateway-proof', 'x-forwarded-for'].sort(),
    );
    expect(request?.headers['x-forwarded-for']).toBe('127.0.0.1');
    // The service believes that address because of the gateway's proof, never one a caller sends.
    expect(request?.headers['x-crm-gateway-proof']).toBe(FORWARDING_SECRET);
    expect(request?.headers['x-correlation-id']).toBe('corr-0123456789');
    expect(request?.headers.host).toBe(new URL(origin).host);
  });

  it('passes back only the answer headers a client may see, and adds its own security headers', async () => {
    const answer = await send(direct.url, 'POST', '/v1/auth/login', { 'content-type': 'application/json' }, '{}');

    expect(answer.body).toBe('{"ok":true}');
    expect(answer.headers.etag).toBe('"7"');
    expect(answer.headers['set-cookie']).toBeUndefined();
    expect(answer.headers['x-internal-build']).toBeUndefined();
    expect(answer.headers['x-hop']).toBeUndefined();
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['strict-transport-security']).toBeUndefined();
  });

  it('answers 503 DOWNSTREAM_UNAVAILABLE in the platform error shape when the service does not answer in time', async () => {
    const answer = await send(direct.url, 'POST', '/v1/auth/mfa', { 'content-type': 'application/json', 'x-correlation-id': 'corr-timeout-01' }, '{}');

    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toEqual({
      code: 'DOWNSTREAM_UNAVAILABLE',
      message: 'a service behind the gateway did not answer',
      correlationId: 'corr-timeout-01',
      details: { service: 'identity' },
    });
  });

  it('re-encodes route parameters, so a parameter cannot add a segment or start a query downstream', async () => {
    const token = await issuer.token({ perms: ['roles:manage'], mfaAgeSeconds: 10 });
    const answer = await send(
      direct.url,
      'PUT',
      '/v1/users/a%3Fb%23c%20d%C3%A9/roles?x=1',
      { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      '{}',
    );

    expect(answer.status).toBe(200);
    expect(seen.map((request) => request.url).filter((url) => url.startsWith('/v1/'))).toEqual(['/v1/users/a%3Fb%23c%20d%C3%A9/roles?x=1']);
  });

  it('ignores a client-supplied X-Forwarded-For unless the peer is a trusted proxy, and then sends HSTS for TLS it terminated', async () => {
    const headers = { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' };
    const fromClient = await send(direct.url, 'POST', '/v1/auth/login', headers, '{}');
    const fromProxy = await send(behindProxy.url, 'POST', '/v1/auth/login', headers, '{}');

    expect(seen.map((request) => request.headers['x-forwarded-for'])).toEqual(['127.0.0.1', '203.0.113.9']);
    expect(fromClient.headers['strict-transport-security']).toBeUndefined();
    expect(fromProxy.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });
});

describe('the trusted-proxy setting', () => {
  it('refuses at boot what is not an address, a range or a named range', async () => {
    const { loadGatewayConfig } = await import('../gateway.config.js');
    expect(loadGatewayConfig({ CRM_GATEWAY_TRUSTED_PROXIES: '10.0.0.0/8, ::1, loopback' }).trustedProxies).toEqual(['10.0.0.0/8', '::1', 'loopback']);
    expect(() => loadGatewayConfig({ CRM_GATEWAY_TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/CRM_GATEWAY_TRUSTED_PROXIES/);
    expect(() => loadGatewayConfig({ CRM_GATEWAY_TRUSTED_PROXIES: 'proxy.example' })).toThrow(/CRM_GATEWAY_TRUSTED_PROXIES/);
  });
});
