import dns from 'node:dns';
import ipaddr from 'ipaddr.js';

/**
 * Where an outbound request to a URL given by a user (a webhook receiver) may go. The name is
 * resolved here, every address it has is checked, and the request then connects to the checked
 * address only (see request.ts), so a name that resolves to a public address when checked and a
 * private one when connecting (DNS rebinding) reaches nothing it must not. The check after
 * registration (webhooks.check_url) and the one before every delivery both come here, so they
 * ask the same resolver.
 *
 * Allowing loopback (local development) allows the addresses written as such and `localhost`:
 * a name that resolves to loopback (`127.0.0.1.nip.io`) is refused all the same, since whoever
 * controls a name's DNS could otherwise reach the services of the machine that sends.
 */

/** A destination refused: private, loopback (unless allowed), link-local, metadata, or unresolvable. */
export class DestinationRefused extends Error {
  constructor(readonly code: 'WEBHOOK_URL_FORBIDDEN' | 'WEBHOOK_URL_INVALID', message: string) {
    super(message);
  }
}

/** Why `address` may not be called, or null. IPv4 written as IPv6 (::ffff:a.b.c.d) counts as IPv4. */
export function addressRefusal(address: string, allowLoopback: boolean): string | null {
  if (!ipaddr.isValid(address)) return `${address} is not an address`;
  const range = ipaddr.process(address).range();
  if (range === 'unicast') return null;
  if (range === 'loopback' && allowLoopback) return null;
  return `${address} is in the ${range} range`;
}

/** Names that always mean this machine (RFC 6761): judged as loopback without asking DNS. */
function isLocalhost(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

/**
 * A name's addresses: from the machine's resolver, as connecting by name would, or, when
 * WEBHOOK_DNS_SERVER (`address:port`) is set, from that DNS server over UDP. The test stack
 * points it at a fake server, so names resolving inside the network can be tested offline.
 */
async function resolve(host: string): Promise<{ address: string; family: number }[]> {
  const server = Deno.env.get('WEBHOOK_DNS_SERVER');
  if (!server) return await dns.promises.lookup(host, { all: true, verbatim: true });
  const [, ipAddr, port] = /^\[?([^\]]+?)\]?:(\d+)$/.exec(server) ?? [];
  const nameServer = { ipAddr, port: Number(port) };
  const answers = await Promise.allSettled([
    Deno.resolveDns(host, 'A', { nameServer }).then((list) => list.map((address) => ({ address, family: 4 }))),
    Deno.resolveDns(host, 'AAAA', { nameServer }).then((list) => list.map((address) => ({ address, family: 6 }))),
  ]);
  const found = answers.flatMap((answer) => (answer.status === 'fulfilled' ? answer.value : []));
  if (found.length === 0 && answers[0].status === 'rejected') throw answers[0].reason;
  return found;
}

export interface CheckedDestination {
  url: URL;
  /** The address the request must connect to. */
  address: string;
  family: 4 | 6;
}

/**
 * Resolves the URL's host and checks every address it has (one bad address refuses the name: a
 * resolver may answer them in any order). Literal addresses are checked as they are.
 */
export async function checkDestination(rawUrl: string, allowLoopback: boolean): Promise<CheckedDestination> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new DestinationRefused('WEBHOOK_URL_INVALID', 'not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new DestinationRefused('WEBHOOK_URL_INVALID', `${url.protocol} is not http(s)`);
  }
  if (url.username || url.password) throw new DestinationRefused('WEBHOOK_URL_INVALID', 'credentials in the URL');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = ipaddr.isValid(host);
  let addresses: { address: string; family: number }[];
  if (literal) {
    addresses = [{ address: host, family: host.includes(':') ? 6 : 4 }];
  } else if (isLocalhost(host)) {
    addresses = [{ address: '127.0.0.1', family: 4 }];
  } else {
    try {
      addresses = await resolve(host);
    } catch (error) {
      throw new DestinationRefused('WEBHOOK_URL_INVALID', `${host} does not resolve (${(error as Error).message})`);
    }
  }
  if (addresses.length === 0) throw new DestinationRefused('WEBHOOK_URL_INVALID', `${host} has no address`);
  for (const { address } of addresses) {
    const refusal = addressRefusal(address, allowLoopback && (literal || isLocalhost(host)));
    if (refusal) throw new DestinationRefused('WEBHOOK_URL_FORBIDDEN', `${host}: ${refusal}`);
  }
  const [first] = addresses;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
