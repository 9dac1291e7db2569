import type { Entity } from '@backstage/catalog-model';
import { PromiseCache } from '@khal/plugin-ladder-node';
import {
  KUBERNETES_ID_ANNOTATION,
  missingPlaceholders,
  renderTemplate,
  type RungConfig,
} from '@khal/plugin-ladder-common';
import {
  ClusterUnavailableError,
  KubernetesProxyClient,
  METADATA_LIST_ACCEPT,
} from './KubernetesProxyClient';
import type { Deployment, KubeMetadata, Pod, ReplicaSet } from './objects';
import type { Workload } from './workload';
import type { WorkloadSnapshots } from './WorkloadSnapshots';

import type { ObjectNames, Reading, RungTarget } from './readings';

export type { ObjectNames, Reading, RungTarget } from './readings';

/** On a Secret or ConfigMap: the keys it holds, comma-separated (metadata, so no value is read). */
export const SETTING_NAMES_ANNOTATION = 'khal.ai/setting-names';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * Resolves the rung's cluster and namespace for an entity. The namespace is the rung's
 * `kubernetes.namespace` template with `entity.name`, `entity.namespace` and `kubernetesId`.
 */
export function resolveTarget(
  entity: Entity,
  rung: RungConfig,
): { ok: true; target: RungTarget } | { ok: false; reason: string; cluster: string; namespace: string } {
  const cluster = rung.kubernetes?.cluster ?? '';
  const template = rung.kubernetes?.namespace ?? '';
  if (!rung.kubernetes) {
    return { ok: false, cluster, namespace: template, reason: `rung "${rung.id}" has no kubernetes block` };
  }
  const kubernetesId = entity.metadata.annotations?.[KUBERNETES_ID_ANNOTATION]?.trim();
  if (!kubernetesId) {
    return {
      ok: false,
      cluster,
      namespace: template,
      reason: `the entity has no ${KUBERNETES_ID_ANNOTATION} annotation, so its Deployments cannot be found: add it to catalog-info.yaml`,
    };
  }
  if (kubernetesId.length > 63 || !LABEL_VALUE.test(kubernetesId)) {
    return {
      ok: false,
      cluster,
      namespace: template,
      reason: `${KUBERNETES_ID_ANNOTATION} "${kubernetesId}" is not a valid Kubernetes label value`,
    };
  }
  const values = {
    'entity.name': entity.metadata.name,
    'entity.namespace': entity.metadata.namespace ?? 'default',
    kubernetesId,
  };
  const missing = missingPlaceholders(template, values);
  const namespace = renderTemplate(template, values);
  if (missing.length > 0) {
    return {
      ok: false,
      cluster,
      namespace,
      reason: `the namespace pattern "${template}" of rung "${rung.id}" uses unknown placeholders (${missing.join(', ')}); use entity.name, entity.namespace or kubernetesId`,
    };
  }
  if (namespace.length > 63 || !DNS_LABEL.test(namespace)) {
    return {
      ok: false,
      cluster,
      namespace,
      reason: `the namespace "${namespace}" (from "${template}") is not a valid Kubernetes namespace name`,
    };
  }
  return { ok: true, target: { cluster, namespace, kubernetesId } };
}

/**
 * Reads what the ladder needs from clusters, through the kubernetes backend, with a short cache:
 * the provider and the gates ask about the same entity and rung within moments of each other,
 * and concurrent callers share one request.
 */
export class ClusterReader {
  private readonly cache: PromiseCache<string, Reading<unknown>>;

  constructor(
    private readonly client: KubernetesProxyClient,
    private readonly options: { cacheTtlMs: number; maxEntries?: number; snapshots?: WorkloadSnapshots },
  ) {
    this.cache = new PromiseCache({ ttlMs: options.cacheTtlMs, maxEntries: options.maxEntries ?? 500 });
  }

  /**
   * The Deployments, ReplicaSets and Pods labelled with the entity's kubernetes id, read in
   * parallel (three list requests, nothing else). With `maxAgeMs` the caller says how old a
   * reading it accepts: the background snapshot of the cluster when it is that recent, else the
   * cluster itself (0: always the cluster, bypassing every cache). Without it, the reading of the
   * last `cacheTtlMs` is shared (the gates' and settings source's default).
   */
  workload(target: RungTarget, options?: { maxAgeMs?: number }): Promise<Reading<Workload>> {
    const { cluster, namespace, kubernetesId } = target;
    const maxAgeMs = options?.maxAgeMs;
    if (maxAgeMs !== undefined && maxAgeMs > 0 && this.options.snapshots) {
      this.options.snapshots.track(cluster);
      const hit = this.options.snapshots.get(target, maxAgeMs);
      if (hit) return Promise.resolve(hit);
    }
    const query = `?labelSelector=${encodeURIComponent(`${KUBERNETES_ID_ANNOTATION}=${kubernetesId}`)}`;
    const ns = encodeURIComponent(namespace);
    return this.cached(`workload|${cluster}|${namespace}|${kubernetesId}`, maxAgeMs === 0, async () => {
      const [deployments, replicaSets, pods] = await Promise.all([
        this.client.list<Deployment>(cluster, `/apis/apps/v1/namespaces/${ns}/deployments${query}`),
        this.client.list<ReplicaSet>(cluster, `/apis/apps/v1/namespaces/${ns}/replicasets${query}`),
        this.client.list<Pod>(cluster, `/api/v1/namespaces/${ns}/pods${query}`),
      ]);
      return { deployments: deployments.items, replicaSets: replicaSets.items, pods: pods.items };
    });
  }

  /**
   * Names of the Secrets or ConfigMaps of a namespace, read as metadata only
   * (`PartialObjectMetadataList`): no `data` is requested. Only the name and the
   * {@link SETTING_NAMES_ANNOTATION} are kept; every other field of the answer is dropped.
   */
  objectNames(
    cluster: string,
    namespace: string,
    plural: 'secrets' | 'configmaps',
  ): Promise<Reading<ObjectNames>> {
    return this.cached(`${plural}|${cluster}|${namespace}`, false, async () => {
      const list = await this.client.list<{ kind?: string; metadata: KubeMetadata }>(
        cluster,
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/${plural}`,
        { accept: METADATA_LIST_ACCEPT },
      );
      if ((list as { kind?: string }).kind !== 'PartialObjectMetadataList') {
        // The answer was not metadata-only: drop it unread rather than keep any data.
        throw new ClusterUnavailableError(
          `cluster "${cluster}" did not answer the ${plural} list with metadata only, so their existence is not checked`,
        );
      }
      const names: ObjectNames = new Map();
      for (const item of list.items) {
        const annotated = item.metadata.annotations?.[SETTING_NAMES_ANNOTATION];
        names.set(item.metadata.name, {
          settingNames: annotated
            ?.split(',')
            .map(s => s.trim())
            .filter(Boolean),
        });
      }
      return names;
    });
  }

  private cached<T>(key: string, live: boolean, read: () => Promise<T>): Promise<Reading<T>> {
    // A failed read is a reading too (ok: false), kept as long as a good one.
    return this.cache.get(key, () => this.read(read), { fresh: live }) as Promise<Reading<T>>;
  }

  private read<T>(read: () => Promise<T>): Promise<Reading<T>> {
    return read().then(
      v => ({ ok: true as const, value: v, checkedAt: new Date().toISOString() }),
      e => ({
        ok: false as const,
        reason: e instanceof ClusterUnavailableError ? e.reason : `reading the cluster failed: ${String(e)}`,
        checkedAt: new Date().toISOString(),
      }),
    );
  }
}
