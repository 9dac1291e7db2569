import { Config } from '@backstage/config';
import { NotAllowedError } from '@backstage/errors';
import type {
  KubernetesFetcher,
  ObjectFetchParams,
} from '@backstage/plugin-kubernetes-node';

/*
 * The kubernetes backend's object fetches (the Kubernetes tab's /services and /resources routes)
 * read whatever object types its config — or, for /resources/custom/query, the request body —
 * names, with the portal's credentials, and return the objects whole. A Secret fetched that way
 * would reach the browser with its data. Every such fetch goes through the fetcher, so this one
 * refuses any that includes core/v1 Secrets, whoever asked.
 */

const isSecrets = (t: { group: string; plural: string }) =>
  (t.group === '' || t.group === 'core') &&
  t.plural.toLocaleLowerCase('en-US') === 'secrets';

// The fetcher puts group, version and plural into the request path (percent-encoded, which the
// API server decodes again), so anything but a plain Kubernetes name could address another
// resource, e.g. a plural of `namespaces/shop/secrets`.
const NAME = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
const isPlainType = (t: {
  group: string;
  apiVersion: string;
  plural: string;
}) =>
  (t.group === '' || NAME.test(t.group)) &&
  NAME.test(t.apiVersion) &&
  NAME.test(t.plural);

export const SECRETS_REFUSED =
  'Secrets are never read through the portal: the Kubernetes tab shows workloads, not their ' +
  'credentials. Read a Secret with your own cluster credentials (kubectl) if you are allowed to.';

/** Wraps a fetcher so that no object fetch includes Secrets. */
export function secretFreeFetcher(inner: KubernetesFetcher): KubernetesFetcher {
  return {
    async fetchObjectsForService(params: ObjectFetchParams) {
      const asked = [...params.objectTypesToFetch, ...params.customResources];
      const odd = asked.find(t => !isPlainType(t));
      if (odd) {
        throw new NotAllowedError(
          `"${odd.group}/${odd.apiVersion}/${odd.plural}" is not a Kubernetes resource type: group, apiVersion and plural must be lower-case names (letters, digits, "." and "-")`,
        );
      }
      if (asked.some(isSecrets)) {
        throw new NotAllowedError(SECRETS_REFUSED);
      }
      return inner.fetchObjectsForService(params);
    },
    fetchPodMetricsByNamespaces(
      clusterDetails,
      credential,
      namespaces,
      selector,
    ) {
      return inner.fetchPodMetricsByNamespaces(
        clusterDetails,
        credential,
        namespaces,
        selector,
      );
    },
  };
}

/**
 * Refuses, at startup, a kubernetes config that would make the Kubernetes tab fetch Secrets (the
 * fetcher would refuse every request of the tab, so fail where the mistake is made instead).
 */
export function assertNoSecretsInKubernetesConfig(config: Config): void {
  const problems: string[] = [];
  if (
    (config.getOptionalStringArray('kubernetes.objectTypes') ?? []).some(
      t => t.toLocaleLowerCase('en-US') === 'secrets',
    )
  ) {
    problems.push('kubernetes.objectTypes lists "secrets"');
  }
  // Read raw: an empty group (the core API) is not a string the config reader accepts.
  const types = (list: Config[] | undefined) =>
    (list ?? []).map(c => ({
      group: String(c.getOptional('group') ?? ''),
      plural: String(c.getOptional('plural') ?? ''),
    }));
  if (
    types(config.getOptionalConfigArray('kubernetes.customResources')).some(
      isSecrets,
    )
  ) {
    problems.push('kubernetes.customResources names core/v1 secrets');
  }
  for (const cluster of (
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? []
  ).flatMap(m => m.getOptionalConfigArray('clusters') ?? [])) {
    if (
      types(cluster.getOptionalConfigArray('customResources')).some(isSecrets)
    ) {
      problems.push(
        `the customResources of cluster "${cluster.getOptionalString(
          'name',
        )}" name core/v1 secrets`,
      );
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `${problems.join(
        '; ',
      )}. ${SECRETS_REFUSED} Remove secrets from the kubernetes config.`,
    );
  }
}
