import { createConditionExports } from '@backstage/plugin-permission-node';
import { CUTOVER_MIGRATION_RESOURCE_TYPE } from '@switchyard/plugin-cutover-common';
import { cutoverMigrationRules } from './service/permissionRules';

const { conditions, createConditionalDecision } = createConditionExports({
  pluginId: 'cutover',
  resourceType: CUTOVER_MIGRATION_RESOURCE_TYPE,
  rules: cutoverMigrationRules,
});

/**
 * Conditions a permission policy can put on migrations, e.g.
 * `cutoverMigrationConditions.isMigrationOwner({ claims: user.info.ownershipEntityRefs })`.
 * @alpha
 */
export const cutoverMigrationConditions = conditions;

/** Builds a conditional decision on a migration. @alpha */
export const createCutoverMigrationConditionalDecision = createConditionalDecision;

export {
  cutoverMigrationRules,
  cutoverMigrationResourceRef,
  type CutoverMigrationFilter,
} from './service/permissionRules';
