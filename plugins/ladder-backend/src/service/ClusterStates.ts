import type { ClusterState } from '@khal/plugin-ladder-common';
import type { ClusterStateProvider } from '@khal/plugin-ladder-node';
import type { LadderEntity } from './LadderEntities';

// A backstop only: the cluster-state provider enforces its own (shorter) request timeout.
const CLUSTER_WAIT_MS = 20_000;

/**
 * What the cluster of each Kubernetes rung says about the entity (undefined for other rungs, or
 * when no provider is installed). Never throws: a failing or slow cluster reads as unreachable.
 */
export async function readClusterStates(
  provider: ClusterStateProvider | undefined,
  target: LadderEntity,
  only?: (rungId: string) => boolean,
  maxAgeMs?: number,
): Promise<Array<ClusterState | undefined>> {
  if (!provider) return target.ladder.rungs.map(() => undefined);
  return Promise.all(
    target.ladder.rungs.map(async rung => {
      if (!rung.kubernetes || (only && !only(rung.id))) return undefined;
      const unreachable = (reason: string): ClusterState => ({
        cluster: rung.kubernetes!.cluster,
        namespace: rung.kubernetes!.namespace,
        reachable: false,
        reason,
        runningRef: null,
        checkedAt: new Date().toISOString(),
      });
      try {
        return await Promise.race([
          provider.getState({
            entity: target.entity,
            rung,
            ladder: target.ladder,
            ...(maxAgeMs !== undefined ? { maxAgeMs } : {}),
          }),
          new Promise<ClusterState>(resolve =>
            setTimeout(
              () =>
                resolve(
                  unreachable(
                    `cluster ${
                      rung.kubernetes!.cluster
                    } did not answer within ${CLUSTER_WAIT_MS} ms`,
                  ),
                ),
              CLUSTER_WAIT_MS,
            ).unref(),
          ),
        ]);
      } catch (error) {
        return unreachable(
          `cluster ${rung.kubernetes.cluster} could not be read: ${
            (error as Error).message
          }`,
        );
      }
    }),
  );
}

type States = Array<ClusterState | undefined>;

/**
 * Cluster state for entity ladder reads, per entity: an answer younger than `maxAgeMs` is served
 * as is; one younger than `staleMs` is served while a fresh one is fetched in the background;
 * otherwise the read waits for the clusters. Concurrent reads of one entity share one fetch.
 * Only reads for display go through it: gates, drift checks and deploys read the clusters live,
 * and the drift check stores what it saw (`remember`). Every state carries its `checkedAt`.
 */
export class ClusterStateCache {
  private readonly entries = new Map<
    string,
    { states: States; at: number; seq: number }
  >();
  private seq = 0;
  private readonly inflight = new Map<string, Promise<States>>();
  /** When the ladder last changed an entity's clusters: older observations are not shown. */
  private readonly changedAt = new Map<string, number>();

  constructor(
    private readonly options: {
      maxAgeMs: number;
      staleMs?: number;
      maxEntries?: number;
      now?: () => number;
    },
  ) {}

  private now() {
    return this.options.now ? this.options.now() : Date.now();
  }

  /** How old an observation entity reads show (ms; 0: they read the clusters every time). */
  get maxAgeMs(): number {
    return this.options.maxAgeMs;
  }

  async read(
    provider: ClusterStateProvider | undefined,
    target: LadderEntity,
    options?: { live?: boolean },
  ): Promise<States> {
    const { maxAgeMs } = this.options;
    if (!provider || maxAgeMs === 0 || options?.live) {
      const states = await readClusterStates(provider, target, undefined, 0);
      if (provider && maxAgeMs > 0) this.remember(target.entityRef, states);
      return states;
    }
    const key = target.entityRef;
    const entry = this.entries.get(key);
    const age = entry ? this.now() - entry.at : Infinity;
    if (entry && age < maxAgeMs) return entry.states;
    const fresh = this.fetch(provider, target, maxAgeMs);
    if (entry && age < (this.options.staleMs ?? maxAgeMs * 6)) {
      fresh.catch(() => undefined); // readClusterStates never throws; belt and braces
      return entry.states;
    }
    return fresh;
  }

  /** Stores a complete, live reading (e.g. the scheduled drift check's). */
  remember(entityRef: string, states: States) {
    const max = this.options.maxEntries ?? 10_000;
    this.entries.delete(entityRef);
    this.entries.set(entityRef, { states, at: this.now(), seq: ++this.seq });
    // Maps iterate in insertion order: the first key is the least recently stored.
    while (this.entries.size > max) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }

  /**
   * Forgets an entity's cluster state (e.g. after the ladder deployed or rolled it back): until
   * `maxAgeMs` has passed, the provider is asked for observations made after this moment only.
   */
  forget(entityRef: string) {
    this.entries.delete(entityRef);
    this.changedAt.delete(entityRef);
    this.changedAt.set(entityRef, this.now());
    const max = this.options.maxEntries ?? 10_000;
    while (this.changedAt.size > max) this.changedAt.delete(this.changedAt.keys().next().value!);
  }

  private fetch(
    provider: ClusterStateProvider,
    target: LadderEntity,
    maxAgeMs: number,
  ): Promise<States> {
    const key = target.entityRef;
    const running = this.inflight.get(key);
    if (running) return running;
    const startedAt = this.seq;
    const changed = this.changedAt.get(key);
    // The provider may answer from its own recent picture of the cluster, but not from one taken
    // before the ladder last changed this entity's clusters.
    const acceptAge = changed === undefined ? maxAgeMs : Math.max(0, Math.min(maxAgeMs, this.now() - changed - 1));
    const promise = readClusterStates(provider, target, undefined, acceptAge)
      .then(states => {
        // A reading older than one stored meanwhile (e.g. by the drift check) does not replace it.
        const current = this.entries.get(key);
        if (!current || current.seq <= startedAt) this.remember(key, states);
        return states;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return promise;
  }
}
