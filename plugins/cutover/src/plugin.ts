import {
  createApiFactory,
  createPlugin,
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
