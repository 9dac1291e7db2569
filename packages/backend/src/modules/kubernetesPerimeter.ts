import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  kubernetesFetcherExtensionPoint,
  kubernetesRouterExtensionPoint,
} from '@backstage/plugin-kubernetes-node';
import { Router } from 'express';
import { createKubernetesProxyGuard } from './kubernetesProxyGuard';
import {
  assertNoSecretsInKubernetesConfig,
  secretFreeFetcher,
} from './secretFreeFetcher';

/**
 * The portal reads clusters; it does not change them and never shows Secrets. This module puts
 * the kubernetes backend inside that perimeter: people reach the proxy only for the read-only
 * calls of the Kubernetes tab (operators, see the permission policy), and no object fetch
 * includes Secrets.
 */
export const kubernetesPerimeterModule = createBackendModule({
  pluginId: 'kubernetes',
  moduleId: 'khal-perimeter',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        httpAuth: coreServices.httpAuth,
        fetchers: kubernetesFetcherExtensionPoint,
        routers: kubernetesRouterExtensionPoint,
      },
      async init({ config, httpAuth, fetchers, routers }) {
        assertNoSecretsInKubernetesConfig(config);
        fetchers.addFetcher(async ({ getDefault }) =>
          secretFreeFetcher(await getDefault()),
        );
        routers.addRouter(({ getDefault }) => {
          const router = Router();
          router.use('/proxy', createKubernetesProxyGuard(httpAuth));
          router.use(getDefault());
          return router;
        });
      },
    });
  },
});
