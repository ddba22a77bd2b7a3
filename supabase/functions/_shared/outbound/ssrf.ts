import dns from 'node:dns';
import ipaddr from 'ipaddr.js';

/**
 * Where an outbound request to a URL given by a user (a webhook receiver) may go. The name is
 * resolved here, every address it has is checked, and the request then connects to the checked
 * address only (see request.ts), so a name that resolves to a public address when checked and a
 * private one when connecting (DNS rebinding) reaches nothing it must not.
 */

/** A destination refused: private, loopback (unless allowed), link-local, metadata, or unresolvable. */
export class DestinationRefused extends Error {
  constructor(readonly code: 'WEBHOOK_URL_FORBIDDEN' | 'WEBHOOK_URL_INVALID', message: string) {
    super(message);
  }
}

/** ipaddr.js's range names that only the public internet ('unicast') may be outside of. */
const LOOPBACK = new Set(['loopback']);

/** Why `address` may not be called, or null. IPv4 written as IPv6 (::ffff:a.b.c.d) counts as IPv4. */
export function addressRefusal(address: string, allowLoopback: boolean): string | null {
  if (!ipaddr.isValid(address)) return `${address} is not an address`;
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  if (range === 'unicast') return null;
  if (LOOPBACK.has(range) && allowLoopback) return null;
  return `${address} is in the ${range} range`;
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
  let addresses: { address: string; family: number }[];
  if (ipaddr.isValid(host)) {
    addresses = [{ address: host, family: host.includes(':') ? 6 : 4 }];
  } else {
    try {
      addresses = await dns.promises.lookup(host, { all: true, verbatim: true });
    } catch (error) {
      throw new DestinationRefused('WEBHOOK_URL_INVALID', `${host} does not resolve (${(error as Error).message})`);
    }
  }
  if (addresses.length === 0) throw new DestinationRefused('WEBHOOK_URL_INVALID', `${host} has no address`);
  for (const { address } of addresses) {
    const refusal = addressRefusal(address, allowLoopback);
    if (refusal) throw new DestinationRefused('WEBHOOK_URL_FORBIDDEN', `${host}: ${refusal}`);
  }
  const [first] = addresses;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
