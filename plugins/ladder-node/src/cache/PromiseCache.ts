import { LRUCache } from 'lru-cache';

/** @public */
export type PromiseCacheOptions<V> = {
  /** How long a value is reused (ms); 0 or less: never reused, every `get` loads. */
  ttlMs: number;
  /** The most keys kept; the least recently used goes first. */
  maxEntries: number;
  /** A loaded value this says no to is not kept (e.g. "not found"); the next get loads again. */
  keep?: (value: V) => boolean;
  /** The clock (ms), for tests. */
  now?: () => number;
};

/**
 * A TTL- and size-bounded cache of loads in flight or done, on `lru-cache`. Concurrent gets of a
 * key share one load; a failed load (or one `keep` refuses) is forgotten, so the next get tries
 * again; `fresh` loads now and replaces what was kept.
 * @public
 */
export class PromiseCache<K extends {}, V> {
  private readonly cache?: LRUCache<K, { value: Promise<V> }>;

  constructor(private readonly options: PromiseCacheOptions<V>) {
    if (options.ttlMs > 0) {
      this.cache = new LRUCache<K, { value: Promise<V> }>({
        max: options.maxEntries,
        ttl: options.ttlMs,
        // The age is measured from the start of the load, never refreshed by a hit.
        updateAgeOnGet: false,
        ttlAutopurge: false,
        // No cached clock reading: a TTL check reads the clock each time (tests move it).
        ttlResolution: 0,
        // Date.now unless told: the wall clock that the rest of the backend (and fake timers) use.
        perf: { now: options.now ?? (() => Date.now()) },
      });
    }
  }

  get(
    key: K,
    load: () => Promise<V>,
    opts: { fresh?: boolean } = {},
  ): Promise<V> {
    const cache = this.cache;
    if (!cache) return load();
    // A value is as old as its TTL is stale (lru-cache alone would answer it for one more ms).
    const hit =
      opts.fresh || cache.getRemainingTTL(key) <= 0
        ? undefined
        : cache.get(key);
    if (hit) return hit.value;
    const entry = { value: load() };
    cache.set(key, entry);
    const forget = () => {
      // Only this entry is forgotten, never a newer one that replaced it meanwhile.
      if (cache.peek(key, { allowStale: true }) === entry) cache.delete(key);
    };
    entry.value.then(value => {
      if (this.options.keep && !this.options.keep(value)) forget();
    }, forget);
    return entry.value;
  }

  /** Forgets every key. */
  clear(): void {
    this.cache?.clear();
  }

  /** How many keys are kept (stale ones not yet purged included). */
  get size(): number {
    return this.cache?.size ?? 0;
  }
}
