import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createCatalogRegisterLocalAction } from './actions/catalog/registerLocal';
import { createLadderEnrollAction } from './actions/ladder/enroll';
import { createManifestCreateAction } from './actions/manifest/createManifest';
import { createManifestValidateAction } from './actions/manifest/validateManifest';
import { createPublishLocalAction } from './actions/publish/localGit';

/**
 * Adds the khal:* actions to the scaffolder.
 * @public
 */
export const scaffolderModuleKhal = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'khal',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        catalog: catalogServiceRef,
      },
      async init({ scaffolder, config, auth, discovery, catalog }) {
        scaffolder.addActions(
          createManifestCreateAction(),
          createManifestValidateAction(),
          createLadderEnrollAction({ auth, discovery, catalog }),
          createPublishLocalAction({ config }),
          createCatalogRegisterLocalAction({ config, catalog }),
        );
      },
    });
  },
});
