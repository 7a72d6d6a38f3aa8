/**
 * Switchyard entity tabs for Backstage (legacy frontend system exports; the new frontend system's
 * plugin is the default export of `@switchyard/plugin-cutover/alpha`).
 *
 * @packageDocumentation
 */

export {
  cutoverPlugin,
  EntityCutoverMigrationContent,
  EntityCutoverReadinessContent,
  EntityCutoverContent,
  EntityCutoverExecutionContent,
  EntityCutoverRollbackContent,
  EntityCutoverTimelineContent,
  EntityCutoverScorecardCard,
  cutoverTimelineRouteRef,
  cutoverMigrationRouteRef,
  cutoverReadinessRouteRef,
  cutoverRouteRef,
  cutoverExecutionRouteRef,
  cutoverRollbackRouteRef,
} from './plugin';
export { cutoverApiRef, createCutoverClient } from './api';
export { isCutoverAvailable, getEntityMigrationIds } from './conditions';
