import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { LadderGate } from './gates';
import type { SettingsSource } from './settingsSources';
import type { ClusterStateProvider } from './clusterState';

/** Registers gates with the ladder backend. */
export interface LadderGatesExtensionPoint {
  /** Adds gates; their ids become valid in `entryGates` and `proofChecks` of the ladder config. */
  addGate(...gates: LadderGate[]): void;
}

/** Extension point for gates (id `ladder.gates`). @public */
export const ladderGatesExtensionPoint = createExtensionPoint<LadderGatesExtensionPoint>({
  id: 'ladder.gates',
});

/** Registers settings sources with the ladder backend. */
export interface LadderSettingsSourcesExtensionPoint {
  /** Adds a source the `env-contract` gate and the deploy plan ask about supplied names. */
  addSettingsSource(source: SettingsSource): void;
}

/** Extension point for settings sources (id `ladder.settings-sources`). @public */
export const ladderSettingsSourcesExtensionPoint =
  createExtensionPoint<LadderSettingsSourcesExtensionPoint>({ id: 'ladder.settings-sources' });

/** Sets the cluster-state provider of the ladder backend. */
export interface LadderClusterStateExtensionPoint {
  /** Sets the provider; the last module to call it wins. */
  setClusterStateProvider(provider: ClusterStateProvider): void;
}

/** Extension point for the cluster-state provider (id `ladder.cluster-state`). @public */
export const ladderClusterStateExtensionPoint =
  createExtensionPoint<LadderClusterStateExtensionPoint>({ id: 'ladder.cluster-state' });
