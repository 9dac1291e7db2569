import { KUBERNETES_ID_ANNOTATION, renderTemplate } from '@khal/plugin-ladder-common';
import type { GateContext, GateEvaluation, LadderGate } from '@khal/plugin-ladder-node';
import type { ClusterReader } from '../cluster/ClusterReader';
import { observeRung } from '../cluster/observeRung';

/**
 * `kubernetes-reversible`: the rung can go back.
 * - passed: an earlier revision (a ReplicaSet with a lower `deployment.kubernetes.io/revision`)
 *   exists to roll back to, or the rung configures `commands.rollback`;
 * - failed: neither;
 * - error: the cluster could not be read and the rung configures no rollback command.
 */
export function createKubernetesReversibleGate(reader: ClusterReader): LadderGate {
  return {
    id: 'kubernetes-reversible',
    title: 'Kubernetes reversible',
    description:
      "An earlier revision of the Deployment exists to roll back to, or the rung configures a rollback command.",
    async evaluate(context: GateContext): Promise<GateEvaluation> {
      const { state, revisions, currentRevision } = await observeRung(
        reader,
        context.entity,
        context.rung,
        { maxAgeMs: context.clusterMaxAgeMs },
      );
      const where = `cluster "${state.cluster}", namespace "${state.namespace}"`;
      const earlier = revisions.find(
        r => currentRevision !== undefined && r.revision < currentRevision,
      );
      if (earlier) {
        return {
          status: 'passed',
          summary: `revision ${earlier.revision}${earlier.ref ? ` (${earlier.ref})` : ''} exists in ${where} to roll back to`,
        };
      }
      const rollback = context.rung.commands.rollback;
      if (rollback) {
        // Shown to people: the command as it would run for this entity, not its template.
        const command = renderTemplate(rollback, {
          'entity.name': context.entity.metadata.name,
          'entity.namespace': context.entity.metadata.namespace ?? 'default',
          ref: context.ref,
          'rung.id': context.rung.id,
          host: context.rung.host,
          cluster: state.cluster,
          namespace: state.namespace,
          kubernetesId: context.entity.metadata.annotations?.[KUBERNETES_ID_ANNOTATION],
        });
        return {
          status: 'passed',
          summary: `rung "${context.rung.id}" configures a rollback command: ${command}`,
        };
      }
      if (!state.reachable) {
        return {
          status: 'error',
          summary: state.reason ?? `${where} could not be read`,
          howToFix: `check that cluster "${state.cluster}" is reachable from the kubernetes backend, or configure commands.rollback on rung "${context.rung.id}"`,
        };
      }
      return {
        status: 'failed',
        summary: `no earlier revision exists in ${where} to roll back to, and rung "${context.rung.id}" configures no rollback command`,
        howToFix: `configure commands.rollback on rung "${context.rung.id}", or keep revision history (spec.revisionHistoryLimit > 0) and deploy a proven ref first`,
      };
    },
  };
}
