import http from 'node:http';
import https from 'node:https';
import type { CheckedDestination } from './ssrf.ts';

export interface PostResult {
  status: number;
  /** The start of the answer, at most `snippetChars` characters. */
  snippet: string;
}

/**
 * POSTs `body` to a checked destination, connecting to its checked address whatever the name
 * resolves to now (node:http's `lookup`, which Deno honours), with TLS still verified against the
 * name. Reads at most `snippetChars` of the answer, then drops the connection: a receiver cannot
 * make us read a large answer.
 */
export function postPinned(
  destination: CheckedDestination,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
  snippetChars = 1000,
): Promise<PostResult> {
  const { url, address, family } = destination;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(new TextEncoder().encode(body).length) },
        signal,
        lookup: (_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
          if (options?.all) callback(null, [{ address, family }]);
          else callback(null, address, family);
        },
      } as http.RequestOptions,
      (response) => {
        let snippet = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          snippet += chunk;
          if (snippet.length >= snippetChars) response.destroy();
        });
        const done = () => resolve({ status: response.statusCode ?? 0, snippet: snippet.slice(0, snippetChars) });
        response.on('end', done);
        response.on('close', done);
        response.on('error', done);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
