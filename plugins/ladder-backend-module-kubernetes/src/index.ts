/**
 * Kubernetes for the Khal Ladder: rung status from clusters, the `kubernetes-rollout` and
 * `kubernetes-reversible` gates, and the `kubernetes` settings source, all read through the
 * kubernetes backend's cluster configuration and auth.
 *
 * @packageDocumentation
 */
export { ladderModuleKubernetes as default } from './module';
export { KubernetesProxyClient, ClusterUnavailableError } from './cluster/KubernetesProxyClient';
export { ClusterReader, SETTING_NAMES_ANNOTATION, resolveTarget } from './cluster/ClusterReader';
export type { RungTarget, Reading } from './cluster/ClusterReader';
export { KubernetesClusterStateProvider } from './cluster/KubernetesClusterStateProvider';
export { createKubernetesRolloutGate } from './gates/kubernetesRolloutGate';
export { createKubernetesReversibleGate } from './gates/kubernetesReversibleGate';
export { KubernetesSettingsSource } from './settings/KubernetesSettingsSource';
