import type { Entity } from '@backstage/catalog-model';
import type { ClusterState, RungConfig } from '@khal/plugin-ladder-common';
import { ClusterReader, resolveTarget } from './ClusterReader';
import {
  Revision,
  Rollout,
  combinedRollout,
  crashLoopingPods,
  currentRevisionOf,
  primaryDeployment,
  refOf,
  replicasOf,
  revisionsOf,
} from './workload';

/** What the module knows about an entity on a Kubernetes rung; the gates read it too. */
export interface RungObservation {
  /** The state as the ladder API shows it. */
  state: ClusterState;
  /** The rollout (absent when no Deployment matches). */
  rollout?: Rollout;
  /** Revision history of the primary Deployment, newest first. */
  revisions: Revision[];
  /** The revision the primary Deployment is at. */
  currentRevision?: number;
}

/** Reads the rung's cluster for the entity and derives its {@link ClusterState}. Never throws. */
export async function observeRung(
  reader: ClusterReader,
  entity: Entity,
  rung: RungConfig,
  options?: { maxAgeMs?: number },
): Promise<RungObservation> {
  const resolved = resolveTarget(entity, rung);
  if (!resolved.ok) {
    return {
      state: {
        cluster: resolved.cluster,
        namespace: resolved.namespace,
        reachable: false,
        reason: resolved.reason,
        runningRef: null,
        rollout: 'unknown',
        checkedAt: new Date().toISOString(),
      },
      revisions: [],
    };
  }
  const { cluster, namespace, kubernetesId } = resolved.target;
  const reading = await reader.workload(resolved.target, options);
  if (!reading.ok) {
    return {
      state: {
        cluster,
        namespace,
        reachable: false,
        reason: reading.reason,
        runningRef: null,
        rollout: 'unknown',
        checkedAt: reading.checkedAt,
      },
      revisions: [],
    };
  }
  const { deployments, replicaSets, pods } = reading.value;
  const primary = primaryDeployment(deployments, kubernetesId);
  if (!primary) {
    return {
      state: {
        cluster,
        namespace,
        reachable: true,
        runningRef: null,
        image: null,
        rollout: 'absent',
        rolloutMessage: `no Deployment labelled backstage.io/kubernetes-id=${kubernetesId} in namespace "${namespace}" of cluster "${cluster}"`,
        crashLoopingPods: crashLoopingPods(pods),
        revisions: [],
        checkedAt: reading.checkedAt,
      },
      revisions: [],
    };
  }
  const running = refOf(primary.spec?.template, primary.metadata);
  const rollout = combinedRollout(deployments)!;
  const revisions = revisionsOf(primary, replicaSets);
  return {
    state: {
      cluster,
      namespace,
      reachable: true,
      runningRef: running.ref,
      image: running.image,
      rollout: rollout.state,
      rolloutMessage: rollout.message,
      replicas: replicasOf(deployments),
      crashLoopingPods: crashLoopingPods(pods),
      revisions,
      checkedAt: reading.checkedAt,
    },
    rollout,
    revisions,
    currentRevision: currentRevisionOf(primary, revisions),
  };
}
