import type { RealtimeChannel } from '@supabase/supabase-js';

/** Subscribes and settles with the outcome: SUBSCRIBED, or the error status and its message. */
export function subscribe(channel: RealtimeChannel): Promise<{ status: string; error?: string }> {
  return new Promise((resolve) => {
    channel.subscribe((status, error) => {
      if (status === 'SUBSCRIBED') resolve({ status });
      else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') resolve({ status, error: error?.message });
    });
  });
}

/** Subscribes and fails unless the channel joined. */
export async function joined(channel: RealtimeChannel): Promise<RealtimeChannel> {
  const outcome = await subscribe(channel);
  if (outcome.status !== 'SUBSCRIBED') throw new Error(`${channel.topic}: ${outcome.status} ${outcome.error ?? ''}`);
  return channel;
}

/** Collects what a callback receives, to wait for with expect.poll. */
export function collector<T>() {
  const items: T[] = [];
  return { items, push: (item: T) => void items.push(item) };
}
