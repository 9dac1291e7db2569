import type { Entity } from '@backstage/catalog-model';
import type { LadderDefinition, RungConfig } from '@khal/plugin-ladder-common';

/** What a settings source is asked about. */
export interface SettingsSourceContext {
  entity: Entity;
  entityRef: string;
  ladder: LadderDefinition;
  rung: RungConfig;
  ref: string;
  signal?: AbortSignal;
  /** How old a cluster observation the caller accepts (ms); see `GateContext.clusterMaxAgeMs`. */
  clusterMaxAgeMs?: number;
}

/**
 * Tells which setting names are supplied for a target, never their values. The built-in source
 * `attested` reports the names the CLI attested (evidence kind `env-contract`); a Kubernetes
 * module reports the Deployment's env and the keys of referenced Secrets and ConfigMaps.
 */
export interface SettingsSource {
  /** Stable id, shown in gate summaries, e.g. "attested" or "kubernetes". */
  readonly id: string;
  /** Whether this source can speak about the rung (e.g. only rungs with a `kubernetes` block). */
  supports(rung: RungConfig): boolean;
  /**
   * The names supplied for the target, or `{ unknown }` with the reason when it cannot tell
   * (e.g. the cluster is unreachable, nothing was attested yet).
   */
  suppliedNames(context: SettingsSourceContext): Promise<{ names: string[] } | { unknown: string }>;
}
