/**
 * Switchyard's facts for Tech Insights scorecards: readiness, progress, drift, alerts and approvals
 * per catalog entity with a data migration.
 *
 * @packageDocumentation
 */
export { techInsightsModuleCutoverFacts as default } from './module';
export {
  createCutoverFactRetriever,
  CUTOVER_FACT_RETRIEVER_ID,
} from './retriever';
export type { CutoverFactRetrieverOptions } from './retriever';
export { entityFacts, DRIFT_LEVELS } from './facts';
export type { EntityCutoverFacts, MigrationSignals, DriftLevel } from './facts';
