import { KUBERNETES_ID_ANNOTATION, renderTemplate } from '@khal/plugin-ladder-common';
import type { GateContext, GateEvaluation, LadderGate } from '@khal/plugin-ladder-node';
import type { ClusterReader } from '../cluster/ClusterReader';
import { observeRung } from '../cluster/observeRung';

/**
 * `kubernetes-reversible`: the cluster itself can go back. The Deployment keeps an earlier
 * revision (a ReplicaSet with a lower `deployment.kubernetes.io/revision`) whose pod template
 * runs something else than the current one (another image or ref): that is what
 * `kubectl rollout undo` returns to.
 * - passed: such a revision exists (named, with the command that returns to it);
 * - pending: while verifying, the promoted ref is not rolled out yet;
 * - failed: no Deployment, no earlier revision, or only earlier revisions that run the same
 *   thing. A rollback command template alone is not a way back: it needs a revision behind it;
 * - error: the cluster could not be read.
 */
export function createKubernetesReversibleGate(reader: ClusterReader): LadderGate {
  return {
    id: 'kubernetes-reversible',
    title: 'Kubernetes reversible',
    description:
      'The Deployment keeps an earlier revision, running another image or ref, that the cluster can roll back to.',
    async evaluate(context: GateContext): Promise<GateEvaluation> {
      const { state, revisions, currentRevision } = await observeRung(
        reader,
        context.entity,
        context.rung,
        { maxAgeMs: context.clusterMaxAgeMs },
      );
      const where = `cluster "${state.cluster}", namespace "${state.namespace}"`;
      if (!state.reachable) {
        return {
          status: 'error',
          summary: state.reason ?? `${where} could not be read`,
          howToFix: `check that cluster "${state.cluster}" is reachable from the kubernetes backend`,
        };
      }
      // While a promotion is verified its ref may not be rolled out yet: the revision it creates
      // makes the one running now the way back, so wait for it instead of judging the old one.
      if (context.mode === 'verify' && state.runningRef !== context.ref) {
        return {
          status: 'pending',
          summary: `${where} does not run ${context.ref} yet; reversibility is judged once it does`,
          waitingFor: `the rollout of ${context.ref}`,
        };
      }
      const keepHistory = `keep revision history (spec.revisionHistoryLimit > 0) and deploy a proven ref before this one`;
      if (state.rollout === 'absent' || currentRevision === undefined) {
        return {
          status: 'failed',
          summary: state.rolloutMessage ?? `no Deployment with a revision in ${where}: nothing to roll back`,
          howToFix: `deploy ${context.ref} to ${where} first; then ${keepHistory}`,
          waitingFor: 'a revision to roll back to',
        };
      }
      const earlier = revisions.filter(r => r.revision < currentRevision);
      const wayBack = earlier.find(r => r.image !== state.image || r.ref !== state.runningRef);
      if (wayBack) {
        const what = [wayBack.ref, wayBack.image].filter(Boolean).join(', ');
        return {
          status: 'passed',
          summary: `revision ${wayBack.revision}${what ? ` (${what})` : ''} exists in ${where} to roll back to (kubectl -n ${state.namespace} rollout undo deployment --to-revision=${wayBack.revision})`,
        };
      }
      const rollback = context.rung.commands.rollback;
      // Shown to people: the command as it would run for this entity, never its template.
      const command = rollback
        ? renderTemplate(rollback, {
            'entity.name': context.entity.metadata.name,
            'entity.namespace': context.entity.metadata.namespace ?? 'default',
            ref: context.ref,
            'rung.id': context.rung.id,
            host: context.rung.host,
            cluster: state.cluster,
            namespace: state.namespace,
            kubernetesId: context.entity.metadata.annotations?.[KUBERNETES_ID_ANNOTATION],
          })
        : undefined;
      const template = command ? ` The rollback command "${command}" has nothing to return to.` : '';
      return {
        status: 'failed',
        summary: earlier.length
          ? `the earlier revision(s) ${earlier.map(r => r.revision).join(', ')} in ${where} run the same image as revision ${currentRevision}: rolling back changes nothing.${template}`
          : `revision ${currentRevision} is the only revision in ${where}: there is nothing to roll back to.${template}`,
        howToFix: keepHistory,
        waitingFor: 'a revision to roll back to',
      };
    },
  };
}
