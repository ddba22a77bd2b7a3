import http from 'node:http';
import type { AddressInfo } from 'node:net';
import dns2 from 'dns2';

const { Packet } = dns2;

/**
 * A DNS server over UDP that the test stack's functions resolve receiver names with
 * (WEBHOOK_DNS_SERVER), so names that point inside the network can be tested offline:
 * - a name that starts with an IPv4 address answers it, as nip.io does (`127.0.0.1.nip.io`);
 * - a name set through `PUT /records/<name>` (the body an IPv4 address) answers that, until set
 *   again: DNS rebinding is a name that answers differently at registration and at delivery;
 * - any other name does not exist (NXDOMAIN), at once, where the machine's resolver would wait.
 * Answers have a TTL of 0, so nothing between asks twice.
 */
export interface FakeDns {
  /** The UDP port of the DNS server. */
  port: number;
  /** The HTTP server where tests set records. */
  controlUrl: string;
  close(): Promise<void>;
}

const IPV4 = /^((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})\./;

export async function startFakeDns({ port = 0 }: { port?: number } = {}): Promise<FakeDns> {
  const records = new Map<string, string>();
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      const name = question.name.toLowerCase();
      const address = records.get(name) ?? IPV4.exec(name)?.[1];
      if (!address) response.header.rcode = Packet.RCODE.NXDOMAIN;
      else if (question.type === Packet.TYPE.A) {
        response.answers.push(Packet.createResourceFromQuestion(question, { ttl: 0, address }));
      }
      send(response);
    },
  });
  const addresses = await server.listen({ udp: { port, address: '127.0.0.1' } });

  const control = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const name = /^\/records\/([a-z0-9.-]+)$/i.exec(request.url ?? '')?.[1];
    const address = Buffer.concat(chunks).toString('utf8').trim();
    if (request.method !== 'PUT' || !name || !IPV4.test(`${address}.`)) return response.writeHead(400).end();
    records.set(name.toLowerCase(), address);
    response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));

  return {
    port: (addresses.udp as AddressInfo).port,
    controlUrl: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise<void>((resolve) => control.close(() => resolve()));
      await server.close();
    },
  };
}
