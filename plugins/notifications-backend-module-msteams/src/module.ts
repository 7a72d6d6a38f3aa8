import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { notificationsProcessingExtensionPoint } from '@backstage/plugin-notifications-node';
import { MsTeamsNotificationProcessor } from './MsTeamsNotificationProcessor';

/**
 * Notifications backend module that posts notifications to Microsoft Teams incoming webhooks.
 *
 * @public
 */
export const notificationsModuleMsTeams = createBackendModule({
  pluginId: 'notifications',
  moduleId: 'msteams',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        notifications: notificationsProcessingExtensionPoint,
      },
      async init({ config, logger, notifications }) {
        notifications.addProcessor(
          MsTeamsNotificationProcessor.fromConfig(config, { logger }),
        );
      },
    });
  },
});
