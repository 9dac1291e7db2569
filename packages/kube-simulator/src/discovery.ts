/*
 * Discovery documents: /api (APIVersions), /apis (APIGroupList),
 * /apis/<group> (APIGroup), /api/v1 and /apis/<group>/<version>
 * (APIResourceList), and /version.
 */
import { RESOURCE_TYPES, apiGroups, groupVersion, verbsOf } from './resources';

export function apiVersionsBody(
  serverAddress: string,
): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupBody(name: string, versions: string[]) {
  const entries = versions.map(v => ({
    groupVersion: groupVersion(name, v),
    version: v,
  }));
  return { name, versions: entries, preferredVersion: entries[0] };
}

export function apiGroupListBody(): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: apiGroups().map(g => groupBody(g.name, g.versions)),
  };
}

export function apiGroupBody(group: string): Record<string, unknown> {
  const found = apiGroups().find(g => g.name === group);
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    ...groupBody(group, found?.versions ?? []),
  };
}

export function apiResourceListBody(
  group: string,
  version: string,
): Record<string, unknown> {
  const resources = RESOURCE_TYPES.filter(
    t => t.group === group && t.versions.includes(version),
  ).flatMap(t => [
    {
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: verbsOf(t),
      ...(t.shortNames ? { shortNames: t.shortNames } : {}),
    },
    ...(t.subresources ?? []).map(sub => ({
      name: `${t.plural}/${sub}`,
      singularName: '',
      namespaced: t.namespaced,
      ...(sub === 'scale'
        ? { group: 'autoscaling', version: 'v1', kind: 'Scale' }
        : { kind: t.kind }),
      verbs: sub === 'log' ? ['get'] : ['get', 'patch', 'update'],
    })),
  ]);
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersion(group, version),
    resources,
  };
}

export function versionBody(): Record<string, unknown> {
  return {
    major: '1',
    minor: '31',
    gitVersion: 'v1.31.0-khal-kube-simulator',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'n/a (kube-simulator, not Kubernetes)',
    compiler: 'none',
    platform: `${process.platform}/${process.arch}`,
  };
}
