/*
 * What a rung's cluster runs for an entity, derived from the Deployments, ReplicaSets and Pods
 * matched by the entity's kubernetes id. Pure functions: the reading happens in ClusterReader.
 */
import { REF_ANNOTATION } from '@khal/plugin-ladder-common';
import type { Deployment, KubeMetadata, Pod, PodTemplate, ReplicaSet } from './objects';

/** Written by the deployment controller on Deployments and their ReplicaSets. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

/** The objects matched by an entity's kubernetes id in one namespace of one cluster. */
export interface Workload {
  deployments: Deployment[];
  replicaSets: ReplicaSet[];
  pods: Pod[];
}

export type RolloutState = 'complete' | 'progressing' | 'failed';

export interface Rollout {
  state: RolloutState;
  message: string;
}

export interface Revision {
  revision: number;
  ref: string | null;
  image: string | null;
}

/** The tag of an image reference (`registry:5000/app:1.2` → `1.2`); null for digests or no tag. */
export function imageTag(image: string | undefined): string | null {
  if (!image) return null;
  const withoutDigest = image.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > lastSlash ? withoutDigest.slice(colon + 1) || null : null;
}

/**
 * The ref a pod template runs: the `khal.ai/ref` annotation of the template (or of the object
 * owning it), else the tag of its first container's image.
 */
export function refOf(
  template: PodTemplate | undefined,
  owner?: KubeMetadata,
): { ref: string | null; image: string | null } {
  const image = template?.spec?.containers?.[0]?.image ?? null;
  const annotated =
    template?.metadata?.annotations?.[REF_ANNOTATION] ?? owner?.annotations?.[REF_ANNOTATION];
  return { ref: annotated || imageTag(image ?? undefined), image };
}

/**
 * The rollout of one Deployment, following `kubectl rollout status`: the spec change must be
 * observed, a `Progressing=False/ProgressDeadlineExceeded` (or `ReplicaFailure=True`) condition
 * means it cannot finish, and it is complete once every replica is updated and available and no
 * old replica is left.
 */
export function rolloutOf(d: Deployment): Rollout {
  const name = d.metadata.name;
  const status = d.status ?? {};
  const conditions = status.conditions ?? [];
  const generation = d.metadata.generation ?? 0;
  if ((status.observedGeneration ?? 0) < generation) {
    return {
      state: 'progressing',
      message: `Deployment "${name}": waiting for the spec update to be observed`,
    };
  }
  const progressing = conditions.find(c => c.type === 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    return {
      state: 'failed',
      message: progressing.message || `Deployment "${name}" exceeded its progress deadline`,
    };
  }
  const replicaFailure = conditions.find(c => c.type === 'ReplicaFailure' && c.status === 'True');
  if (replicaFailure) {
    return {
      state: 'failed',
      message: replicaFailure.message || `Deployment "${name}" cannot create replicas`,
    };
  }
  const desired = d.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const unavailable = conditions.find(c => c.type === 'Available' && c.status === 'False');
  const why = unavailable?.message ? ` (${unavailable.message})` : '';
  if (updated < desired) {
    return {
      state: 'progressing',
      message: `Deployment "${name}": ${updated} of ${desired} new replicas have been updated${why}`,
    };
  }
  if (total > updated) {
    return {
      state: 'progressing',
      message: `Deployment "${name}": ${total - updated} old replicas are pending termination`,
    };
  }
  if (available < updated) {
    return {
      state: 'progressing',
      message: `Deployment "${name}": ${available} of ${updated} updated replicas are available${why}`,
    };
  }
  return { state: 'complete', message: `Deployment "${name}" successfully rolled out` };
}

const severity: Record<RolloutState, number> = { complete: 0, progressing: 1, failed: 2 };

/** The rollout of several Deployments: the worst state, with the messages that explain it. */
export function combinedRollout(deployments: Deployment[]): Rollout | undefined {
  if (deployments.length === 0) return undefined;
  const rollouts = deployments.map(rolloutOf);
  const worst = rollouts.reduce((a, b) => (severity[b.state] > severity[a.state] ? b : a));
  return {
    state: worst.state,
    message: rollouts
      .filter(r => r.state === worst.state)
      .map(r => r.message)
      .join('; '),
  };
}

/** Names of pods with a container in `CrashLoopBackOff`. */
export function crashLoopingPods(pods: Pod[]): string[] {
  return pods
    .filter(p =>
      [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])].some(
        c => c.state?.waiting?.reason === 'CrashLoopBackOff',
      ),
    )
    .map(p => p.metadata.name)
    .sort();
}

function revisionNumber(meta: KubeMetadata): number | undefined {
  const n = Number(meta.annotations?.[REVISION_ANNOTATION]);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** Whether a ReplicaSet is controlled by a Deployment. */
function ownedBy(rs: ReplicaSet, d: Deployment): boolean {
  return (rs.metadata.ownerReferences ?? []).some(
    o =>
      o.kind === 'Deployment' &&
      o.name === d.metadata.name &&
      (!o.uid || !d.metadata.uid || o.uid === d.metadata.uid),
  );
}

/** The Deployment's revision history (its ReplicaSets), newest first. */
export function revisionsOf(d: Deployment, replicaSets: ReplicaSet[]): Revision[] {
  return replicaSets
    .filter(rs => ownedBy(rs, d))
    .flatMap(rs => {
      const revision = revisionNumber(rs.metadata);
      return revision === undefined ? [] : [{ revision, ...refOf(rs.spec?.template) }];
    })
    .sort((a, b) => b.revision - a.revision);
}

/** The revision a Deployment is at (its annotation, else its newest ReplicaSet). */
export function currentRevisionOf(d: Deployment, revisions: Revision[]): number | undefined {
  return revisionNumber(d.metadata) ?? revisions[0]?.revision;
}

/**
 * The Deployment that speaks for the entity when several match its kubernetes id: the one named
 * like the id, else the first by name.
 */
export function primaryDeployment(
  deployments: Deployment[],
  kubernetesId: string,
): Deployment | undefined {
  return (
    deployments.find(d => d.metadata.name === kubernetesId) ??
    [...deployments].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))[0]
  );
}

/** Replica counts summed over Deployments. */
export function replicasOf(deployments: Deployment[]) {
  return deployments.reduce(
    (sum, d) => ({
      desired: sum.desired + (d.spec?.replicas ?? 1),
      updated: sum.updated + (d.status?.updatedReplicas ?? 0),
      ready: sum.ready + (d.status?.readyReplicas ?? 0),
      available: sum.available + (d.status?.availableReplicas ?? 0),
    }),
    { desired: 0, updated: 0, ready: 0, available: 0 },
  );
}
