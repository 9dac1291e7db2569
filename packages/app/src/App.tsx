import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import catalogUnprocessedEntitiesPlugin from '@backstage/plugin-catalog-unprocessed-entities/alpha';
import scaffolderPlugin from '@backstage/plugin-scaffolder/alpha';
import kubernetesPlugin from '@backstage/plugin-kubernetes/alpha';
import notificationsPlugin from '@backstage/plugin-notifications/alpha';
import signalsPlugin from '@backstage/plugin-signals/alpha';
import orgPlugin from '@backstage/plugin-org/alpha';
import userSettingsPlugin from '@backstage/plugin-user-settings/alpha';
import ladderPlugin from '@khal/plugin-ladder/alpha';
import { navModule } from './modules/nav';
import { signInModule } from './modules/signIn';

/**
 * The unprocessed-entities page lists entities the catalog never stitched, e.g. one whose
 * khal-app.json was broken on its first ingestion. The plugin ships the page disabled.
 */
const unprocessedEntitiesPlugin =
  catalogUnprocessedEntitiesPlugin.withOverrides({
    extensions: [
      catalogUnprocessedEntitiesPlugin
        .getExtension('page:catalog-unprocessed-entities')
        .override({ disabled: false }),
    ],
  });

export default createApp({
  features: [
    catalogPlugin,
    unprocessedEntitiesPlugin,
    scaffolderPlugin,
    kubernetesPlugin,
    notificationsPlugin,
    signalsPlugin,
    orgPlugin,
    userSettingsPlugin,
    ladderPlugin,
    navModule,
    signInModule,
  ],
});
