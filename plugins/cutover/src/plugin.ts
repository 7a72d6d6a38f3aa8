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
  routes: { migration: cutoverMigrationRouteRef },
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
