/*
 * Shared types of the kube-simulator. The simulator is NOT Kubernetes: these
 * types describe just enough of the Kubernetes object model to serve the
 * subset of the API that the Backstage kubernetes backend and the Khal Ladder
 * gates read.
 */

/** A JSON value as found in Kubernetes objects. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** Owner reference as used by ReplicaSets and Pods. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** The `metadata` of a Kubernetes object. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  [key: string]: unknown;
}

/** Any Kubernetes object held by the simulator. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: any;
  status?: any;
  data?: Record<string, string>;
  [key: string]: any;
}

/** How a cluster stops answering when made unreachable. */
export type UnreachableMode =
  /** Accept connections and requests, never answer (client times out). */
  | 'hang'
  /** Accept the TCP connection, then destroy it (ECONNRESET / "socket hang up"). */
  | 'reset'
  /** Stop listening: new connections get ECONNREFUSED. */
  | 'refuse';

/** One simulated cluster. */
export interface ClusterSpec {
  /** Cluster name, as used in the Backstage `kubernetes` config. */
  name: string;
  /** TCP port; 0 picks a free ephemeral port. Default 0. */
  port?: number;
  /** Bearer token that every API request must present. */
  token: string;
  /** Added latency for every answered request, in milliseconds. Default 0. */
  latencyMs?: number;
  /** Objects to load (already parsed). */
  objects?: KubeObject[];
  /** Multi-document YAML fixture files to load (absolute paths). */
  fixtureFiles?: string[];
  /** Duration of a simulated rollout, in ms. Default 2000. Overridable per Deployment by annotation. */
  rolloutDurationMs?: number;
  /** Interval between rollout steps in ms; overrides rolloutDurationMs / 4 when set. */
  tickMs?: number;
  /** When true, rollouts only move when the test calls advance() / completeRollouts(). */
  manualRollouts?: boolean;
}

/** One entry of the request log (every request the simulator saw). */
export interface RequestLogEntry {
  cluster: string;
  method: string;
  path: string;
  query: Record<string, string>;
  accept: string;
  /** ISO timestamp of arrival. */
  time: string;
  /** HTTP status sent, or null when the request was never answered (unreachable). */
  status: number | null;
  /** Whether the answer carried Secret `data` (a full Secret or Secret list was returned). */
  returnedSecretData: boolean;
}

/** Reference to one object held by a cluster. */
export interface ObjectRef {
  /** Kind, e.g. "Deployment". */
  kind: string;
  /** Optional apiVersion to disambiguate kinds; e.g. "apps/v1". */
  apiVersion?: string;
  namespace?: string;
  name: string;
}
