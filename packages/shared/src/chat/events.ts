/**
 * The events of ai-chat's Server-Sent Events stream, in order: `conversation` once, then any
 * number of `tool` and `delta`, then `done` or `error` last. Each is `event: <name>` and one
 * `data:` line of JSON, as OpenAI's streams send JSON on `data:` lines.
 */
export type ChatEvent =
  | { event: 'conversation'; data: { conversation_id: string; message_key: string; replayed: boolean } }
  | { event: 'tool'; data: { name: string; ok: boolean } }
  | { event: 'delta'; data: { text: string } }
  | { event: 'done'; data: { message_id: string; credits_charged: number; tool_rounds: number } }
  | { event: 'error'; data: { code: string; message: string } };

export function sseEvent(event: ChatEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** Reads a stream's text back into its events (for clients and tests). */
export function parseSse(text: string): ChatEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const name = block.match(/^event: (.*)$/m)?.[1];
      const data = block.match(/^data: (.*)$/m)?.[1];
      return { event: name, data: data === undefined ? undefined : JSON.parse(data) } as ChatEvent;
    });
}
