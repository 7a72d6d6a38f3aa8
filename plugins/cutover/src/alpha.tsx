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
import AssignmentTurnedInIcon from '@material-ui/icons/AssignmentTurnedIn';
import RestoreIcon from '@material-ui/icons/Restore';
import SwapHorizIcon from '@material-ui/icons/SwapHoriz';
import TimelineIcon from '@material-ui/icons/Timeline';
import TrendingUpIcon from '@material-ui/icons/TrendingUp';
import { createCutoverClient, cutoverApiRef } from './api';
import { isCutoverAvailable } from './conditions';

/**
 * The entity page group the five tabs share, so that an entity page shows one "Operation" tab with
 * a menu of them instead of five top-level tabs. `operation` is one of the catalog's default groups;
 * an app that defines its own groups (`page:catalog/entity` config `groups`) can alias it or move
 * the tabs elsewhere with each extension's `group` config.
 * @alpha
 */
export const CUTOVER_ENTITY_CONTENT_GROUP = 'operation';

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
    group: CUTOVER_ENTITY_CONTENT_GROUP,
    icon: <TrendingUpIcon />,
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
    group: CUTOVER_ENTITY_CONTENT_GROUP,
    icon: <AssignmentTurnedInIcon />,
    path: '/readiness',
    title: 'Readiness',
    filter: isCutoverAvailable,
    loader: () =>
      import('./components/ReadinessTab').then(m => <m.ReadinessTab />),
  },
});

/** The Cutover tab (`entity-content:cutover/cutover`). @alpha */
export const cutoverEntityContent = EntityContentBlueprint.make({
  name: 'cutover',
  params: {
    group: CUTOVER_ENTITY_CONTENT_GROUP,
    icon: <SwapHorizIcon />,
    path: '/cutover',
    title: 'Cutover',
    filter: isCutoverAvailable,
    loader: () => import('./components/CutoverTab').then(m => <m.CutoverTab />),
  },
});

/**
 * The Cutover tab.
 * @alpha
 * @deprecated Use {@link cutoverEntityContent}.
 */
export const cutoverExecutionEntityContent = cutoverEntityContent;

/** The Rollback tab (`entity-content:cutover/rollback`). @alpha */
export const cutoverRollbackEntityContent = EntityContentBlueprint.make({
  name: 'rollback',
  params: {
    group: CUTOVER_ENTITY_CONTENT_GROUP,
    icon: <RestoreIcon />,
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
    group: CUTOVER_ENTITY_CONTENT_GROUP,
    icon: <TimelineIcon />,
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
    cutoverEntityContent,
    cutoverRollbackEntityContent,
    cutoverTimelineEntityContent,
    cutoverScorecardEntityCard,
  ],
});
