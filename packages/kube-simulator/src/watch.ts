/*
 * Watches (`?watch=1`): a stream of ADDED / MODIFIED / DELETED events, one JSON
 * document per line, the way `kubectl rollout status` and client-go informers
 * read them. The store keeps no history, so a watch compares snapshots of the
 * objects it covers on a short interval and sends what changed; a watch from a
 * resourceVersion treats objects not written since then as already known.
 */
import { KubeObject } from './types';

/** What a watch covers, as decided by the router. */
export interface WatchSpec {
  /** The objects the watch covers now (already filtered and presented). */
  list: () => KubeObject[];
  /** The `resourceVersion` the client listed at; absent or "0" = send everything first. */
  resourceVersion?: string;
  /** Ends the stream after this long (the API server's `timeoutSeconds`). */
  timeoutMs: number;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

const keyOf = (o: KubeObject) =>
  `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const rvOf = (o: KubeObject) => Number(o.metadata.resourceVersion ?? 0);

/** Tracks what the client has been told and turns snapshots into events. */
export class WatchState {
  private readonly known = new Map<string, KubeObject>();

  constructor(private readonly spec: WatchSpec) {}

  /** The events that bring the client up to date with the first snapshot. */
  start(): WatchEvent[] {
    const since = Number(this.spec.resourceVersion ?? 0);
    const events: WatchEvent[] = [];
    for (const o of this.spec.list()) {
      if (since > 0 && rvOf(o) <= since) this.known.set(keyOf(o), o);
      else {
        events.push({ type: since > 0 ? 'MODIFIED' : 'ADDED', object: o });
        this.known.set(keyOf(o), o);
      }
    }
    return events;
  }

  /** The events since the last call. */
  next(): WatchEvent[] {
    const events: WatchEvent[] = [];
    const seen = new Set<string>();
    for (const o of this.spec.list()) {
      const key = keyOf(o);
      seen.add(key);
      const before = this.known.get(key);
      if (!before) events.push({ type: 'ADDED', object: o });
      else if (before.metadata.resourceVersion !== o.metadata.resourceVersion)
        events.push({ type: 'MODIFIED', object: o });
      this.known.set(key, o);
    }
    for (const [key, o] of [...this.known.entries()]) {
      if (seen.has(key)) continue;
      this.known.delete(key);
      events.push({ type: 'DELETED', object: o });
    }
    return events;
  }
}

/** How often a watch looks for changes. */
export const WATCH_POLL_MS = 100;
