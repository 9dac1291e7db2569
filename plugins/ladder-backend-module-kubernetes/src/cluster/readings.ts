/*
 * The shapes of what the cluster readers answer, in a module of their own so that the reader and
 * the background snapshots can both use them without importing each other.
 */

/** Where an entity lives on a rung: a cluster of the kubernetes config, a namespace, an id. */
export interface RungTarget {
  cluster: string;
  namespace: string;
  kubernetesId: string;
}

/** The outcome of a read: the value, or why the cluster could not tell. */
export type Reading<T> =
  | { ok: true; value: T; checkedAt: string }
  | { ok: false; reason: string; checkedAt: string };

/** Names (and the setting-names annotation) of the Secrets or ConfigMaps of a namespace. */
export type ObjectNames = Map<string, { settingNames?: string[] }>;
