/*
 * Just enough OpenAPI v3 for kubectl: the index (/openapi/v3) and one document
 * per group/version naming, for each resource, the PATCH operation with its
 * group-version-kind and the `fieldValidation` query parameter. kubectl reads
 * that to leave field validation to the server (`fieldValidation=Strict`)
 * instead of downloading schemas to validate on the client. No schemas are
 * served, so kubectl builds apply patches from its compiled-in types, as it
 * does for any built-in kind.
 */
import { RESOURCE_TYPES, apiGroups, groupVersion } from './resources';

/** `api/v1`, `apis/apps/v1`, … as the OpenAPI v3 index names them. */
function specPaths(): Array<{ group: string; version: string; path: string }> {
  return [
    { group: '', version: 'v1', path: 'api/v1' },
    ...apiGroups().flatMap(g =>
      g.versions.map(version => ({
        group: g.name,
        version,
        path: `apis/${g.name}/${version}`,
      })),
    ),
  ];
}

/** A hash that changes when the served types change (clients cache by it). */
const SPEC_HASH = 'kube-simulator-1';

export function openApiIndex(): Record<string, unknown> {
  return {
    paths: Object.fromEntries(
      specPaths().map(p => [
        p.path,
        { serverRelativeURL: `/openapi/v3/${p.path}?hash=${SPEC_HASH}` },
      ]),
    ),
  };
}

/** The document of one group/version; undefined when it is not served. */
export function openApiDocument(
  specPath: string,
): Record<string, unknown> | undefined {
  const served = specPaths().find(p => p.path === specPath);
  if (!served) return undefined;
  const fieldValidation = {
    name: 'fieldValidation',
    in: 'query',
    schema: { type: 'string', uniqueItems: true },
  };
  const paths: Record<string, unknown> = {};
  for (const t of RESOURCE_TYPES) {
    if (
      t.virtual ||
      t.group !== served.group ||
      !t.versions.includes(served.version)
    )
      continue;
    const prefix = `/${served.path}${
      t.namespaced ? '/namespaces/{namespace}' : ''
    }/${t.plural}`;
    const gvk = {
      group: t.group,
      version: served.version,
      kind: t.kind,
    };
    const operation = (action: string) => ({
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      parameters: [fieldValidation],
      responses: { '200': { description: 'OK' } },
    });
    paths[prefix] = { post: operation('post') };
    paths[`${prefix}/{name}`] = {
      put: operation('put'),
      patch: operation('patch'),
    };
  }
  return {
    openapi: '3.0.0',
    info: {
      title: 'kube-simulator (not Kubernetes)',
      version: groupVersion(served.group, served.version),
    },
    paths,
  };
}
