// Which client address a request comes from, for the failed-login throttle. The socket's peer,
// unless TRUST_PROXY names the proxies in front of the service: then X-Forwarded-For is read
// from the right, past every trusted proxy, to the first address that is not one (proxy-addr,
// what Express uses). Without TRUST_PROXY the header is ignored: anyone can write it.
import { isIPv6 } from 'node:net';
import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

export type AddressOf = (req: IncomingMessage) => string;

/** `trustProxy`: comma-separated addresses, CIDR ranges or proxy-addr's names (loopback, linklocal, uniquelocal). */
export function clientAddressOf(trustProxy: string | undefined): AddressOf {
  const list = (trustProxy ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) return (req) => throttleKey(req.socket.remoteAddress ?? '');
  const trust = proxyAddr.compile(list); // throws at start-up on a value that is not an address
  return (req) => throttleKey(proxyAddr(req, trust));
}

/**
 * The address as the throttle counts it: IPv4 as is (also when written IPv4-mapped), IPv6 by its
 * /64 network, since one host usually has a whole /64 to pick addresses from.
 */
export function throttleKey(address: string): string {
  if (!address.includes(':')) return address; // IPv4: no pattern to run on every request
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head, tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
