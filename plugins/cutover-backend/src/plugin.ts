import { createBackendPlugin } from '@backstage/backend-plugin-api';
import {
  ChecklistEvaluator,
  cutoverChecklistEvaluatorsExtensionPoint,
  cutoverReconcilersExtensionPoint,
  cutoverSnapshotProvidersExtensionPoint,
  Reconciler,
  SnapshotProvider,
} from '@switchyard/plugin-cutover-node';
import {
  buildCutoverServices,
  cutoverPluginDeps,
  serveCutoverApi,
} from './service/CutoverServices';

/**
 * The Switchyard cutover backend plugin, served at `/api/cutover`. It declares its extension
 * points and dependencies; `service/CutoverServices.ts` builds and serves the rest.
 * @public
 */
export const cutoverPlugin = createBackendPlugin({
  pluginId: 'cutover',
  register(env) {
    const snapshotProviders: SnapshotProvider[] = [];
    const reconcilers: Reconciler[] = [];
    const checklistEvaluators: ChecklistEvaluator[] = [];
    env.registerExtensionPoint(cutoverSnapshotProvidersExtensionPoint, {
      addSnapshotProvider(...providers) {
        snapshotProviders.push(...providers);
      },
    });
    env.registerExtensionPoint(cutoverReconcilersExtensionPoint, {
      addReconciler(...added) {
        reconcilers.push(...added);
      },
    });
    env.registerExtensionPoint(cutoverChecklistEvaluatorsExtensionPoint, {
      addChecklistEvaluator(...added) {
        checklistEvaluators.push(...added);
      },
    });
    env.registerInit({
      deps: cutoverPluginDeps,
      async init(deps) {
        const services = await buildCutoverServices(deps, {
          snapshotProviders,
          reconcilers,
          checklistEvaluators,
        });
        await serveCutoverApi(deps, services);
      },
    });
  },
});
