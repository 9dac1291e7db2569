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
