import { createHash } from 'node:crypto';
import type { Entity } from '@backstage/catalog-model';
import {
  KUBERNETES_ID_ANNOTATION,
  KhalAppManifest,
  RungConfig,
  missingPlaceholders,
  renderTemplate,
  settingsForRung,
} from '@khal/plugin-ladder-common';
import stableStringify from 'fast-json-stable-stringify';

/**
 * The values the rung's command templates are rendered with. `namespace` stays undefined when
 * the rung's namespace pattern uses a placeholder that cannot be filled.
 */
export function commandValues(
  entity: Entity,
  rung: RungConfig,
  ref: string | undefined,
  manifest: KhalAppManifest | undefined,
): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {
    'entity.name': entity.metadata.name,
    'entity.namespace': entity.metadata.namespace ?? 'default',
    ref,
    'rung.id': rung.id,
    host: rung.host,
    cluster: rung.kubernetes?.cluster,
    kubernetesId:
      entity.metadata.annotations?.[KUBERNETES_ID_ANNOTATION] ?? manifest?.deploy?.kubernetes?.id,
  };
  if (rung.kubernetes) {
    if (missingPlaceholders(rung.kubernetes.namespace, values).length === 0) {
      values.namespace = renderTemplate(rung.kubernetes.namespace, values);
    }
  } else {
    values.namespace = manifest?.deploy?.kubernetes?.namespace;
  }
  return values;
}

/** A command template rendered, or null when the rung has none or it cannot be filled. */
export function renderedCommand(
  template: string | undefined,
  values: Record<string, string | undefined>,
): string | null {
  if (!template || missingPlaceholders(template, values).length > 0) return null;
  return renderTemplate(template, values);
}

/** What a dry-run vouches for; a change of any of these is another plan. */
export interface PlanFacts {
  entityRef: string;
  /** The rung id (never an alias: `dev-local` and `local` are the same plan). */
  target: string;
  ref: string;
  host: string | null;
  runtime: string;
  manifestDigest: string;
  settingNames: string[];
  dryRunCommand: string | null;
}

/** `sha256:<hex>` of the canonical JSON of the facts. */
export function planDigestOf(facts: PlanFacts): string {
  const canonical = stableStringify({ ...facts, settingNames: [...facts.settingNames].sort() });
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

/** The plan facts of an entity at a ref on a rung, from its valid manifest. */
export function planFactsOf(options: {
  entity: Entity;
  entityRef: string;
  rung: RungConfig;
  ref: string;
  manifest: KhalAppManifest;
  manifestDigest: string;
}): PlanFacts {
  const { entity, entityRef, rung, ref, manifest, manifestDigest } = options;
  return {
    entityRef,
    target: rung.id,
    ref,
    host: rung.host ?? null,
    runtime: rung.runtime,
    manifestDigest,
    settingNames: settingsForRung(manifest, [rung.id, ...rung.aliases]).map(s => s.name),
    dryRunCommand: renderedCommand(rung.commands.dryRun, commandValues(entity, rung, ref, manifest)),
  };
}
