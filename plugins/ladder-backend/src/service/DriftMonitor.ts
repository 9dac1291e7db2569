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
   * Records drift that a read noticed, off the request path: the read has answered already (from
   * an observation that may be a few seconds old); here the clusters are read again, live, with
   * the current placements, and only that is recorded — the drift rows, their audit and the
   * owners' notification. One reconciliation at a time per entity and replica (a second read
   * meanwhile adds nothing); the scheduled re-check catches whatever this misses. Errors are
   * logged, never thrown.
   */
  reconcileLater(target: LadderEntity): void {
    if (this.pending.has(target.entityRef)) return;
    const run = this.observe(target, undefined, { recent: true })
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

  /**
   * Reads the clusters (optionally only some rungs) and reconciles; open drifts by rung id.
   *
   * With `recent` (the scheduled walk and reads' follow-ups) an observation up to the display's
   * `clusterStateMaxAgeMs` old is taken — never one older than the entity's newest placement —
   * and only where it differs from what is recorded are the clusters read again, live, before
   * anything is written: no drift is opened or resolved on an old picture, and a walk over
   * thousands of unchanged entities costs no cluster requests.
   */
  async observe(
    target: LadderEntity,
    only?: (rungId: string) => boolean,
    options?: { recent?: boolean },
  ): Promise<Map<string, DriftRecord>> {
    const provider = this.deps.clusterState();
    const maxAgeMs = options?.recent ? this.deps.clusterCache?.maxAgeMs ?? 0 : undefined;
    if (maxAgeMs === undefined || maxAgeMs === 0) {
      const [clusters, placements] = await Promise.all([
        readClusterStates(provider, target, only, maxAgeMs),
        this.deps.store.listPlacements([target.entityRef]),
      ]);
      if (!only) this.deps.clusterCache?.remember(target.entityRef, clusters);
      return this.reconcile(target, placements, clusters);
    }
    const [placements, recorded] = await Promise.all([
      this.deps.store.listPlacements([target.entityRef]),
      this.deps.store.listOpenDrifts([target.entityRef]),
    ]);
    const newest = Math.max(0, ...placements.map(p => Date.parse(p.placedAt)).filter(Number.isFinite));
    const acceptAge = Math.max(0, Math.min(maxAgeMs, Date.now() - newest - 1));
    let clusters = await readClusterStates(provider, target, only, acceptAge);
    const rungs = target.ladder.rungs;
    const differing = new Set(
      rungs
        .filter((rung, i) => {
          const cluster = clusters[i];
          if (!cluster?.reachable || !cluster.runningRef) return false;
          const drifted = cluster.runningRef !== (placements.find(p => p.rungId === rung.id)?.ref ?? null);
          const stored = recorded.find(d => d.rungId === rung.id);
          return drifted !== Boolean(stored) || (drifted && stored!.runningRef !== cluster.runningRef);
        })
        .map(rung => rung.id),
    );
    if (differing.size > 0 && acceptAge > 0) {
      const live = await readClusterStates(provider, target, id => differing.has(id), 0);
      clusters = clusters.map((c, i) => (differing.has(rungs[i].id) ? live[i] : c));
    }
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
    // A claimed deploy in flight changes the cluster before the placement moves (that waits for
    // the observation): the commit it deploys is not drift.
    const deploying = await store.listPromotions({
      entityRef: target.entityRef,
      phases: ['Deploying', 'Verifying'],
      limit: 50,
      offset: 0,
    });
    for (const [i, rung] of target.ladder.rungs.entries()) {
      const cluster = clusters[i];
      // An unreachable cluster, or one that does not say what it runs, tells nothing either way.
      if (!cluster?.reachable || !cluster.runningRef) continue;
      const running = cluster.runningRef;
      const placed = placements.find(p => p.rungId === rung.id)?.ref ?? null;
      if (running !== placed && deploying.some(p => p.toRung === rung.id && p.ref === running)) continue;
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
