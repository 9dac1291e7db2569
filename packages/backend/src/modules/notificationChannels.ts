import {
  coreServices,
  createBackendFeatureLoader,
} from '@backstage/backend-plugin-api';

/**
 * The notification channels beyond the portal's inbox: email and Slack, each added only when its
 * processor is configured (`notifications.processors.email` / `.slack`, as in
 * app-config.production.yaml). The embedded default configures neither, and both modules refuse
 * to start without their settings.
 */
export const notificationChannels = createBackendFeatureLoader({
  deps: { config: coreServices.rootConfig },
  *loader({ config }) {
    if (config.has('notifications.processors.email')) {
      yield import('@backstage/plugin-notifications-backend-module-email');
    }
    if (config.has('notifications.processors.slack')) {
      yield import('@backstage/plugin-notifications-backend-module-slack');
    }
  },
});
