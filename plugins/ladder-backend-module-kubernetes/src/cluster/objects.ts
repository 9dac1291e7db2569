/*
 * The few fields of Kubernetes objects this module reads. Declared here rather than taken from
 * @kubernetes/client-node: the module only reads JSON, and a narrow shape documents what it needs.
 */

/** `metadata` of any object. */
export interface KubeMetadata {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ kind: string; name: string; uid?: string; controller?: boolean }>;
}

/** A key selected from a Secret or ConfigMap (`valueFrom.secretKeyRef` / `configMapKeyRef`). */
export interface KeySelector {
  name?: string;
  key: string;
  optional?: boolean;
}

/** A container's `env` entry. */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: KeySelector;
    configMapKeyRef?: KeySelector;
    fieldRef?: unknown;
    resourceFieldRef?: unknown;
  };
}

/** A container's `envFrom` entry. */
export interface EnvFromSource {
  prefix?: string;
  secretRef?: { name?: string; optional?: boolean };
  configMapRef?: { name?: string; optional?: boolean };
}

export interface Container {
  name: string;
  image?: string;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { containers?: Container[]; initContainers?: Container[] };
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface Deployment {
  metadata: KubeMetadata;
  spec?: { replicas?: number; template?: PodTemplate };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: Condition[];
  };
}

export interface ReplicaSet {
  metadata: KubeMetadata;
  spec?: { replicas?: number; template?: PodTemplate };
}

export interface ContainerStatus {
  name: string;
  restartCount?: number;
  state?: { waiting?: { reason?: string; message?: string } };
}

export interface Pod {
  metadata: KubeMetadata;
  status?: {
    phase?: string;
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

/** A `*List` answer of the API server. */
export interface KubeList<T> {
  items: T[];
}
