import { ConfigReader } from '@backstage/config';
import { assertNoSecretsInKubernetesConfig } from './secretFreeFetcher';

const kubernetes = (extra: Record<string, unknown>) =>
  new ConfigReader({
    kubernetes: {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: [
            {
              name: 'prod-oke',
              url: 'http://127.0.0.1:1',
              authProvider: 'serviceAccount',
              ...((extra.cluster as object) ?? {}),
            },
          ],
        },
      ],
      ...((extra.top as object) ?? {}),
    },
  });

const secrets = { group: '', apiVersion: 'v1', plural: 'secrets' };

describe('a kubernetes config that would fetch Secrets', () => {
  it.each([
    [
      'kubernetes.objectTypes lists secrets',
      { top: { objectTypes: ['pods', 'Secrets'] } },
      'kubernetes.objectTypes lists "secrets"',
    ],
    [
      'kubernetes.customResources names them',
      { top: { customResources: [secrets] } },
      'kubernetes.customResources names core/v1 secrets',
    ],
    [
      'a cluster’s customResources names them',
      { cluster: { customResources: [secrets] } },
      'the customResources of cluster "prod-oke" name core/v1 secrets',
    ],
  ])('bypass: %s (refuses to start, saying where)', (_, extra, where) => {
    expect(() => assertNoSecretsInKubernetesConfig(kubernetes(extra))).toThrow(
      `${where}. Secrets are never read through the portal`,
    );
  });

  it('accepts the portal’s own kinds and real custom resources', () => {
    expect(() =>
      assertNoSecretsInKubernetesConfig(
        kubernetes({
          top: {
            objectTypes: ['pods', 'services', 'configmaps', 'deployments'],
            customResources: [
              {
                group: 'argoproj.io',
                apiVersion: 'v1alpha1',
                plural: 'rollouts',
              },
            ],
          },
          // A CRD of another group may be called secrets; it is not core/v1.
          cluster: {
            customResources: [
              { group: 'vault.example', apiVersion: 'v1', plural: 'secrets' },
            ],
          },
        }),
      ),
    ).not.toThrow();
  });
});
