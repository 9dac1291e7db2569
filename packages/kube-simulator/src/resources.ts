/*
 * The resource types the simulator serves: which group/version/plural maps to
 * which kind, whether it is namespaced, and which verbs it allows.
 */

/** A served resource type. */
export interface ResourceType {
  /** API group; '' for the core group. */
  group: string;
  /** Versions served, preferred first. */
  versions: string[];
  /** Plural resource name used in paths, e.g. "deployments". */
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Computed on read (not stored), read-only. */
  virtual?: boolean;
  /** Subresources served, e.g. "scale", "status". */
  subresources?: string[];
}

const RW_VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update'];
const RO_VERBS = ['get', 'list'];

export const RESOURCE_TYPES: ResourceType[] = [
  {
    group: '',
    versions: ['v1'],
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
  },
  {
    group: '',
    versions: ['v1'],
    plural: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    subresources: ['status', 'log'],
  },
  {
    group: '',
    versions: ['v1'],
    plural: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    subresources: ['status'],
  },
  {
    group: '',
    versions: ['v1'],
    plural: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
  },
  {
    group: '',
    versions: ['v1'],
    plural: 'secrets',
    singular: 'secret',
    kind: 'Secret',
    namespaced: true,
  },
  {
    group: '',
    versions: ['v1'],
    plural: 'limitranges',
    singular: 'limitrange',
    kind: 'LimitRange',
    namespaced: true,
    shortNames: ['limits'],
  },
  {
    group: '',
    versions: ['v1'],
    plural: 'resourcequotas',
    singular: 'resourcequota',
    kind: 'ResourceQuota',
    namespaced: true,
    shortNames: ['quota'],
    subresources: ['status'],
  },
  {
    group: '',
    versions: ['v1'],
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
  },
  {
    group: '',
    versions: ['v1'],
    plural: 'serviceaccounts',
    singular: 'serviceaccount',
    kind: 'ServiceAccount',
    namespaced: true,
    shortNames: ['sa'],
  },
  {
    group: 'apps',
    versions: ['v1'],
    plural: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
    subresources: ['scale', 'status'],
  },
  {
    group: 'apps',
    versions: ['v1'],
    plural: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    namespaced: true,
    shortNames: ['rs'],
    subresources: ['status'],
  },
  {
    group: 'apps',
    versions: ['v1'],
    plural: 'statefulsets',
    singular: 'statefulset',
    kind: 'StatefulSet',
    namespaced: true,
    shortNames: ['sts'],
    subresources: ['status'],
  },
  {
    group: 'apps',
    versions: ['v1'],
    plural: 'daemonsets',
    singular: 'daemonset',
    kind: 'DaemonSet',
    namespaced: true,
    shortNames: ['ds'],
    subresources: ['status'],
  },
  {
    group: 'autoscaling',
    versions: ['v2', 'v1'],
    plural: 'horizontalpodautoscalers',
    singular: 'horizontalpodautoscaler',
    kind: 'HorizontalPodAutoscaler',
    namespaced: true,
    shortNames: ['hpa'],
    subresources: ['status'],
  },
  {
    group: 'batch',
    versions: ['v1'],
    plural: 'jobs',
    singular: 'job',
    kind: 'Job',
    namespaced: true,
    subresources: ['status'],
  },
  {
    group: 'batch',
    versions: ['v1'],
    plural: 'cronjobs',
    singular: 'cronjob',
    kind: 'CronJob',
    namespaced: true,
    shortNames: ['cj'],
    subresources: ['status'],
  },
  {
    group: 'networking.k8s.io',
    versions: ['v1'],
    plural: 'ingresses',
    singular: 'ingress',
    kind: 'Ingress',
    namespaced: true,
    shortNames: ['ing'],
    subresources: ['status'],
  },
  {
    group: 'metrics.k8s.io',
    versions: ['v1beta1'],
    plural: 'pods',
    singular: '',
    kind: 'PodMetrics',
    namespaced: true,
    virtual: true,
  },
];

/** Verbs advertised in discovery for a resource type. */
export function verbsOf(type: ResourceType): string[] {
  return type.virtual ? RO_VERBS : RW_VERBS;
}

/** The `apiVersion` string of a group/version pair. */
export function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** Splits an apiVersion string into group and version. */
export function splitApiVersion(apiVersion: string): {
  group: string;
  version: string;
} {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : {
        group: apiVersion.slice(0, slash),
        version: apiVersion.slice(slash + 1),
      };
}

/** Finds the served type for a group, version and plural (as in a request path). */
export function findByPath(
  group: string,
  version: string,
  plural: string,
): ResourceType | undefined {
  return RESOURCE_TYPES.find(
    t =>
      t.group === group && t.plural === plural && t.versions.includes(version),
  );
}

/** Finds the stored type for an object's apiVersion and kind. */
export function findByKind(
  apiVersion: string | undefined,
  kind: string,
): ResourceType | undefined {
  const candidates = RESOURCE_TYPES.filter(t => t.kind === kind && !t.virtual);
  if (!apiVersion) return candidates[0];
  const { group, version } = splitApiVersion(apiVersion);
  return candidates.find(
    t => t.group === group && t.versions.includes(version),
  );
}

/** A stable key for the storage bucket of a type (independent of version). */
export function typeKey(type: ResourceType): string {
  return `${type.group}/${type.plural}`;
}

/** All groups served under /apis, with their versions (preferred first). */
export function apiGroups(): Array<{ name: string; versions: string[] }> {
  const groups = new Map<string, string[]>();
  for (const t of RESOURCE_TYPES) {
    if (!t.group) continue;
    const versions = groups.get(t.group) ?? [];
    for (const v of t.versions) if (!versions.includes(v)) versions.push(v);
    groups.set(t.group, versions);
  }
  return [...groups.entries()].map(([name, versions]) => ({ name, versions }));
}

/** The stored type of a kind served by the simulator (throws for unknown kinds). */
export function typeOfKind(kind: string): ResourceType {
  const type = findByKind(undefined, kind);
  if (!type) throw new Error(`kube-simulator does not serve kind ${kind}`);
  return type;
}
