import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createCutoverAnnotateAction } from './actions/annotate';
import { createCutoverPlanApplyAction } from './actions/apply';
import { createCutoverPlanDraftAction } from './actions/draft';

/**
 * The Switchyard template actions for the scaffolder: `cutover:plan:draft`, `cutover:plan:apply` and
 * `cutover:annotate`.
 * @public
 */
export const scaffolderModuleCutover = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'cutover',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ scaffolder, discovery, auth }) {
        scaffolder.addActions(
          createCutoverPlanDraftAction({ discovery, auth }),
          createCutoverPlanApplyAction({ discovery, auth }),
          createCutoverAnnotateAction(),
        );
      },
    });
  },
});
