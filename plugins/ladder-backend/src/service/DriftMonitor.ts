import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  RELATION_OWNED_BY,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { ClusterState } from '@khal/plugin-ladder-common';
import type { ClusterStateProvider } from '@khal/plugin-ladder-node';
import type { LadderStore } from '../database/LadderStore';
import type { DriftRecord, PlacementRecord } from '../database/records';
import { ClusterStateCache, readClusterStates } from './ClusterStates';
import type { LadderEntity } from './LadderEntities';
import type { LadderNotifier } from './LadderNotifier';

/** The actor recorded for drift the ladder notices on its own. */
export const DRIFT_ACTOR = 'service:ladder-drift';

/** The entity's owner as an entity ref (the recipient of drift notifications). */
export function ownerRefOf(target: LadderEntity): string | undefined {
  const related = target.entity.relations?.find(
    r => r.type === RELATION_OWNED_BY,
  )?.targetRef;
  const owner = related ?? (target.entity.spec?.owner as string | undefined);
  if (!owner) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: target.entity.metadata.namespace ?? 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

/** What a person must do to end a drift; shared by refusals, notifications and docs. */
export function waysOutOfDrift(drift: DriftRecord, rungId: string): string {
  const adopt = `adopt ${drift.runningRef} (a promotion of kind "adoption" onto ${rungId} with ref ${drift.runningRef}: needs evidence for it on ${rungId} and the rung approvers)`;
  return drift.expectedRef
    ? `either ${adopt}, or roll back to the placed ref (kind "rollback", ref ${drift.expectedRef}, and deploy it)`
    : `${adopt}; the ladder placed nothing there, so there is nothing to roll back to`;
}

/**
 * Drift: a Kubernetes rung whose cluster runs a ref the ladder did not place there. Observations
 * are persisted, so the time it started is stable and the entity's owners are told once; a
 * cluster back on the placed ref resolves it (audited). Adoption and rollback resolve it through
 * the promotion engine.
 */
export class DriftMonitor {
  constructor(
    private readonly deps: {
      store: LadderStore;
      notifier: LadderNotifier;
      logger: LoggerService;
      clusterState: () => ClusterStateProvider | undefined;
      /** Where complete live readings are left for entity reads. */
      clusterCache?: ClusterStateCache;
    },
  ) {}

  private cursor: string | undefined;
  private readonly pending = new Map<string, Promise<void>>();

  /**
   * Records what a read saw, off the request path: the read has answered already; the drift rows,
   * their audit and the owners' notification follow here. One reconciliation at a time per entity
   * and replica (a second read meanwhile adds nothing); the scheduled re-check catches whatever
   * this misses. Errors are logged, never thrown.
   */
  reconcileLater(
    target: LadderEntity,
    placements: PlacementRecord[],
    clusters: Array<ClusterState | undefined>,
  ): void {
    if (this.pending.has(target.entityRef)) return;
    const run = this.reconcile(target, placements, clusters)
      .then(
        () => undefined,
        error =>
          this.deps.logger.warn(
            `drift of ${target.entityRef} could not be recorded: ${error}`,
          ),
      )
      .finally(() => this.pending.delete(target.entityRef));
    this.pending.set(target.entityRef, run);
  }

  /**
   * The next entities the scheduled re-check should look at: a slice of the placed entities in
   * ref order, continuing after the last slice (and starting over after the end), plus every
   * entity with an open drift, so that each placed entity is observed within
   * ceil(placed / limit) runs however many there are.
   */
  async nextToObserve(limit: number): Promise<string[]> {
    const { placed, drifting } = await this.deps.store.listEntityRefsToObserve(
      limit,
      this.cursor,
    );
    this.cursor = placed.length < limit ? undefined : placed[placed.length - 1];
    return [...new Set([...drifting, ...placed])];
  }

  /** Reads the clusters (optionally only some rungs) and reconciles; open drifts by rung id. */
  async observe(
    target: LadderEntity,
    only?: (rungId: string) => boolean,
  ): Promise<Map<string, DriftRecord>> {
    const [clusters, placements] = await Promise.all([
      readClusterStates(this.deps.clusterState(), target, only),
      this.deps.store.listPlacements([target.entityRef]),
    ]);
    if (!only) this.deps.clusterCache?.remember(target.entityRef, clusters);
    return this.reconcile(target, placements, clusters);
  }

  /** Compares what the clusters run with the placements; returns the open drifts by rung id. */
  async reconcile(
    target: LadderEntity,
    placements: PlacementRecord[],
    clusters: Array<ClusterState | undefined>,
  ): Promise<Map<string, DriftRecord>> {
    const { store } = this.deps;
    const open = new Map(
      (await store.listOpenDrifts([target.entityRef])).map(
        d => [d.rungId, d] as const,
      ),
    );
    for (const [i, rung] of target.ladder.rungs.entries()) {
      const cluster = clusters[i];
      // An unreachable cluster, or one that does not say what it runs, tells nothing either way.
      if (!cluster?.reachable || !cluster.runningRef) continue;
      const running = cluster.runningRef;
      const placed = placements.find(p => p.rungId === rung.id)?.ref ?? null;
      if (running !== placed) {
        const { drift } = await store.observeDrift({
          entityRef: target.entityRef,
          rungId: rung.id,
          runningRef: running,
          expectedRef: placed,
          actor: DRIFT_ACTOR,
        });
        open.set(rung.id, drift);
        if (!drift.notifiedAt && (await store.markDriftNotified(drift.id))) {
          await this.deps.notifier.driftDetected({
            entityRef: target.entityRef,
            ownerRef: ownerRefOf(target),
            rungTitle: rung.title,
            drift,
            waysOut: waysOutOfDrift(drift, rung.id),
          });
        }
      } else if (open.has(rung.id)) {
        await store.resolveDrift({
          entityRef: target.entityRef,
          rungId: rung.id,
          resolution: 'cluster-returned',
          actor: DRIFT_ACTOR,
        });
        open.delete(rung.id);
        await this.deps.notifier.entityChanged({
          entityRef: target.entityRef,
          change: 'drift',
        });
      }
    }
    return open;
  }
}
