import type { LoggerService } from '@backstage/backend-plugin-api';
import { KUBERNETES_ID_ANNOTATION } from '@khal/plugin-ladder-common';
import { ClusterUnavailableError, KubernetesProxyClient } from './KubernetesProxyClient';
import type { Reading, RungTarget } from './readings';
import type { Deployment, KubeMetadata, Pod, ReplicaSet } from './objects';
import type { Workload } from './workload';

interface Snapshot {
  /** When the lists were requested (an object is at least this fresh). */
  at: number;
  byKey: Map<string, Workload>;
}

const keyOf = (namespace: string, kubernetesId: string) => `${namespace}\u0000${kubernetesId}`;
const EMPTY: Workload = { deployments: [], replicaSets: [], pods: [] };

/**
 * A recent picture of every workload object the ladder can show, per cluster, refreshed in the
 * background — the list half of an informer (the kubernetes backend's proxy has no watch). Each
 * refresh lists the Deployments, ReplicaSets and Pods labelled `backstage.io/kubernetes-id` across
 * all namespaces (three requests per cluster, whatever the number of entities), so an entity read
 * for display never waits for a cluster. Readers say how old a picture they accept; gates,
 * deploys and drift checks read the cluster itself.
 */
export class WorkloadSnapshots {
  private readonly clusters = new Map<
    string,
    { snapshot?: Snapshot; refreshing?: Promise<void>; failures: number; warned?: string }
  >();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly client: KubernetesProxyClient,
    private readonly options: { refreshMs: number; logger: LoggerService; now?: () => number },
  ) {}

  private now() {
    return this.options.now ? this.options.now() : Date.now();
  }

  /** Starts refreshing (every `refreshMs`) the given clusters and any tracked later. */
  start(clusters: Iterable<string>): void {
    for (const cluster of clusters) this.track(cluster);
    if (this.timer || this.options.refreshMs <= 0) return;
    this.timer = setInterval(() => {
      for (const cluster of this.clusters.keys()) void this.refresh(cluster);
    }, this.options.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Keeps a picture of this cluster from now on (the first one is taken at once). */
  track(cluster: string): void {
    if (this.options.refreshMs <= 0 || this.clusters.has(cluster)) return;
    this.clusters.set(cluster, { failures: 0 });
    void this.refresh(cluster);
  }

  /**
   * The entity's workload on a rung from a picture taken at most `maxAgeMs` ago, or undefined
   * when there is none that recent (the caller then reads the cluster).
   */
  get(target: RungTarget, maxAgeMs: number): Reading<Workload> | undefined {
    const snapshot = this.clusters.get(target.cluster)?.snapshot;
    if (!snapshot || this.now() - snapshot.at > maxAgeMs) return undefined;
    return {
      ok: true,
      value: snapshot.byKey.get(keyOf(target.namespace, target.kubernetesId)) ?? EMPTY,
      checkedAt: new Date(snapshot.at).toISOString(),
    };
  }

  /** Takes a new picture of one cluster (one refresh at a time per cluster). Never throws. */
  refresh(cluster: string): Promise<void> {
    const entry = this.clusters.get(cluster);
    if (!entry) return Promise.resolve();
    if (entry.refreshing) return entry.refreshing;
    const at = this.now();
    const selector = `?labelSelector=${encodeURIComponent(KUBERNETES_ID_ANNOTATION)}`;
    entry.refreshing = Promise.all([
      this.client.list<Deployment>(cluster, `/apis/apps/v1/deployments${selector}`),
      this.client.list<ReplicaSet>(cluster, `/apis/apps/v1/replicasets${selector}`),
      this.client.list<Pod>(cluster, `/api/v1/pods${selector}`),
    ])
      .then(([deployments, replicaSets, pods]) => {
        const byKey = new Map<string, Workload>();
        const slot = (metadata: KubeMetadata) => {
          const id = metadata.labels?.[KUBERNETES_ID_ANNOTATION];
          if (!id || !metadata.namespace) return undefined;
          const key = keyOf(metadata.namespace, id);
          let workload = byKey.get(key);
          if (!workload) byKey.set(key, (workload = { deployments: [], replicaSets: [], pods: [] }));
          return workload;
        };
        for (const d of deployments.items) slot(d.metadata)?.deployments.push(d);
        for (const r of replicaSets.items) slot(r.metadata)?.replicaSets.push(r);
        for (const p of pods.items) slot(p.metadata)?.pods.push(p);
        // A picture started earlier than the current one never replaces it.
        if (!entry.snapshot || entry.snapshot.at <= at) entry.snapshot = { at, byKey };
        // Background work is debug; the only info line is the end of an outage that was warned of.
        this.options.logger.debug(`workload lists of cluster "${cluster}" refreshed`);
        if (entry.warned) this.options.logger.info(`cluster "${cluster}" answers the workload lists again`);
        entry.failures = 0;
        entry.warned = undefined;
      })
      .catch(error => {
        // A sentence, never the Error itself: the logger would print its stack every refresh.
        const reason = error instanceof ClusterUnavailableError ? error.reason : messageOf(error);
        this.options.logger.debug(`workload lists of cluster "${cluster}" could not be refreshed: ${reason}`);
        // Said once per outage, however its reason changes (refused, then timing out), and not
        // for a single miss (the first refresh runs while the backend is still starting); the
        // picture ages out and readers go to the cluster.
        entry.failures++;
        if (entry.failures >= 2 && !entry.warned) {
          this.options.logger.warn(`workload lists of cluster "${cluster}" could not be refreshed: ${reason}`);
          entry.warned = reason;
        }
      })
      .finally(() => {
        entry.refreshing = undefined;
      });
    return entry.refreshing;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
