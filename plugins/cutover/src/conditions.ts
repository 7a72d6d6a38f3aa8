import { Entity } from '@backstage/catalog-model';
import { CUTOVER_MIGRATION_ANNOTATION } from '@switchyard/plugin-cutover-common';

/** The migration ids an entity's annotation names. @public */
export function getEntityMigrationIds(entity: Entity): string[] {
  const value = entity.metadata.annotations?.[CUTOVER_MIGRATION_ANNOTATION] ?? '';
  return value
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
}

/** Whether an entity carries the `switchyard.dev/migration` annotation. @public */
export function isCutoverAvailable(entity: Entity): boolean {
  return getEntityMigrationIds(entity).length > 0;
}
