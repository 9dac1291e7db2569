import type { Entity } from '@backstage/catalog-model';
import { KUBERNETES_ID_ANNOTATION, RungConfig, missingPlaceholders, renderTemplate } from '@khal/plugin-ladder-common';

/**
 * What rung command templates are filled with for one entity and rung, as the deploy planner
 * fills them: `entity.*`, `ref`, `rung.id`, `host`, `cluster`, `kubernetesId` and the rung's
 * rendered `namespace`.
 */
export function commandValues(
  entity: Entity,
  rung: RungConfig,
  ref: string | undefined,
  kubernetesId: string | undefined = entity.metadata.annotations?.[KUBERNETES_ID_ANNOTATION],
): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {
    'entity.name': entity.metadata.name,
    'entity.namespace': entity.metadata.namespace ?? 'default',
    ref,
    'rung.id': rung.id,
    host: rung.host,
    cluster: rung.kubernetes?.cluster,
    kubernetesId,
  };
  if (rung.kubernetes && missingPlaceholders(rung.kubernetes.namespace, values).length === 0) {
    values.namespace = renderTemplate(rung.kubernetes.namespace, values);
  }
  return values;
}

/**
 * A template rendered for people: every placeholder filled, and one that cannot be (e.g. the ref
 * of a rung nothing is placed at or below) shown as `<name>` to fill in, never as `{{name}}`.
 */
export function renderForPeople(template: string, values: Record<string, string | undefined>): string {
  return renderTemplate(template, values).replace(/\{\{\s*([a-zA-Z0-9_.]+)\s*\}\}/g, (_, key: string) => `<${key}>`);
}
