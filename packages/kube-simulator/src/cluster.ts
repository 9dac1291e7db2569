/*
 * The state of one simulated cluster and its write semantics: create,
 * replace and delete the way the API server and controllers react to them
 * (defaults, generation bumps, rollouts on template changes, cascading
 * deletes, namespaces auto-created for fixtures).
 */
import { KubeObject, ObjectRef } from './types';
import { ObjectStore, clone } from './store';
import { ResourceType, findByKind, typeOfKind } from './resources';
import { applyCreateDefaults, encodeStringData } from './objectDefaults';
import { podSuffix, stableStringify } from './names';
import { ApiError, badRequest, notFound } from './status';
import {
  ControllerContext,
  DEPLOYMENT,
  POD,
  REPLICA_SET,
  applyDeploymentDefaults,
  ownedReplicaSets,
  podsOf,
  reconcileDeployment,
  replicaSetForTemplate,
} from './deployments';
import { RolloutEngine, RolloutTiming } from './rollout';
import { CRASHLOOP_ANNOTATION, annotation } from './annotations';

const NAMESPACE = typeOfKind('Namespace');
const BUILTIN_NAMESPACES = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
];

/** Options of a write. */
interface WriteOptions {
  /** Keep the `status` given (fixtures, test handles); the API ignores it. */
  keepStatus?: boolean;
}

export class ClusterModel {
  readonly store = new ObjectStore();
  readonly ctx: ControllerContext;
  readonly rollouts: RolloutEngine;

  constructor(timing: RolloutTiming) {
    this.ctx = {
      store: this.store,
      pinnedStatus: new Set(),
      failedReplicaSets: new Set(),
    };
    this.rollouts = new RolloutEngine(this.ctx, timing);
    for (const name of BUILTIN_NAMESPACES) this.ensureNamespace(name);
  }

  /** Resolves the stored type of an object or reference. */
  typeFor(ref: { kind: string; apiVersion?: string }): ResourceType {
    const type = findByKind(ref.apiVersion, ref.kind);
    if (!type)
      throw badRequest(
        `kube-simulator does not serve ${ref.apiVersion ?? ''} ${
          ref.kind
        }`.trim(),
      );
    return type;
  }

  private ensureNamespace(name: string): void {
    if (this.store.get(NAMESPACE, undefined, name)) return;
    this.store.put(
      NAMESPACE,
      applyCreateDefaults(NAMESPACE, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name },
      }),
    );
  }

  /** A copy of a stored object. */
  get(ref: ObjectRef): KubeObject | undefined {
    const found = this.store.get(
      this.typeFor(ref),
      ref.namespace ?? 'default',
      ref.name,
    );
    return found && clone(found);
  }

  /**
   * Loads fixture objects: namespaces are created as needed, fixture status
   * is kept (and pinned for Deployments and Pods), and every Deployment is
   * then reconciled (ReplicaSets and Pods derived where missing).
   */
  load(objects: KubeObject[]): KubeObject[] {
    const loaded: KubeObject[] = [];
    for (const raw of objects.flatMap(o =>
      o.kind?.endsWith('List') && Array.isArray(o.items) ? o.items : [o],
    )) {
      const type = this.typeFor(raw);
      const object = clone(raw) as KubeObject;
      if (!object.metadata?.name)
        throw badRequest(`fixture ${object.kind} without metadata.name`);
      if (type.namespaced)
        this.ensureNamespace(object.metadata.namespace || 'default');
      const pin =
        object.status !== undefined &&
        (type.kind === 'Deployment' || type.kind === 'Pod');
      const existing = this.store.get(
        type,
        object.metadata.namespace || 'default',
        object.metadata.name,
      );
      if (existing)
        this.store.delete(
          type,
          existing.metadata.namespace,
          existing.metadata.name,
        );
      const stored = this.writeNew(type, object, { keepStatus: true }, false);
      if (pin) this.ctx.pinnedStatus.add(stored.metadata.uid ?? '');
      loaded.push(stored);
    }
    for (const d of this.store.list(DEPLOYMENT)) {
      if (
        !this.rollouts.isRolling(
          d.metadata.namespace ?? 'default',
          d.metadata.name,
        )
      )
        reconcileDeployment(this.ctx, d);
    }
    return loaded.map(o => clone(o));
  }

  private writeNew(
    type: ResourceType,
    object: KubeObject,
    opts: WriteOptions,
    reconcile: boolean,
  ): KubeObject {
    if (!object.metadata) object.metadata = { name: '' };
    if (
      !object.metadata.name &&
      typeof object.metadata.generateName === 'string'
    ) {
      object.metadata.name = `${object.metadata.generateName}${podSuffix(
        `${Date.now()}-${Math.random()}`,
      )}`;
    }
    if (!object.metadata.name)
      throw new ApiError(
        422,
        'Invalid',
        `${type.kind} "" is invalid: metadata.name: Required value: name or generateName is required`,
      );
    delete object.metadata.resourceVersion;
    if (!opts.keepStatus) delete object.status;
    applyCreateDefaults(type, object);
    if (type.kind === 'Deployment') applyDeploymentDefaults(object);
    this.store.put(type, object);
    if (type.kind === 'Deployment' && reconcile)
      reconcileDeployment(this.ctx, object);
    return object;
  }

  /** POST: creates an object; 409 when it exists, 404 when its namespace does not. */
  create(
    type: ResourceType,
    object: KubeObject,
    opts: WriteOptions = {},
  ): KubeObject {
    const ns = type.namespaced
      ? object.metadata?.namespace || 'default'
      : undefined;
    if (ns && !this.store.get(NAMESPACE, undefined, ns)) {
      throw new ApiError(404, 'NotFound', `namespaces "${ns}" not found`, {
        name: ns,
        kind: 'namespaces',
      });
    }
    if (
      object.metadata?.name &&
      this.store.get(type, ns, object.metadata.name)
    ) {
      const resource = type.group
        ? `${type.plural}.${type.group}`
        : type.plural;
      throw new ApiError(
        409,
        'AlreadyExists',
        `${resource} "${object.metadata.name}" already exists`,
        {
          name: object.metadata.name,
          group: type.group || undefined,
          kind: type.plural,
        },
      );
    }
    const stored = this.writeNew(type, clone(object), opts, true);
    if (
      opts.keepStatus &&
      object.status !== undefined &&
      (type.kind === 'Deployment' || type.kind === 'Pod')
    ) {
      this.ctx.pinnedStatus.add(stored.metadata.uid ?? '');
    }
    return clone(stored);
  }

  /**
   * PUT: replaces an object. Identity metadata is kept, status is kept
   * (unless `subresource` is "status"), generation is bumped on spec
   * changes, and a Deployment whose pod template changed starts a rollout.
   */
  replace(
    type: ResourceType,
    ns: string | undefined,
    name: string,
    incoming: KubeObject,
    subresource?: string,
  ): KubeObject {
    const existing = this.store.get(type, ns, name);
    if (!existing) throw notFound(type.plural, type.group, name);
    const next = clone(incoming);
    if (next.metadata?.name && next.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const rv = next.metadata?.resourceVersion;
    if (rv && rv !== existing.metadata.resourceVersion) {
      throw new ApiError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${type.plural}${
          type.group ? `.${type.group}` : ''
        } "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, group: type.group || undefined, kind: type.plural },
      );
    }
    next.apiVersion = existing.apiVersion;
    next.kind = existing.kind;
    next.metadata = {
      ...next.metadata,
      name,
      namespace: existing.metadata.namespace,
      uid: existing.metadata.uid,
      creationTimestamp: existing.metadata.creationTimestamp,
      generation: existing.metadata.generation,
    };
    if (!next.metadata.namespace) delete next.metadata.namespace;
    if (subresource === 'status') {
      const updated = { ...clone(existing), status: next.status };
      this.ctx.pinnedStatus.add(existing.metadata.uid ?? '');
      return clone(this.store.put(type, updated));
    }
    next.status = existing.status;
    if (type.kind === 'Secret') encodeStringData(next);
    if (type.kind === 'Deployment')
      return clone(this.replaceDeployment(existing, next));
    if (
      existing.metadata.generation &&
      stableStringify(existing.spec) !== stableStringify(next.spec)
    ) {
      next.metadata.generation = existing.metadata.generation + 1;
    }
    return clone(this.store.put(type, next));
  }

  private replaceDeployment(
    existing: KubeObject,
    next: KubeObject,
  ): KubeObject {
    applyDeploymentDefaults(next);
    const specChanged =
      stableStringify(existing.spec) !== stableStringify(next.spec);
    const templateChanged =
      stableStringify(existing.spec?.template) !==
      stableStringify(next.spec?.template);
    if (specChanged)
      next.metadata.generation = (existing.metadata.generation ?? 1) + 1;
    const ns = next.metadata.namespace ?? 'default';
    const rolling = this.rollouts.isRolling(ns, next.metadata.name);
    this.store.put(DEPLOYMENT, next);
    if (templateChanged) {
      this.rollouts.start(next);
    } else if (rolling) {
      // Scale changes during a rollout are picked up by its next step.
    } else if (
      specChanged ||
      annotation(existing, CRASHLOOP_ANNOTATION) !==
        annotation(next, CRASHLOOP_ANNOTATION)
    ) {
      reconcileDeployment(this.ctx, next);
    }
    return this.store.get(DEPLOYMENT, ns, next.metadata.name) ?? next;
  }

  /** Pins an object's status to the value given (tests). */
  setStatus(ref: ObjectRef, status: unknown): KubeObject {
    const type = this.typeFor(ref);
    const existing = this.store.get(type, ref.namespace ?? 'default', ref.name);
    if (!existing) throw notFound(type.plural, type.group, ref.name);
    existing.status = clone(status);
    this.ctx.pinnedStatus.add(existing.metadata.uid ?? '');
    return clone(this.store.put(type, existing));
  }

  /** DELETE: removes an object, cascading like background garbage collection. */
  remove(type: ResourceType, ns: string | undefined, name: string): KubeObject {
    const existing = this.store.get(type, ns, name);
    if (!existing) throw notFound(type.plural, type.group, name);
    if (type.kind === 'Namespace') {
      if (BUILTIN_NAMESPACES.includes(name)) {
        throw new ApiError(
          403,
          'Forbidden',
          `namespaces "${name}" is forbidden: this namespace may not be deleted`,
        );
      }
      for (const d of this.store.list(DEPLOYMENT, name))
        this.rollouts.cancel(name, d.metadata.name);
      this.store.deleteNamespaceContents(name);
    }
    if (type.kind === 'Deployment') {
      this.rollouts.cancel(ns ?? 'default', name);
      for (const rs of ownedReplicaSets(this.store, existing))
        this.removeReplicaSet(rs);
    }
    if (type.kind === 'ReplicaSet') this.removeReplicaSet(existing);
    this.store.delete(type, ns, name);
    this.ctx.pinnedStatus.delete(existing.metadata.uid ?? '');
    if (type.kind === 'Pod') this.replacePod(existing);
    return clone(existing);
  }

  private removeReplicaSet(rs: KubeObject): void {
    for (const pod of podsOf(this.store, rs))
      this.store.delete(POD, pod.metadata.namespace, pod.metadata.name);
    this.store.delete(REPLICA_SET, rs.metadata.namespace, rs.metadata.name);
  }

  /** A deleted pod of a steady Deployment's current ReplicaSet is replaced, like the RS controller does. */
  private replacePod(pod: KubeObject): void {
    const owner = pod.metadata.ownerReferences?.find(
      r => r.kind === 'ReplicaSet',
    );
    const rs =
      owner && this.store.get(REPLICA_SET, pod.metadata.namespace, owner.name);
    const dRef = rs?.metadata.ownerReferences?.find(
      r => r.kind === 'Deployment',
    );
    const d =
      dRef && this.store.get(DEPLOYMENT, pod.metadata.namespace, dRef.name);
    if (
      !d ||
      this.rollouts.isRolling(
        d.metadata.namespace ?? 'default',
        d.metadata.name,
      )
    )
      return;
    if (replicaSetForTemplate(this.store, d)?.metadata.uid === rs?.metadata.uid)
      reconcileDeployment(this.ctx, d);
  }
}
