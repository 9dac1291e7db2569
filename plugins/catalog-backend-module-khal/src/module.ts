import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import path from 'node:path';
import { KhalManifestProcessor } from './processor/KhalManifestProcessor';

/** Where local bare repositories live when nothing is configured, relative to the backend's cwd. */
export const DEFAULT_LOCAL_REPOSITORIES_ROOT = '../../data/repos';

/**
 * Adds the khal-app.json processor to the catalog.
 * @public
 */
export const catalogModuleKhalManifest = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'khal-manifest',
  register(reg) {
    reg.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        reader: coreServices.urlReader,
      },
      async init({ catalog, config, reader }) {
        const localRepositoriesRoot = path.resolve(
          config.getOptionalString('ladder.localRepositoriesRoot') ??
            DEFAULT_LOCAL_REPOSITORIES_ROOT,
        );
        catalog.addProcessor(
          new KhalManifestProcessor({ reader, localRepositoriesRoot }),
        );
      },
    });
  },
});
