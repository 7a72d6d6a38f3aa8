import {
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import {
  CUTOVER_MIGRATION_RESOURCE_TYPE,
  Migration,
} from '@switchyard/plugin-cutover-common';
import { z } from 'zod';

/** The filter a condition on migrations turns into. @public */
export type CutoverMigrationFilter =
  | { property: 'owner' | 'approvers'; values: string[] }
  | { anyOf: CutoverMigrationFilter[] }
  | { allOf: CutoverMigrationFilter[] }
  | { not: CutoverMigrationFilter };

/** Permission resource ref of migrations. @public */
export const cutoverMigrationResourceRef = createPermissionResourceRef<
  Migration,
  CutoverMigrationFilter
>().with({
  pluginId: 'cutover',
  resourceType: CUTOVER_MIGRATION_RESOURCE_TYPE,
});

const claimsSchema = z.object({
  claims: z
    .array(z.string())
    .describe(
      'Entity refs of the user and the groups they belong to (their ownership entity refs)',
    ),
});

const lower = (refs: string[]) => refs.map(r => r.toLocaleLowerCase('en-US'));

/** Allows when the migration's owner is among the claims. @public */
export const isMigrationOwner = createPermissionRule({
  name: 'IS_MIGRATION_OWNER',
  description: 'Allow when the migration is owned by one of the given entity refs',
  resourceRef: cutoverMigrationResourceRef,
  paramsSchema: claimsSchema,
  apply: (migration, { claims }) =>
    lower(claims).includes(migration.owner.toLocaleLowerCase('en-US')),
  toQuery: ({ claims }) => ({ property: 'owner', values: lower(claims) }),
});

/** Allows when the migration's approvers ref is among the claims. @public */
export const isMigrationApprover = createPermissionRule({
  name: 'IS_MIGRATION_APPROVER',
  description:
    'Allow when the migration names one of the given entity refs as its approvers',
  resourceRef: cutoverMigrationResourceRef,
  paramsSchema: claimsSchema,
  apply: (migration, { claims }) =>
    !!migration.approvers &&
    lower(claims).includes(migration.approvers.toLocaleLowerCase('en-US')),
  toQuery: ({ claims }) => ({ property: 'approvers', values: lower(claims) }),
});

/** Rules of the migration resource. @public */
export const cutoverMigrationRules = { isMigrationOwner, isMigrationApprover };
