/*
 * The Khal Ladder portal backend (new backend system).
 * Feature order does not matter; each plugin and module declares what it needs.
 */
import { createBackend } from '@backstage/backend-defaults';
import { startMetricsExporter } from './instrumentation';
import { demoSignInFeatures } from './modules/demoAuth';
import { ladderPermissionPolicyModule } from './modules/permissionPolicy';
import { kubernetesPerimeterModule } from './modules/kubernetesPerimeter';
import { backgroundRequestLogFeatures } from './modules/backgroundLogs';
import { notificationChannels } from './modules/notificationChannels';

// Before any plugin takes its meter (README "Metrics").
startMetricsExporter();

const backend = createBackend();

// The ladder's background reads of the clusters and the catalog log at debug (README "Logs").
for (const feature of backgroundRequestLogFeatures) backend.add(feature);

backend.add(import('@backstage/plugin-app-backend'));

// Auth: a real provider (GitHub, configured in app-config.production.yaml), and for the embedded
// default guest sign-in plus named demo users (README "Demo users"), which refuse to start beyond
// loopback or in production (README "Security").
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-github-provider'));
backend.add(demoSignInFeatures);

// Catalog, with the khal-app.json processor.
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
// Entities whose first processing failed (e.g. a broken khal-app.json) are never stitched; this
// module lists them with their processing errors (/api/catalog/entities/unprocessed/*).
backend.add(import('@backstage/plugin-catalog-backend-module-unprocessed'));
backend.add(import('@khal/plugin-catalog-backend-module-khal'));

// Scaffolder, with the stock publishers for real use and the khal:* actions.
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-gitlab'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-gitea'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);
backend.add(import('@khal/plugin-scaffolder-backend-module-khal'));

// Permissions: a real policy (ownership and approver groups), not allow-all.
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(ladderPermissionPolicyModule);

backend.add(import('@backstage/plugin-kubernetes-backend'));
// Read-only clusters: no Secrets in object fetches; the proxy only for operators' event/log reads.
backend.add(kubernetesPerimeterModule);
backend.add(import('@backstage/plugin-notifications-backend'));
// Email and Slack, when configured (app-config.production.yaml).
backend.add(notificationChannels);
backend.add(import('@backstage/plugin-signals-backend'));
backend.add(import('@backstage/plugin-events-backend'));
backend.add(import('@backstage/plugin-user-settings-backend'));

// The ladder.
backend.add(import('@khal/plugin-ladder-backend'));
backend.add(import('@khal/plugin-ladder-backend-module-kubernetes'));

backend.start();
