/**
 * kube-simulator: a local stand-in for Kubernetes API servers, for demos and
 * tests. Not Kubernetes: it serves the subset of the real API paths and JSON
 * shapes that the stock Backstage kubernetes backend and the Khal Ladder
 * gates read.
 *
 * @packageDocumentation
 */
export { startSimulator } from './simulator';
export { ensureTlsMaterial, caFileIn } from './tls';
export type { TlsMaterial } from './tls';
export { kubeconfigFor, writeKubeconfig } from './kubeconfig';
export type { KubeconfigCluster } from './kubeconfig';
export type {
  SimulatorOptions,
  RunningSimulator,
  ClusterHandle,
} from './simulator';
export { secretDataRequests } from './requestLog';
export { parseObjects, loadFixtureFiles, loadConfig } from './fixtures';
export type { SimulatorConfig } from './fixtures';
export type { RolloutInfo } from './rollout';
export { ROLLOUT_STEPS, DEFAULT_ROLLOUT_DURATION_MS } from './rollout';
export {
  ROLLOUT_ANNOTATION,
  ROLLOUT_DURATION_ANNOTATION,
  CRASHLOOP_ANNOTATION,
  REVISION_ANNOTATION,
} from './annotations';
export { parseLabelSelector, matchesLabels } from './selectors';
export type {
  ClusterSpec,
  KubeObject,
  ObjectMeta,
  ObjectRef,
  OwnerReference,
  RequestLogEntry,
  UnreachableMode,
} from './types';
