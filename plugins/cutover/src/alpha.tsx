import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { createCutoverClient, cutoverApiRef } from './api';
import { isCutoverAvailable } from './conditions';

/** The cutover API client. @alpha */
export const cutoverApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: cutoverApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: createCutoverClient,
    }),
});

/** The Migration tab (`entity-content:cutover/migration`). @alpha */
export const cutoverMigrationEntityContent = EntityContentBlueprint.make({
  name: 'migration',
  params: {
    path: '/migration',
    title: 'Migration',
    filter: isCutoverAvailable,
    loader: () =>
      import('./components/MigrationTab').then(m => <m.MigrationTab />),
  },
});

/** The Readiness tab (`entity-content:cutover/readiness`). @alpha */
export const cutoverReadinessEntityContent = EntityContentBlueprint.make({
  name: 'readiness',
  params: {
    path: '/readiness',
    title: 'Readiness',
    filter: isCutoverAvailable,
    loader: () =>
      import('./components/ReadinessTab').then(m => <m.ReadinessTab />),
  },
});

/** The Cutover tab (`entity-content:cutover/execution`). @alpha */
export const cutoverExecutionEntityContent = EntityContentBlueprint.make({
  name: 'execution',
  params: {
    path: '/cutover',
    title: 'Cutover',
    filter: isCutoverAvailable,
    loader: () => import('./components/CutoverTab').then(m => <m.CutoverTab />),
  },
});

/** The Rollback tab (`entity-content:cutover/rollback`). @alpha */
export const cutoverRollbackEntityContent = EntityContentBlueprint.make({
  name: 'rollback',
  params: {
    path: '/rollback',
    title: 'Rollback',
    filter: isCutoverAvailable,
    loader: () => import('./components/RollbackTab').then(m => <m.RollbackTab />),
  },
});

/** The Timeline tab (`entity-content:cutover/timeline`). @alpha */
export const cutoverTimelineEntityContent = EntityContentBlueprint.make({
  name: 'timeline',
  params: {
    path: '/timeline',
    title: 'Timeline',
    filter: isCutoverAvailable,
    loader: () => import('./components/TimelineTab').then(m => <m.TimelineTab />),
  },
});

/**
 * The migration scorecard on the entity's overview (`entity-card:cutover/scorecard`): the Tech
 * Insights checks that read Switchyard's facts. @alpha
 */
export const cutoverScorecardEntityCard = EntityCardBlueprint.make({
  name: 'scorecard',
  params: {
    filter: isCutoverAvailable,
    loader: () =>
      import('./components/ScorecardCard').then(m => <m.ScorecardCard />),
  },
});

/**
 * The Switchyard cutover plugin for the new frontend system.
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'cutover',
  extensions: [
    cutoverApi,
    cutoverMigrationEntityContent,
    cutoverReadinessEntityContent,
    cutoverExecutionEntityContent,
    cutoverRollbackEntityContent,
    cutoverTimelineEntityContent,
    cutoverScorecardEntityCard,
  ],
});
