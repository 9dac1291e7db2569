import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import {
  ladderClusterStateExtensionPoint,
  ladderGatesExtensionPoint,
  ladderSettingsSourcesExtensionPoint,
} from '@khal/plugin-ladder-node';
import { KubernetesProxyClient } from './cluster/KubernetesProxyClient';
import { ClusterReader } from './cluster/ClusterReader';
import { WorkloadSnapshots } from './cluster/WorkloadSnapshots';
import { KubernetesClusterStateProvider } from './cluster/KubernetesClusterStateProvider';
import { createKubernetesRolloutGate } from './gates/kubernetesRolloutGate';
import { createKubernetesReversibleGate } from './gates/kubernetesReversibleGate';
import { KubernetesSettingsSource } from './settings/KubernetesSettingsSource';

// Defaults of `ladderKubernetes.*` (see config.d.ts). The request timeout stays below the ladder
// backend's own 5 s wait for cluster state, so that the module's more precise reason wins.
export const DEFAULT_REQUEST_TIMEOUT_MS = 4000;
export const DEFAULT_CACHE_TTL_MS = 5000;
export const DEFAULT_SNAPSHOT_REFRESH_MS = 2000;

/** The clusters the configured ladders' Kubernetes rungs name (`ladder.ladders[].rungs[].kubernetes.cluster`). */
export function configuredClusters(config: { getOptional(key: string): unknown }): string[] {
  const ladders = config.getOptional('ladder.ladders');
  if (!Array.isArray(ladders)) return [];
  const names = new Set<string>();
  for (const ladder of ladders) {
    for (const rung of Array.isArray(ladder?.rungs) ? ladder.rungs : []) {
      if (typeof rung?.kubernetes?.cluster === 'string') names.add(rung.kubernetes.cluster);
    }
  }
  return [...names];
}

/**
 * Kubernetes for the Khal Ladder: rung status from clusters, the `kubernetes-rollout` and
 * `kubernetes-reversible` gates, and the `kubernetes` settings source. Reads clusters through the
 * kubernetes backend (`@backstage/plugin-kubernetes-backend`), which must be installed.
 */
export const ladderModuleKubernetes = createBackendModule({
  pluginId: 'ladder',
  moduleId: 'kubernetes',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        logger: coreServices.logger,
        lifecycle: coreServices.lifecycle,
        gates: ladderGatesExtensionPoint,
        settingsSources: ladderSettingsSourcesExtensionPoint,
        clusterState: ladderClusterStateExtensionPoint,
      },
      // Modules initialize before their plugin, so the ladder backend sees these registrations.
      async init({ config, discovery, auth, logger, lifecycle, gates, settingsSources, clusterState }) {
        const client = new KubernetesProxyClient({
          discovery,
          auth,
          timeoutMs:
            config.getOptionalNumber('ladderKubernetes.requestTimeoutMs') ?? DEFAULT_REQUEST_TIMEOUT_MS,
        });
        const snapshots = new WorkloadSnapshots(client, {
          refreshMs:
            config.getOptionalNumber('ladderKubernetes.snapshotRefreshMs') ?? DEFAULT_SNAPSHOT_REFRESH_MS,
          logger,
        });
        // The kubernetes backend answers once the backend has started, not while modules initialize.
        lifecycle.addStartupHook(() => snapshots.start(configuredClusters(config)));
        lifecycle.addShutdownHook(() => snapshots.stop());
        const reader = new ClusterReader(client, {
          cacheTtlMs: config.getOptionalNumber('ladderKubernetes.cacheTtlMs') ?? DEFAULT_CACHE_TTL_MS,
          snapshots,
        });
        gates.addGate(createKubernetesRolloutGate(reader), createKubernetesReversibleGate(reader));
        settingsSources.addSettingsSource(new KubernetesSettingsSource(reader));
        clusterState.setClusterStateProvider(new KubernetesClusterStateProvider(reader));
      },
    });
  },
});
