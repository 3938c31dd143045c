// The client address the throttle counts: the socket's peer, X-Forwarded-For only past the
// proxies TRUST_PROXY names, IPv4-mapped written as IPv4, IPv6 by its /64.
import type { IncomingMessage } from 'node:http';
import { expect } from 'chai';
import { clientAddressOf, throttleKey } from '../../src/auth/client-address.js';

const req = (remoteAddress: string, forwarded?: string) =>
  ({ socket: { remoteAddress }, connection: { remoteAddress }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } }) as unknown as IncomingMessage;

describe('clientAddressOf', () => {
  it('ignores X-Forwarded-For without TRUST_PROXY', () => {
    expect(clientAddressOf(undefined)(req('127.0.0.1', '203.0.113.1'))).to.equal('127.0.0.1');
    expect(clientAddressOf('')(req('127.0.0.1', '203.0.113.1'))).to.equal('127.0.0.1');
  });

  it('reads X-Forwarded-For from the right, past trusted proxies only', () => {
    const of = clientAddressOf('127.0.0.1, 10.0.0.0/8');
    expect(of(req('127.0.0.1', '203.0.113.1'))).to.equal('203.0.113.1');
    // what the client wrote itself (left of the address the proxy saw) is not believed
    expect(of(req('127.0.0.1', '198.51.100.9, 203.0.113.1'))).to.equal('203.0.113.1');
    expect(of(req('127.0.0.1', '203.0.113.1, 10.1.2.3'))).to.equal('203.0.113.1');
    // from an untrusted peer the header is ignored
    expect(of(req('192.0.2.5', '203.0.113.1'))).to.equal('192.0.2.5');
    expect(of(req('127.0.0.1'))).to.equal('127.0.0.1');
  });

  it('refuses a TRUST_PROXY that is not an address list at start-up', () => {
    expect(() => clientAddressOf('not-an-address')).to.throw();
  });
});

describe('throttleKey', () => {
  it('writes IPv4-mapped addresses as IPv4 and counts IPv6 by /64', () => {
    expect(throttleKey('::ffff:203.0.113.1')).to.equal('203.0.113.1');
    expect(throttleKey('203.0.113.1')).to.equal('203.0.113.1');
    expect(throttleKey('2001:db8:0:1::5')).to.equal('2001:db8:0:1::/64');
    expect(throttleKey('2001:0db8:0000:0001:ffff:1:2:3')).to.equal('2001:db8:0:1::/64');
    expect(throttleKey('::1')).to.equal('0:0:0:0::/64');
    expect(throttleKey('2001:db8::')).to.equal('2001:db8:0:0::/64');
  });
});
