import { KUBERNETES_ID_ANNOTATION, renderTemplate } from '@khal/plugin-ladder-common';
import type { GateContext, GateEvaluation, LadderGate } from '@khal/plugin-ladder-node';
import type { ClusterReader } from '../cluster/ClusterReader';
import { observeRung } from '../cluster/observeRung';

/**
 * `kubernetes-reversible`: the cluster itself can go back. The Deployment keeps an earlier
 * revision (a ReplicaSet with a lower `deployment.kubernetes.io/revision`) whose pod template
 * runs something else than the current one (another image or ref): that is what
 * `kubectl rollout undo` returns to.
 * - passed: such a revision exists (named, with the command that returns to it); or this is the
 *   ladder's first release of the app on the rung — the Deployment is at revision 1 with no earlier
 *   revision, running the ref the ladder is placing (verify) or placed there by a promotion (proof).
 *   Then the summary says "first release: no previous revision", never that a way back exists;
 * - failed: no Deployment, no earlier revision (outside a first release), or only earlier
 *   revisions that run the same thing. A rollback command template alone is not a way back: it
 *   needs a revision behind it;
 * - pending: while verifying, the promoted ref is not rolled out yet;
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
      if (earlier.length === 0 && currentRevision === 1 && state.runningRef === context.ref && firstRelease(context)) {
        return {
          status: 'passed',
          summary: `first release: no previous revision. ${context.ref} is the first release of ${context.entity.metadata.name} on ${context.rung.title} (revision 1, the Deployment's only revision in ${where}); there is nothing to roll back to, and undoing it means removing it (kubectl -n ${state.namespace} delete deployment -l ${KUBERNETES_ID_ANNOTATION}=${kubernetesIdOf(context)})`,
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

function kubernetesIdOf(context: GateContext): string {
  return context.entity.metadata.annotations?.[KUBERNETES_ID_ANNOTATION] ?? context.entity.metadata.name;
}

/**
 * Whether the ladder is making (verify) or made (proof) its first release of the ref on the rung:
 * nothing else was placed there, and the ref comes through a promotion of the ladder, not by hand.
 */
function firstRelease(context: GateContext): boolean {
  const onRung = context.placements.filter(p => p.rungId === context.rung.id);
  if (onRung.some(p => p.ref !== context.ref)) return false;
  if (context.mode === 'verify') {
    return context.promotion?.toRung === context.rung.id && context.promotion.ref === context.ref && onRung.length === 0;
  }
  return onRung.some(p => p.ref === context.ref && p.via === 'promotion');
}
