/*
 * Well-known annotations: the ones Kubernetes itself writes, and the
 * fixture extension annotations (prefix simulator.khal.ai/) that script the
 * simulator's behaviour for a Deployment.
 */

/** Written by the deployment controller on Deployments and ReplicaSets. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const DESIRED_REPLICAS_ANNOTATION =
  'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** Simulator extension prefix. */
export const SIMULATOR_PREFIX = 'simulator.khal.ai/';
/** `fail`: rollouts of this Deployment end with Progressing=False, ProgressDeadlineExceeded. */
export const ROLLOUT_ANNOTATION = `${SIMULATOR_PREFIX}rollout`;
/** Duration of this Deployment's rollouts in ms (string), e.g. "3000". */
export const ROLLOUT_DURATION_ANNOTATION = `${SIMULATOR_PREFIX}rollout-duration-ms`;
/** `"true"`: the Deployment's pods crash-loop (CrashLoopBackOff, restarts > 3, not ready). */
export const CRASHLOOP_ANNOTATION = `${SIMULATOR_PREFIX}crashloop`;

/** Reads an annotation of an object. */
export function annotation(
  object: { metadata: { annotations?: Record<string, string> } },
  key: string,
): string | undefined {
  return object.metadata.annotations?.[key];
}
