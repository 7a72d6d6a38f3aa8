import { createBackendModule } from '@backstage/backend-plugin-api';
import { techInsightsFactRetrieversExtensionPoint } from '@backstage-community/plugin-tech-insights-node';
import {
  CUTOVER_FACT_RETRIEVER_ID,
  createCutoverFactRetriever,
} from './retriever';

/**
 * Adds the Switchyard fact retriever to Tech Insights. Like every retriever, it runs on the cadence
 * `techInsights.factRetrievers.switchyardCutoverFactRetriever.cadence` sets (it does not run without it).
 *
 * @public
 */
export const techInsightsModuleCutoverFacts = createBackendModule({
  pluginId: 'tech-insights',
  moduleId: 'switchyard-cutover-facts',
  register(reg) {
    reg.registerInit({
      deps: { retrievers: techInsightsFactRetrieversExtensionPoint },
      async init({ retrievers }) {
        retrievers.addFactRetrievers({
          [CUTOVER_FACT_RETRIEVER_ID]: createCutoverFactRetriever(),
        });
      },
    });
  },
});
