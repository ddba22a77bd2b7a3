/**
 * Presence as Phoenix.Presence groups it: per topic, each key holds `metas`, one per tracking
 * channel, each with a unique `phx_ref`. A change is sent as a `presence_diff` of `joins` and
 * `leaves`; a channel that joins gets the whole state as `presence_state`.
 */

export interface Meta extends Record<string, unknown> {
  phx_ref: string;
  phx_ref_prev?: string;
}

export type PresenceGroup = Record<string, { metas: Meta[] }>;

export interface PresenceDiff {
  joins: PresenceGroup;
  leaves: PresenceGroup;
}

interface Tracked {
  key: string;
  meta: Meta;
}

let refCounter = 0;
const nextRef = () => `${Date.now().toString(36)}${(refCounter++).toString(36)}`;

/** The presences of one topic, keyed by the tracking channel (an object of the socket layer). */
export class TopicPresence {
  private readonly tracked = new Map<object, Tracked>();

  get size(): number {
    return this.tracked.size;
  }

  state(): PresenceGroup {
    const group: PresenceGroup = {};
    for (const { key, meta } of this.tracked.values()) {
      group[key] ??= { metas: [] };
      group[key].metas.push(meta);
    }
    return group;
  }

  /** Tracks or updates what `owner` shows under `key`; an update leaves the old meta and joins the new. */
  track(owner: object, key: string, payload: Record<string, unknown>): PresenceDiff {
    const previous = this.tracked.get(owner);
    const meta: Meta = { ...payload, phx_ref: nextRef() };
    if (previous) meta.phx_ref_prev = previous.meta.phx_ref;
    this.tracked.set(owner, { key, meta });
    const diff: PresenceDiff = { joins: { [key]: { metas: [meta] } }, leaves: {} };
    if (previous) diff.leaves[previous.key] = { metas: [previous.meta] };
    return diff;
  }

  untrack(owner: object): PresenceDiff | undefined {
    const previous = this.tracked.get(owner);
    if (!previous) return undefined;
    this.tracked.delete(owner);
    return { joins: {}, leaves: { [previous.key]: { metas: [previous.meta] } } };
  }
}
