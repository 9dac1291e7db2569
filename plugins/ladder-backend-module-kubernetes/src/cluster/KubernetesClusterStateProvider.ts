import type { ClusterStateProvider } from '@khal/plugin-ladder-node';
import type { ClusterReader } from './ClusterReader';
import { observeRung } from './observeRung';

/**
 * The ladder's cluster-state provider: the entity's Deployments on a rung's cluster, read through
 * the kubernetes backend. An unreachable cluster gives `reachable: false` and a reason.
 */
export class KubernetesClusterStateProvider implements ClusterStateProvider {
  constructor(private readonly reader: ClusterReader) {}

  async getState(options: Parameters<ClusterStateProvider['getState']>[0]) {
    return (await observeRung(this.reader, options.entity, options.rung, { maxAgeMs: options.maxAgeMs })).state;
  }
}
