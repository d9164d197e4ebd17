// The gateway forwards only to the fixed origin of the service that owns a route, along the route it matched.
// Requests crafted to make it call elsewhere (absolute-form targets, dot segments) are refused with 400 before any
// guard or forwarding, never reach a listener on another port, and still count against the sign-in budget.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminSession, gateway, request } from '@crm/testing';

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const gatewayUrl = new URL(gateway);

/** Sends the request line exactly as given (Node writes `path` verbatim), which fetch would normalise away. */
function raw(method: string, target: string, headers: Record<string, string> = {}, body?: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: gatewayUrl.hostname,
        port: gatewayUrl.port,
        method,
        path: target,
        headers: { 'content-type': 'application/json', ...headers },
        setHost: headers.host === undefined,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** `"auth";r=299;t=45` → 299: how much of the bucket's budget is left, as the gateway counted this request. */
function remainingIn(answer: RawAnswer, bucket: string): number {
  const header = String(answer.headers.ratelimit ?? '');
  const match = new RegExp(`^"${bucket}";r=(\\d+);t=\\d+$`).exec(header);
  if (match === null) throw new Error(`not counted in the ${bucket} bucket: ratelimit=${header}`);
  return Number(match[1]);
}

describe('the gateway as a forwarding target', () => {
  let listener: Server;
  let port: number;
  const received: string[] = [];

  beforeAll(async () => {
    listener = createServer((incoming, outgoing) => {
      received.push(`${incoming.method} ${incoming.url}`);
      outgoing.writeHead(200, { 'content-type': 'application/json' }).end('{"accessToken":"from-elsewhere"}');
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));
  beforeEach(() => void received.splice(0));

  const login = JSON.stringify({ email: 'someone@example.com', password: 'not-the-password' });

  it.each([
    ['to another port', () => `http://127.0.0.1:${port}/v1/auth/login`, () => ({})],
    ['to another port, with the Host header naming it', () => `http://127.0.0.1:${port}/v1/auth/login`, () => ({ host: `127.0.0.1:${port}` })],
    ['to another host name', () => `http://localhost:${port}/v1/auth/login`, () => ({})],
    ['to another host name, with the Host header naming it', () => `http://localhost:${port}/v1/auth/login`, () => ({ host: `localhost:${port}` })],
    ['to the gateway itself by its own name', () => `${gateway}/v1/auth/login`, () => ({})],
    ['authority-like, with a double slash', () => `//127.0.0.1:${port}/v1/auth/login`, () => ({})],
  ])('refuses an absolute-form sign-in %s with 400, reaches nothing, and counts it in the sign-in budget', async (_case, target, headers) => {
    const first = await raw('POST', target(), headers(), login);
    const second = await raw('POST', target(), headers(), login);

    expect([first.status, second.status]).toEqual([400, 400]);
    expect(JSON.parse(first.body)).toMatchObject({ code: 'REQUEST_TARGET_INVALID', details: { reason: 'absolute-form' } });
    expect(first.body).not.toContain('from-elsewhere');
    expect(remainingIn(second, 'auth')).toBe(remainingIn(first, 'auth') - 1);
    expect(received).toEqual([]);
  });

  it.each([
    ['/v1/contacts/%2e%2e/transactions', 'dot-segment'],
    ['/v1/contacts/%2E%2E/%2e%2e/v1/auth/login', 'dot-segment'],
    ['/v1/contacts/../auth/login', 'dot-segment'],
    ['/v1/contacts/./x', 'dot-segment'],
    ['/v1/users/%2e%2e%2fauth%2flogin/roles', 'encoded-separator'],
    ['/v1/contacts\\..\\auth\\login', 'backslash'],
  ])('refuses the path %s with 400 (%s) before any guard, without a token', async (target, reason) => {
    const answer = await raw('POST', target, {}, login);

    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'REQUEST_TARGET_INVALID', details: { reason } });
    remainingIn(answer, 'auth');
  });

  it('counts a sign-in in the same budget whether it is plain or disguised', async () => {
    const plain = await raw('POST', '/v1/auth/login', {}, login);
    const disguised = await raw('POST', '/v1/contacts/%2e%2e/auth/login', {}, login);

    expect(plain.status).toBe(401);
    expect(remainingIn(disguised, 'auth')).toBe(remainingIn(plain, 'auth') - 1);
  });

  it('streams the body to the service as sent: a malformed JSON body is the service`s 400, not a gateway crash', async () => {
    const answer = await raw('POST', '/v1/auth/login', {}, '{"email": "a@b.example", "password": ');

    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'REQUEST_INVALID' });
  });

  it('puts its security headers on every answer, and keeps the CSP of a service`s HTML report with framing forbidden', async () => {
    const refused = await raw('POST', `http://127.0.0.1:${port}/v1/auth/login`, {}, login);
    const { accessToken } = await adminSession();
    const report = await request('GET', '/v1/audit/subjects/00000000-0000-4000-8000-000000000000/report?format=html', accessToken);
    const json = await request('GET', '/v1/me', accessToken);

    for (const headers of [refused.headers, Object.fromEntries(report.headers), Object.fromEntries(json.headers)]) {
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(String(headers['content-security-policy'])).toContain("frame-ancestors 'none'");
      // Plain HTTP here: HSTS would be a claim the connection does not back.
      expect(headers['strict-transport-security']).toBeUndefined();
    }
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toContain('text/html');
    expect(report.headers.get('content-security-policy')).toContain("style-src 'unsafe-inline'");
    expect(json.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
  });
});
