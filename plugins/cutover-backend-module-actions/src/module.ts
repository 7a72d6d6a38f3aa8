import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { registerReadActions, registerWriteActions } from './actions';

/**
 * Registers Switchyard's actions in Backstage's actions registry under the `cutover` plugin, where
 * the MCP actions backend (and any other caller of the actions service) finds them once
 * `backend.actions.pluginSources` lists `cutover`. Read actions always; write actions only with
 * `cutover.actions.allowWrites: true`.
 *
 * @public
 */
export const cutoverModuleActions = createBackendModule({
  pluginId: 'cutover',
  moduleId: 'actions',
  register(reg) {
    reg.registerInit({
      deps: {
        registry: actionsRegistryServiceRef,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ registry, discovery, auth, config, logger }) {
        registerReadActions(registry, { discovery, auth });
        if (config.getOptionalBoolean('cutover.actions.allowWrites')) {
          registerWriteActions(registry, { discovery, auth });
          logger.info(
            'Switchyard write actions registered (cutover.actions.allowWrites is true)',
          );
        }
      },
    });
  },
});
