import { forwardedClientAddress, GATEWAY_PROOF_HEADER } from './forwarded-client.js';

const secret = 's'.repeat(40);
const request = (headers: Record<string, string>) => ({ headers, socket: { remoteAddress: '127.0.0.1' } });

describe('the client address a service believes', () => {
  it('given the gateway proof, then it is the first address the gateway forwarded', () => {
    expect(forwardedClientAddress(request({ [GATEWAY_PROOF_HEADER]: secret, 'x-forwarded-for': '203.0.113.9' }), secret)).toBe('203.0.113.9');
  });

  it('given no proof, or a wrong one, then a forwarded address is ignored and the socket peer counts', () => {
    expect(forwardedClientAddress(request({ 'x-forwarded-for': '203.0.113.9' }), secret)).toBe('127.0.0.1');
    expect(forwardedClientAddress(request({ [GATEWAY_PROOF_HEADER]: 'x'.repeat(40), 'x-forwarded-for': '203.0.113.9' }), secret)).toBe('127.0.0.1');
    expect(forwardedClientAddress(request({ [GATEWAY_PROOF_HEADER]: secret.slice(1), 'x-forwarded-for': '203.0.113.9' }), secret)).toBe('127.0.0.1');
  });

  it('given the proof but no forwarded address, then the socket peer counts', () => {
    expect(forwardedClientAddress(request({ [GATEWAY_PROOF_HEADER]: secret }), secret)).toBe('127.0.0.1');
  });
});
