import type { GateContext, GateEvaluation, LadderGate } from '@khal/plugin-ladder-node';
import type { ClusterReader } from '../cluster/ClusterReader';
import { observeRung } from '../cluster/observeRung';

/**
 * `kubernetes-rollout`: the promoted ref is what the rung's cluster runs, and its rollout
 * completed.
 * - passed: the Deployment runs the ref, every replica is updated and available, no pod
 *   crash-loops;
 * - pending: the rollout progresses, or (while a promotion is `Verifying`) the ref is not
 *   deployed yet;
 * - failed: the rollout cannot finish (the Progressing condition's message), pods crash-loop, or
 *   (when proving) the cluster runs another ref or no Deployment;
 * - error: the cluster could not be read (its reason).
 */
export function createKubernetesRolloutGate(reader: ClusterReader): LadderGate {
  return {
    id: 'kubernetes-rollout',
    title: 'Kubernetes rollout',
    description:
      "The promoted ref is what the rung's cluster runs and its rollout completed (generation observed, replicas updated and available, no crash-looping pods).",
    async evaluate(context: GateContext): Promise<GateEvaluation> {
      const { state, rollout } = await observeRung(reader, context.entity, context.rung, {
        maxAgeMs: context.clusterMaxAgeMs,
      });
      const where = `cluster "${state.cluster}", namespace "${state.namespace}"`;
      const waiting = context.mode === 'verify';
      if (!state.reachable) {
        return {
          status: 'error',
          summary: state.reason ?? `${where} could not be read`,
          howToFix: `check that cluster "${state.cluster}" is reachable from the kubernetes backend`,
        };
      }
      if (!rollout) {
        return {
          status: waiting ? 'pending' : 'failed',
          summary: `${state.rolloutMessage ?? `no Deployment in ${where}`}`,
          howToFix: `deploy ${context.ref} to ${where} (label its Deployment backstage.io/kubernetes-id)`,
          waitingFor: `a Deployment of ${context.ref}`,
        };
      }
      if (!state.runningRef) {
        return {
          status: 'failed',
          summary: `cannot tell which ref runs in ${where}: the Deployment has no khal.ai/ref annotation and its image has no tag`,
          howToFix: 'annotate the pod template with khal.ai/ref: <ref>, or tag the image with the ref',
        };
      }
      if (state.runningRef !== context.ref) {
        return {
          status: waiting ? 'pending' : 'failed',
          summary: `${where} runs ${state.runningRef}, not ${context.ref}`,
          howToFix: `deploy ${context.ref} to ${where}`,
          waitingFor: `the deployment of ${context.ref}`,
        };
      }
      const crashing = state.crashLoopingPods ?? [];
      if (crashing.length > 0) {
        return {
          status: 'failed',
          summary: `${context.ref} runs in ${where} but pods are crash-looping: ${crashing.join(', ')}`,
          howToFix: 'read the logs of the crash-looping pods and fix the cause, then deploy again',
        };
      }
      if (rollout.state === 'failed') {
        return {
          status: 'failed',
          summary: `the rollout of ${context.ref} in ${where} cannot finish: ${rollout.message}`,
          howToFix: 'check the new pods (image pull, readiness, resources), fix and deploy again, or roll back',
        };
      }
      const r = state.replicas;
      const counts = r ? ` (${r.available}/${r.desired} available)` : '';
      if (rollout.state === 'progressing') {
        return {
          status: 'pending',
          summary: `the rollout of ${context.ref} in ${where} is in progress${counts}: ${rollout.message}`,
          waitingFor: `the rollout of ${context.ref}`,
        };
      }
      return {
        status: 'passed',
        summary: `${context.ref} runs in ${where} and its rollout completed${counts}`,
      };
    },
  };
}
