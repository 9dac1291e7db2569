import type { Entity } from '@backstage/catalog-model';
import type { ClusterState, LadderDefinition, RungConfig } from '@khal/plugin-ladder-common';

/**
 * Reports what a Kubernetes rung's cluster runs for an entity. Provided by a Kubernetes module;
 * when none is installed, Kubernetes rungs report no cluster information.
 */
export interface ClusterStateProvider {
  /**
   * The cluster state of the entity on a rung that has a `kubernetes` block. Should not throw for
   * an unreachable cluster: return `reachable: false` with a reason instead.
   *
   * `maxAgeMs` is how old an observation the caller accepts (its `checkedAt` says when it was
   * made): 0 asks for the cluster itself, now; absent leaves it to the provider. Reads for display
   * accept a few seconds; gates, deploys and drift checks leave it absent or ask for 0.
   */
  getState(options: {
    entity: Entity;
    rung: RungConfig;
    ladder: LadderDefinition;
    maxAgeMs?: number;
  }): Promise<ClusterState>;
}
