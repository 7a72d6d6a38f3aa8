import { migrationIdSchema } from '@switchyard/plugin-cutover-common';

/** A flag key taken apart: `orders-v2.order.items` is dataset `order.items` of `orders-v2`. @public */
export interface SwitchyardFlagKey {
  migrationId: string;
  dataset: string;
}

/**
 * Splits a flag key `<migrationId>.<dataset>` on its first dot: migration ids are slugs without
 * dots, dataset names may contain some. `undefined` when the key can't name a read switch.
 * @public
 */
export function parseFlagKey(flagKey: string): SwitchyardFlagKey | undefined {
  const dot = flagKey.indexOf('.');
  if (dot < 1 || dot === flagKey.length - 1) return undefined;
  const migrationId = flagKey.slice(0, dot);
  if (!migrationIdSchema.safeParse(migrationId).success) return undefined;
  return { migrationId, dataset: flagKey.slice(dot + 1) };
}

/** The flag key of a dataset's read switch. @public */
export function flagKeyOf(migrationId: string, dataset: string): string {
  return `${migrationId}.${dataset}`;
}
