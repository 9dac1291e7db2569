import type { RungConfig } from '@khal/plugin-ladder-common';
import type { SettingsSource, SettingsSourceContext } from '@khal/plugin-ladder-node';
import { ClusterReader, ObjectNames, Reading, SETTING_NAMES_ANNOTATION, resolveTarget } from '../cluster/ClusterReader';
import { analyzeWiring, referencedObjects } from './wiring';

const none: Reading<ObjectNames> = { ok: true, value: new Map(), checkedAt: '' };

/**
 * Settings source `kubernetes` for rungs with a `kubernetes` block: the setting names the
 * entity's Deployments wire (env values, `secretKeyRef` / `configMapKeyRef`, `envFrom`) whose
 * referenced Secrets and ConfigMaps exist. Existence is read as metadata only
 * (`PartialObjectMetadataList`); Secret data is never requested.
 */
export class KubernetesSettingsSource implements SettingsSource {
  readonly id = 'kubernetes';

  constructor(private readonly reader: ClusterReader) {}

  supports(rung: RungConfig): boolean {
    return rung.kubernetes !== undefined;
  }

  async suppliedNames(context: SettingsSourceContext): Promise<{ names: string[] } | { unknown: string }> {
    const resolved = resolveTarget(context.entity, context.rung);
    if (!resolved.ok) return { unknown: resolved.reason };
    const { cluster, namespace, kubernetesId } = resolved.target;
    const workload = await this.reader.workload(resolved.target, { maxAgeMs: context.clusterMaxAgeMs });
    if (!workload.ok) return { unknown: workload.reason };
    const deployments = workload.value.deployments;
    if (deployments.length === 0) {
      return {
        unknown: `no Deployment labelled backstage.io/kubernetes-id=${kubernetesId} in namespace "${namespace}" of cluster "${cluster}" yet`,
      };
    }
    const refs = referencedObjects(deployments);
    const [secrets, configMaps] = await Promise.all([
      refs.some(r => r.kind === 'Secret') ? this.reader.objectNames(cluster, namespace, 'secrets') : none,
      refs.some(r => r.kind === 'ConfigMap') ? this.reader.objectNames(cluster, namespace, 'configmaps') : none,
    ]);
    if (!secrets.ok) return { unknown: secrets.reason };
    if (!configMaps.ok) return { unknown: configMaps.reason };
    const wiring = analyzeWiring(deployments, secrets.value, configMaps.value);
    if (wiring.opaque.length > 0) {
      const list = wiring.opaque.map(o => `${o.kind} "${o.name}"`).join(', ');
      return {
        unknown: `the Deployment takes settings through envFrom from ${list}, whose key names are not in its metadata: annotate it with ${SETTING_NAMES_ANNOTATION}: NAME_1,NAME_2 (Secret values are never read)`,
      };
    }
    return { names: wiring.supplied };
  }
}
