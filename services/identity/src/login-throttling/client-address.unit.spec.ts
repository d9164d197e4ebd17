import { clientAddressBucket } from './index.js';

describe('client address buckets', () => {
  it('given an IPv4 address, then the address itself', () => {
    expect(clientAddressBucket('192.0.2.10')).toBe('192.0.2.10');
    expect(clientAddressBucket(' 192.0.2.10 ')).toBe('192.0.2.10');
  });

  it('given an IPv4-mapped IPv6 address (dual-stack socket), then the IPv4 address', () => {
    expect(clientAddressBucket('::ffff:192.0.2.10')).toBe('192.0.2.10');
    expect(clientAddressBucket('::ffff:c000:20a')).toBe('192.0.2.10');
  });

  it('given IPv6 addresses in one /64, then one bucket, however they are written', () => {
    const bucket = clientAddressBucket('2001:db8:aa:bb::1');

    expect(bucket).toBe('2001:db8:aa:bb::/64');
    expect(clientAddressBucket('2001:0DB8:00AA:00BB:ffff:ffff:ffff:ffff')).toBe(bucket);
    expect(clientAddressBucket('[2001:db8:aa:bb::99]')).toBe(bucket);
    expect(clientAddressBucket('2001:db8:aa:bb::1%eth0')).toBe(bucket);
    expect(clientAddressBucket('2001:db8:aa:bc::1')).not.toBe(bucket);
    expect(clientAddressBucket('::1')).toBe('0:0:0:0::/64');
  });

  it.each(['', 'localhost', '192.0.2.10, 198.51.100.1', '300.1.1.1', 'unix:/run/app.sock'])('given %j, then a wiring error', (address) => {
    expect(() => clientAddressBucket(address)).toThrow(expect.objectContaining({ code: 'LOGIN_CLIENT_ADDRESS_INVALID', kind: 'internal' }));
  });
});
