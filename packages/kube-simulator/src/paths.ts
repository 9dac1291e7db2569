/*
 * Parses Kubernetes API request paths into what they address: discovery
 * documents, or a resource collection / object / subresource.
 */
import { ResourceType, apiGroups, findByPath } from './resources';

/** What a request path addresses. */
export type ApiTarget =
  | { kind: 'public'; what: 'version' | 'health' }
  | { kind: 'coreVersions' }
  | { kind: 'groupList' }
  | { kind: 'group'; group: string }
  | { kind: 'resourceList'; group: string; version: string }
  | { kind: 'openapi'; specPath?: string }
  | {
      kind: 'resource';
      group: string;
      version: string;
      type: ResourceType;
      namespace?: string;
      name?: string;
      subresource?: string;
    }
  | { kind: 'notFound' };

const HEALTH_PATHS = new Set(['/healthz', '/livez', '/readyz']);

function servedVersion(group: string, version: string): boolean {
  if (!group) return version === 'v1';
  return apiGroups().some(
    g => g.name === group && g.versions.includes(version),
  );
}

/** Parses a request path (without query string). */
export function parseApiPath(rawPath: string): ApiTarget {
  const path = rawPath.length > 1 ? rawPath.replace(/\/+$/, '') : rawPath;
  if (path === '/version') return { kind: 'public', what: 'version' };
  if (HEALTH_PATHS.has(path)) return { kind: 'public', what: 'health' };
  if (path === '/openapi/v3') return { kind: 'openapi' };
  if (path.startsWith('/openapi/v3/'))
    return { kind: 'openapi', specPath: path.slice('/openapi/v3/'.length) };
  let segments: string[];
  try {
    segments = path.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return { kind: 'notFound' };
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api') {
    if (segments.length === 1) return { kind: 'coreVersions' };
    group = '';
    version = segments[1];
    rest = segments.slice(2);
  } else if (segments[0] === 'apis') {
    if (segments.length === 1) return { kind: 'groupList' };
    group = segments[1];
    if (segments.length === 2) {
      return apiGroups().some(g => g.name === group)
        ? { kind: 'group', group }
        : { kind: 'notFound' };
    }
    version = segments[2];
    rest = segments.slice(3);
  } else {
    return { kind: 'notFound' };
  }
  if (!servedVersion(group, version)) return { kind: 'notFound' };
  if (rest.length === 0) return { kind: 'resourceList', group, version };
  return resourceTarget(group, version, rest);
}

function resourceTarget(
  group: string,
  version: string,
  rest: string[],
): ApiTarget {
  let namespace: string | undefined;
  let parts = rest;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    parts = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = parts;
  const type = findByPath(group, version, plural);
  if (!type || extra.length > 0 || parts.some(p => p === ''))
    return { kind: 'notFound' };
  if (namespace !== undefined && !type.namespaced) return { kind: 'notFound' };
  if (
    subresource !== undefined &&
    !(type.subresources ?? []).includes(subresource)
  )
    return { kind: 'notFound' };
  return {
    kind: 'resource',
    group,
    version,
    type,
    namespace,
    name,
    subresource,
  };
}
