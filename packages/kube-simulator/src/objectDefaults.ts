/*
 * Defaults the API server (and its controllers) would fill in when an object
 * is created: uid, creationTimestamp, generation, secret data encoding,
 * namespace status, service cluster IPs. Deployment status is computed by
 * deployments.ts, Pod status by pods.ts.
 */
import { KubeObject } from './types';
import { ResourceType, groupVersion } from './resources';
import { fakeIp, newUid } from './names';

/** Groups whose objects carry metadata.generation. */
const GENERATION_GROUPS = new Set([
  'apps',
  'batch',
  'autoscaling',
  'networking.k8s.io',
]);

/** Wall-clock timestamp in the API's RFC 3339 second precision. */
export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Fills metadata and type-specific defaults on a new object (mutates and
 * returns it). `apiVersion` is normalised to the type's preferred version
 * unless the object names another served version.
 */
export function applyCreateDefaults(
  type: ResourceType,
  object: KubeObject,
): KubeObject {
  const requested = object.apiVersion?.split('/').pop();
  const version =
    requested && type.versions.includes(requested)
      ? requested
      : type.versions[0];
  object.apiVersion = groupVersion(type.group, version);
  object.kind = type.kind;
  const meta = object.metadata;
  if (type.namespaced) meta.namespace = meta.namespace || 'default';
  else delete meta.namespace;
  meta.uid = meta.uid || newUid();
  meta.creationTimestamp = meta.creationTimestamp || nowTimestamp();
  if (GENERATION_GROUPS.has(type.group) && !meta.generation)
    meta.generation = 1;
  switch (type.kind) {
    case 'Namespace':
      meta.labels = {
        'kubernetes.io/metadata.name': meta.name,
        ...meta.labels,
      };
      object.spec = object.spec ?? { finalizers: ['kubernetes'] };
      object.status = object.status ?? { phase: 'Active' };
      break;
    case 'Secret':
      encodeStringData(object);
      object.type = object.type ?? 'Opaque';
      break;
    case 'Service':
      object.spec = {
        type: 'ClusterIP',
        clusterIP: fakeIp('10.96', `${meta.namespace}/${meta.name}`),
        sessionAffinity: 'None',
        ...object.spec,
      };
      object.spec.clusterIPs = object.spec.clusterIPs ?? [
        object.spec.clusterIP,
      ];
      object.status = object.status ?? { loadBalancer: {} };
      break;
    case 'ConfigMap':
    case 'LimitRange':
    case 'Event':
    case 'ServiceAccount':
      break;
    default:
      if (type.subresources?.includes('status'))
        object.status = object.status ?? {};
  }
  return object;
}

/** Moves Secret `stringData` into base64 `data`, as the API server does on write. */
export function encodeStringData(secret: KubeObject): void {
  const stringData = secret.stringData as Record<string, string> | undefined;
  if (!stringData) return;
  secret.data = { ...secret.data };
  for (const [key, value] of Object.entries(stringData)) {
    secret.data[key] = Buffer.from(String(value), 'utf8').toString('base64');
  }
  delete secret.stringData;
}
