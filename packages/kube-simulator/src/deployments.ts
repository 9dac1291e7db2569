/*
 * A small deployment controller: derives ReplicaSets and Pods from a
 * Deployment, scales them, and computes Deployment / ReplicaSet status the
 * way the Kubernetes deployment controller reports it. Rollouts over time
 * live in rollout.ts; this file holds the steady state and shared helpers.
 */
import { KubeObject } from './types';
import { ObjectStore, clone } from './store';
import { typeOfKind } from './resources';
import { nowTimestamp } from './objectDefaults';
import { newUid, podTemplateHash, stableStringify } from './names';
import { fromLabelSelectorObject, matchesLabels } from './selectors';
import { PodHealth, isPodReady, newPodFor, setPodHealth } from './pods';
import { recordEvent } from './events';
import {
  CRASHLOOP_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  annotation,
} from './annotations';

export const DEPLOYMENT = typeOfKind('Deployment');
export const REPLICA_SET = typeOfKind('ReplicaSet');
export const POD = typeOfKind('Pod');

/** What the controller needs from its cluster. */
export interface ControllerContext {
  store: ObjectStore;
  /** uids of objects whose fixture-provided status is kept as written. */
  pinnedStatus: Set<string>;
  /** uids of ReplicaSets whose rollout failed (their pods stay unhealthy). */
  failedReplicaSets: Set<string>;
}

/** A status condition as the controller writes it. */
export interface ConditionSpec {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/** Desired replicas of a Deployment (default 1). */
export function desiredReplicas(d: KubeObject): number {
  return typeof d.spec?.replicas === 'number' ? d.spec.replicas : 1;
}

/** Fills spec defaults the API server applies to Deployments. */
export function applyDeploymentDefaults(d: KubeObject): void {
  const spec = (d.spec = d.spec ?? {});
  spec.replicas = desiredReplicas(d);
  spec.template = spec.template ?? { metadata: {}, spec: { containers: [] } };
  spec.template.metadata = spec.template.metadata ?? {};
  if (!spec.selector)
    spec.selector = { matchLabels: { ...spec.template.metadata.labels } };
  if (!spec.template.metadata.labels)
    spec.template.metadata.labels = { ...spec.selector.matchLabels };
  spec.strategy = spec.strategy ?? {
    type: 'RollingUpdate',
    rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
  };
  spec.revisionHistoryLimit = spec.revisionHistoryLimit ?? 10;
  spec.progressDeadlineSeconds = spec.progressDeadlineSeconds ?? 600;
}

function rollingParam(
  d: KubeObject,
  field: 'maxUnavailable' | 'maxSurge',
  roundUp: boolean,
): number {
  const n = desiredReplicas(d);
  const raw = d.spec?.strategy?.rollingUpdate?.[field] ?? '25%';
  if (typeof raw === 'number') return raw;
  const pct = /^(\d+)%$/.exec(String(raw));
  if (!pct) return Number(raw) || 0;
  const exact = (n * Number(pct[1])) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * maxUnavailable and maxSurge of a Deployment as pod counts (percentages:
 * unavailable rounds down, surge rounds up; both 0 means unavailable 1),
 * as the deployment controller resolves them.
 */
export function rollingBounds(d: KubeObject): {
  maxUnavailable: number;
  maxSurge: number;
} {
  if (d.spec?.strategy?.type === 'Recreate')
    return { maxUnavailable: desiredReplicas(d), maxSurge: 0 };
  const maxSurge = rollingParam(d, 'maxSurge', true);
  let maxUnavailable = Math.min(
    rollingParam(d, 'maxUnavailable', false),
    desiredReplicas(d),
  );
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxUnavailable, maxSurge };
}

/** Revision number of a ReplicaSet (0 when unannotated). */
export function revisionOf(rs: KubeObject): number {
  return Number(annotation(rs, REVISION_ANNOTATION) ?? 0) || 0;
}

function isOwnedBy(object: KubeObject, owner: KubeObject): boolean {
  return (object.metadata.ownerReferences ?? []).some(
    r =>
      r.kind === owner.kind &&
      (r.uid ? r.uid === owner.metadata.uid : r.name === owner.metadata.name),
  );
}

function ownerRefTo(owner: KubeObject) {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Gives orphans matching an owner's selector (and name-only owner refs) the owner's uid. */
function adopt(
  store: ObjectStore,
  owner: KubeObject,
  candidates: KubeObject[],
): void {
  const selector = fromLabelSelectorObject(owner.spec?.selector);
  for (const child of candidates) {
    const refs = child.metadata.ownerReferences ?? [];
    const named = refs.find(
      r => r.kind === owner.kind && r.name === owner.metadata.name && !r.uid,
    );
    if (named) named.uid = owner.metadata.uid ?? '';
    else if (
      refs.length === 0 &&
      selector.length > 0 &&
      matchesLabels(selector, child.metadata.labels)
    ) {
      child.metadata.ownerReferences = [ownerRefTo(owner)];
    } else continue;
    store.put(owner.kind === 'Deployment' ? REPLICA_SET : POD, child);
  }
}

/** ReplicaSets controlled by a Deployment, newest revision first. */
export function ownedReplicaSets(
  store: ObjectStore,
  d: KubeObject,
): KubeObject[] {
  return store
    .list(REPLICA_SET, d.metadata.namespace)
    .filter(rs => isOwnedBy(rs, d))
    .sort((a, b) => revisionOf(b) - revisionOf(a));
}

/** Pods controlled by a ReplicaSet. */
export function podsOf(store: ObjectStore, rs: KubeObject): KubeObject[] {
  return store.list(POD, rs.metadata.namespace).filter(p => isOwnedBy(p, rs));
}

function comparableTemplate(template: KubeObject['spec']): string {
  const copy = clone(template ?? {});
  if (copy.metadata?.labels)
    delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  return stableStringify(withoutUnset(copy));
}

/**
 * A value without nulls and empty objects: Go clients send unset fields of a
 * template that way (kubectl rollout undo sends `creationTimestamp: null` and
 * `resources: {}`), and the API server treats them as unset.
 */
function withoutUnset(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUnset);
  if (!value || typeof value !== 'object') return value;
  const kept = Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => [k, withoutUnset(v)] as const)
    .filter(
      ([, v]) =>
        v !== null &&
        v !== undefined &&
        !(typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).length),
    );
  return Object.fromEntries(kept);
}

/** Deployment annotations the controller does not copy to its ReplicaSets. */
const NOT_COPIED_TO_REPLICA_SETS = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  'deployment.kubernetes.io/revision-history',
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);

/**
 * Copies the Deployment's annotations to a ReplicaSet it rolls out to, as the
 * deployment controller does; `kubectl rollout undo` puts them back on the
 * Deployment, so a rollback restores e.g. the `khal.ai/ref` of that revision.
 */
export function copyDeploymentAnnotations(d: KubeObject, rs: KubeObject): void {
  const copied = Object.entries(d.metadata.annotations ?? {}).filter(
    ([key]) => !NOT_COPIED_TO_REPLICA_SETS.has(key),
  );
  rs.metadata.annotations = {
    ...rs.metadata.annotations,
    ...Object.fromEntries(copied),
  };
}

/** The owned ReplicaSet whose pod template equals the Deployment's, if any. */
export function replicaSetForTemplate(
  store: ObjectStore,
  d: KubeObject,
): KubeObject | undefined {
  const wanted = comparableTemplate(d.spec?.template);
  return ownedReplicaSets(store, d).find(
    rs => comparableTemplate(rs.spec?.template) === wanted,
  );
}

/** Sets the revision annotation on a ReplicaSet and its Deployment. */
export function setRevision(
  d: KubeObject,
  rs: KubeObject,
  revision: number,
): void {
  rs.metadata.annotations = {
    ...rs.metadata.annotations,
    [REVISION_ANNOTATION]: String(revision),
  };
  d.metadata.annotations = {
    ...d.metadata.annotations,
    [REVISION_ANNOTATION]: String(revision),
  };
}

/** Creates a ReplicaSet for the Deployment's current template. */
export function createReplicaSet(
  ctx: ControllerContext,
  d: KubeObject,
  revision: number,
): KubeObject {
  const template = clone(d.spec.template);
  let hash = podTemplateHash(comparableTemplate(template));
  for (
    let collision = 1;
    collision < 100 &&
    ctx.store.get(
      REPLICA_SET,
      d.metadata.namespace,
      `${d.metadata.name}-${hash}`,
    );
    collision++
  ) {
    hash = podTemplateHash(`${comparableTemplate(template)}#${collision}`);
  }
  template.metadata = {
    ...template.metadata,
    labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash },
  };
  const rs: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      uid: newUid(),
      generation: 1,
      creationTimestamp: nowTimestamp(),
      labels: { ...template.metadata.labels },
      annotations: {
        [DESIRED_REPLICAS_ANNOTATION]: String(desiredReplicas(d)),
        [MAX_REPLICAS_ANNOTATION]: String(desiredReplicas(d) + 1),
        [REVISION_ANNOTATION]: String(revision),
      },
      ownerReferences: [ownerRefTo(d)],
    },
    spec: {
      replicas: 0,
      selector: {
        matchLabels: {
          ...d.spec.selector?.matchLabels,
          [POD_TEMPLATE_HASH_LABEL]: hash,
        },
      },
      template,
    },
    status: { replicas: 0, observedGeneration: 1 },
  };
  copyDeploymentAnnotations(d, rs);
  ctx.store.put(REPLICA_SET, rs);
  recordEvent(
    ctx.store,
    d,
    'ScalingReplicaSet',
    `Created new replica set "${rs.metadata.name}"`,
  );
  return rs;
}

/** The health new and existing pods of a ReplicaSet should show. */
export function podHealthFor(
  ctx: ControllerContext,
  d: KubeObject,
  rs: KubeObject,
): PodHealth {
  if (annotation(d, CRASHLOOP_ANNOTATION) === 'true') return 'crashloop';
  if (ctx.failedReplicaSets.has(rs.metadata.uid ?? '')) return 'imagepull';
  return 'ready';
}

function uniquePod(
  store: ObjectStore,
  rs: KubeObject,
  health: PodHealth,
): KubeObject {
  const base = podsOf(store, rs).length;
  for (let seed = base; seed < base + 1000; seed++) {
    const pod = newPodFor(rs, seed, health);
    if (!store.get(POD, pod.metadata.namespace, pod.metadata.name)) return pod;
  }
  throw new Error(`could not name a new pod for ${rs.metadata.name}`);
}

/** Scales a ReplicaSet: creates or deletes pods to reach `count`. */
export function scaleReplicaSet(
  ctx: ControllerContext,
  d: KubeObject,
  rs: KubeObject,
  count: number,
  health: PodHealth,
): void {
  const before = typeof rs.spec?.replicas === 'number' ? rs.spec.replicas : 0;
  rs.spec.replicas = count;
  const pods = podsOf(ctx.store, rs);
  for (let i = pods.length; i < count; i++)
    ctx.store.put(POD, uniquePod(ctx.store, rs, health));
  if (pods.length > count) {
    const victims = [...pods]
      .sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)))
      .slice(0, pods.length - count);
    for (const pod of victims) {
      ctx.store.delete(POD, pod.metadata.namespace, pod.metadata.name);
      ctx.pinnedStatus.delete(pod.metadata.uid ?? '');
    }
  }
  if (before !== count) {
    const verb = count > before ? 'up' : 'down';
    recordEvent(
      ctx.store,
      d,
      'ScalingReplicaSet',
      `Scaled ${verb} replica set ${rs.metadata.name} to ${count} from ${before}`,
    );
  }
  refreshReplicaSetStatus(ctx.store, rs);
}

/** Sets the health of a ReplicaSet's pods (pods with pinned fixture status only for crash loops). */
export function setPodsHealth(
  ctx: ControllerContext,
  rs: KubeObject,
  health: PodHealth,
): void {
  for (const pod of podsOf(ctx.store, rs)) {
    if (ctx.pinnedStatus.has(pod.metadata.uid ?? '') && health !== 'crashloop')
      continue;
    if (currentHealth(pod) === health) continue;
    setPodHealth(pod, health);
    ctx.store.put(POD, pod);
  }
  refreshReplicaSetStatus(ctx.store, rs);
}

function currentHealth(pod: KubeObject): PodHealth | undefined {
  if (isPodReady(pod)) return 'ready';
  const waiting = (pod.status?.containerStatuses ?? [])
    .map(
      (c: { state?: { waiting?: { reason?: string } } }) =>
        c.state?.waiting?.reason,
    )
    .find(Boolean);
  if (waiting === 'CrashLoopBackOff') return 'crashloop';
  if (waiting === 'ImagePullBackOff') return 'imagepull';
  if (waiting === 'ContainerCreating') return 'starting';
  return undefined;
}

/** Drops zero counters, like the API's omitempty fields. */
function omitZero<T extends Record<string, unknown>>(status: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(status))
    if (v !== 0 && v !== undefined) out[k] = v;
  return out as T;
}

/** Recomputes a ReplicaSet's status from its pods and stores it. */
export function refreshReplicaSetStatus(
  store: ObjectStore,
  rs: KubeObject,
): void {
  const pods = podsOf(store, rs);
  const ready = pods.filter(isPodReady).length;
  rs.status = omitZero({
    replicas: pods.length,
    fullyLabeledReplicas: pods.length,
    readyReplicas: ready,
    availableReplicas: ready,
    observedGeneration: rs.metadata.generation ?? 1,
  });
  if (rs.status.replicas === undefined) rs.status.replicas = 0;
  store.put(REPLICA_SET, rs);
}

/** Writes a condition, keeping lastTransitionTime when its status did not change. */
export function setCondition(d: KubeObject, condition: ConditionSpec): void {
  const now = nowTimestamp();
  const conditions: Array<ConditionSpec & { lastTransitionTime?: string }> =
    d.status?.conditions ?? [];
  const previous = conditions.find(c => c.type === condition.type);
  const next = {
    ...condition,
    lastUpdateTime: now,
    lastTransitionTime:
      previous &&
      previous.status === condition.status &&
      previous.lastTransitionTime
        ? previous.lastTransitionTime
        : now,
  };
  d.status = {
    ...d.status,
    conditions: [
      ...conditions.filter(c => c.type !== condition.type),
      next,
    ].sort((a, b) => a.type.localeCompare(b.type)),
  };
}

/** Progressing condition of a finished, healthy rollout. */
export function progressedCondition(rs: KubeObject): ConditionSpec {
  return {
    type: 'Progressing',
    status: 'True',
    reason: 'NewReplicaSetAvailable',
    message: `ReplicaSet "${rs.metadata.name}" has successfully progressed.`,
  };
}

/**
 * Recomputes a Deployment's status from its pods. `observedGeneration`
 * defaults to the current generation; `progressing` defaults to the
 * existing Progressing condition.
 */
export function computeDeploymentStatus(
  ctx: ControllerContext,
  d: KubeObject,
  opts: { observedGeneration?: number; progressing?: ConditionSpec } = {},
): void {
  const rss = ownedReplicaSets(ctx.store, d);
  const current = replicaSetForTemplate(ctx.store, d);
  const pods = rss.flatMap(rs => podsOf(ctx.store, rs));
  const updated = current ? podsOf(ctx.store, current).length : 0;
  const available = pods.filter(isPodReady).length;
  const desired = desiredReplicas(d);
  const conditions = d.status?.conditions;
  d.status = omitZero({
    observedGeneration: opts.observedGeneration ?? d.metadata.generation ?? 1,
    replicas: pods.length,
    updatedReplicas: updated,
    readyReplicas: available,
    availableReplicas: available,
    unavailableReplicas: Math.max(0, desired - available),
  });
  if (conditions) d.status.conditions = conditions;
  const minAvailable = desired - rollingBounds(d).maxUnavailable;
  setCondition(
    d,
    available >= minAvailable
      ? {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        }
      : {
          type: 'Available',
          status: 'False',
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.',
        },
  );
  const progressing =
    opts.progressing ??
    (conditions ?? []).find((c: ConditionSpec) => c.type === 'Progressing') ??
    (current ? progressedCondition(current) : undefined);
  if (progressing) {
    const { type, status, reason, message } = progressing;
    setCondition(d, { type, status, reason, message });
  }
}

/**
 * Brings a Deployment to its steady state: adopts fixture ReplicaSets and
 * Pods, ensures a ReplicaSet for the current template (with the next
 * revision), scales it to spec.replicas and older ones to 0, applies the
 * crash-loop annotation, and computes status unless the fixture pinned it.
 */
export function reconcileDeployment(
  ctx: ControllerContext,
  d: KubeObject,
  opts: { progressing?: ConditionSpec } = {},
): void {
  const ns = d.metadata.namespace;
  adopt(ctx.store, d, ctx.store.list(REPLICA_SET, ns));
  const owned = ownedReplicaSets(ctx.store, d);
  for (const rs of owned) adopt(ctx.store, rs, ctx.store.list(POD, ns));
  let current = replicaSetForTemplate(ctx.store, d);
  if (!current) {
    const declared = Number(annotation(d, REVISION_ANNOTATION) ?? 0) || 1;
    const revision =
      owned.length === 0 ? declared : Math.max(...owned.map(revisionOf)) + 1;
    current = createReplicaSet(ctx, d, revision);
  }
  setRevision(d, current, Math.max(1, revisionOf(current)));
  for (const rs of owned)
    if (rs !== current && rs.metadata.uid !== current.metadata.uid)
      scaleReplicaSet(ctx, d, rs, 0, 'ready');
  const health = podHealthFor(ctx, d, current);
  scaleReplicaSet(ctx, d, current, desiredReplicas(d), health);
  setPodsHealth(ctx, current, health);
  if (!ctx.pinnedStatus.has(d.metadata.uid ?? '')) {
    computeDeploymentStatus(ctx, d, { progressing: opts.progressing });
  }
  ctx.store.put(DEPLOYMENT, d);
}
