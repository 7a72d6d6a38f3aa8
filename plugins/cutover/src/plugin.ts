import {
  createApiFactory,
  createPlugin,
  createComponentExtension,
  createRoutableExtension,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { createCutoverClient, cutoverApiRef } from './api';

/** Route of the Migration tab. @public */
export const cutoverMigrationRouteRef = createRouteRef({ id: 'cutover-migration' });

/** Route of the Timeline tab. @public */
export const cutoverTimelineRouteRef = createRouteRef({ id: 'cutover-timeline' });

/** Route of the Readiness tab. @public */
export const cutoverReadinessRouteRef = createRouteRef({ id: 'cutover-readiness' });

/** Route of the Cutover tab (per-dataset cutover, freeze windows, reconciliation). @public */
export const cutoverRouteRef = createRouteRef({ id: 'cutover-cutover' });

/**
 * Route of the Cutover tab.
 * @public
 * @deprecated Use {@link cutoverRouteRef}: the frontend calls the concept "cutover" throughout.
 */
export const cutoverExecutionRouteRef = cutoverRouteRef;

/** Route of the Rollback tab. @public */
export const cutoverRollbackRouteRef = createRouteRef({ id: 'cutover-rollback' });

/**
 * The Switchyard cutover plugin for the legacy frontend system.
 * @public
 */
export const cutoverPlugin = createPlugin({
  id: 'cutover',
  apis: [
    createApiFactory({
      api: cutoverApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: createCutoverClient,
    }),
  ],
  routes: {
    migration: cutoverMigrationRouteRef,
    readiness: cutoverReadinessRouteRef,
    cutover: cutoverRouteRef,
    rollback: cutoverRollbackRouteRef,
    timeline: cutoverTimelineRouteRef,
  },
});

/**
 * The Migration tab of an entity page: progress, quality and datasets of the entity's migrations.
 * Use with `<EntityLayout.Route path="/migration" title="Migration" if={isCutoverAvailable}>`.
 * @public
 */
export const EntityCutoverMigrationContent = cutoverPlugin.provide(
  createRoutableExtension({
    name: 'EntityCutoverMigrationContent',
    component: () =>
      import('./components/MigrationTab').then(m => m.MigrationTab),
    mountPoint: cutoverMigrationRouteRef,
  }),
);

/**
 * The Readiness tab: readiness gauge, GO / NO-GO, blockers, checklist and approvals.
 * Use with `<EntityLayout.Route path="/readiness" title="Readiness" if={isCutoverAvailable}>`.
 * @public
 */
export const EntityCutoverReadinessContent = cutoverPlugin.provide(
  createRoutableExtension({
    name: 'EntityCutoverReadinessContent',
    component: () =>
      import('./components/ReadinessTab').then(m => m.ReadinessTab),
    mountPoint: cutoverReadinessRouteRef,
  }),
);

/**
 * The Cutover tab: per-dataset cutover states and read sources with their switches, the switch
 * history, freeze windows and reconciliation with drift.
 * Use with `<EntityLayout.Route path="/cutover" title="Cutover" if={isCutoverAvailable}>`.
 * @public
 */
export const EntityCutoverContent = cutoverPlugin.provide(
  createRoutableExtension({
    name: 'EntityCutoverContent',
    component: () => import('./components/CutoverTab').then(m => m.CutoverTab),
    mountPoint: cutoverRouteRef,
  }),
);

/**
 * The Cutover tab.
 * @public
 * @deprecated Use {@link EntityCutoverContent}.
 */
export const EntityCutoverExecutionContent = EntityCutoverContent;

/**
 * The Rollback tab: snapshots of the destination's datasets, rolling back to one, and the history.
 * Use with `<EntityLayout.Route path="/rollback" title="Rollback" if={isCutoverAvailable}>`.
 * @public
 */
export const EntityCutoverRollbackContent = cutoverPlugin.provide(
  createRoutableExtension({
    name: 'EntityCutoverRollbackContent',
    component: () => import('./components/RollbackTab').then(m => m.RollbackTab),
    mountPoint: cutoverRollbackRouteRef,
  }),
);

/**
 * The Timeline tab: Gantt chart with the critical path, milestones, delays and variance.
 * Use with `<EntityLayout.Route path="/timeline" title="Timeline" if={isCutoverAvailable}>`.
 * @public
 */
export const EntityCutoverTimelineContent = cutoverPlugin.provide(
  createRoutableExtension({
    name: 'EntityCutoverTimelineContent',
    component: () => import('./components/TimelineTab').then(m => m.TimelineTab),
    mountPoint: cutoverTimelineRouteRef,
  }),
);

/**
 * The entity's migration scorecard: the Tech Insights checks that read Switchyard's facts, with
 * the facts they judged (needs the Tech Insights backend with the Switchyard fact retriever).
 * Use on an entity overview: `<EntitySwitch.Case if={isCutoverAvailable}><EntityCutoverScorecardCard /></EntitySwitch.Case>`.
 * @public
 */
export const EntityCutoverScorecardCard = cutoverPlugin.provide(
  createComponentExtension({
    name: 'EntityCutoverScorecardCard',
    component: {
      lazy: () => import('./components/ScorecardCard').then(m => m.ScorecardCard),
    },
  }),
);
