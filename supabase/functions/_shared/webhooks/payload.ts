/**
 * What a receiver gets: the Standard Webhooks payload (`type`, `timestamp`, `data`), or a chat or
 * automation service's own shape for the endpoint's preset. docs/webhooks.md shows each.
 */

/** The payload's version: a change that could break a receiver's parser raises it. */
export const PAYLOAD_VERSION = 1;

export type Preset = 'standard' | 'slack' | 'teams' | 'discord' | 'home_assistant';

export interface WebhookEvent {
  id: string;
  type: string;
  orgId: string;
  createdAt: Date;
  data: Record<string, unknown>;
}

export function standardPayload(event: WebhookEvent) {
  return {
    id: event.id,
    type: event.type,
    version: PAYLOAD_VERSION,
    timestamp: event.createdAt.toISOString(),
    org_id: event.orgId,
    data: event.data,
  };
}

/** Message length limits of the services (characters of the text we send). */
export const TEXT_LIMITS = { slack: 3_000, teams: 20_000, discord: 2_000 } as const;

/** The body for the endpoint's preset, as JSON. */
export function body(event: WebhookEvent, preset: Preset): string {
  switch (preset) {
    case 'standard':
    case 'home_assistant':
      // Home Assistant's webhook trigger hands the JSON body to automations as trigger.json.
      return JSON.stringify(standardPayload(event));
    case 'slack':
      return JSON.stringify({ text: truncate(summary(event), TEXT_LIMITS.slack) });
    case 'discord':
      return JSON.stringify({
        content: truncate(summary(event), TEXT_LIMITS.discord),
        allowed_mentions: { parse: [] },
      });
    case 'teams':
      return JSON.stringify({
        type: 'message',
        attachments: [{
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [{ type: 'TextBlock', text: truncate(summary(event), TEXT_LIMITS.teams), wrap: true }],
          },
        }],
      });
  }
}

/** One line a person reads: what happened, to which record. */
export function summary(event: WebhookEvent): string {
  const data = event.data;
  const record = (data.record ?? null) as Record<string, unknown> | null;
  const label = record
    ? [record.reference, record.name ?? record.title ?? record.description ?? record.registration]
      .filter((part) => typeof part === 'string' && part.length > 0).join(' ')
    : '';
  const detail = label || (typeof data.path === 'string' ? data.path : '') ||
    (typeof data.kind === 'string' ? `${data.kind} ${data.status ?? ''}`.trim() : '') ||
    (typeof data.status === 'string' ? data.status : '');
  return `WestWallet: ${event.type}${detail ? ` (${detail})` : ''}`;
}

/** At most `limit` characters (code points, so no emoji is cut in half), ending in … when cut. */
export function truncate(text: string, limit: number): string {
  const chars = Array.from(text);
  return chars.length <= limit ? text : `${chars.slice(0, limit - 1).join('')}…`;
}
