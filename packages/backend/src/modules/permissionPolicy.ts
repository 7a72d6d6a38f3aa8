import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  cutoverApprovalDecidePermission,
  cutoverChecklistUpdatePermission,
  cutoverMigrationCreatePermission,
  cutoverMigrationReadPermission,
  cutoverReportReadPermission,
} from '@switchyard/plugin-cutover-common';
import {
  createCutoverMigrationConditionalDecision,
  cutoverMigrationConditions,
} from '@switchyard/plugin-cutover-backend/alpha';

/**
 * The example portal's policy for Switchyard (an adopter writes their own):
 * - everyone signed in may read migrations and download reports, and create migrations;
 * - the migration's owner (directly or through a group they belong to) may change it, run
 *   snapshots, rollbacks, reconciliations and read-source switches, and request approval;
 * - members of the migration's `approvers` group decide approvals (and may record checklist results);
 * - jobs with the `CUTOVER_TOKEN` are service principals: what they may do is set by the token's
 *   access restrictions in app-config, which leave out deciding approvals.
 * Permissions of other plugins are allowed, as in a fresh Backstage app.
 */
export class SwitchyardExamplePolicy implements PermissionPolicy {
  async handle(request: PolicyQuery, user?: PolicyQueryUser): Promise<PolicyDecision> {
    const { permission } = request;
    if (!permission.name.startsWith('cutover.')) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (!user) {
      return { result: AuthorizeResult.DENY };
    }
    const claims = user.info.ownershipEntityRefs;
    if (
      isPermission(permission, cutoverMigrationReadPermission) ||
      isPermission(permission, cutoverReportReadPermission) ||
      isPermission(permission, cutoverMigrationCreatePermission)
    ) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (isPermission(permission, cutoverApprovalDecidePermission)) {
      return createCutoverMigrationConditionalDecision(
        permission,
        cutoverMigrationConditions.isMigrationApprover({ claims }),
      );
    }
    if (isPermission(permission, cutoverChecklistUpdatePermission)) {
      return createCutoverMigrationConditionalDecision(permission, {
        anyOf: [
          cutoverMigrationConditions.isMigrationOwner({ claims }),
          cutoverMigrationConditions.isMigrationApprover({ claims }),
        ],
      });
    }
    if ('resourceType' in permission) {
      return createCutoverMigrationConditionalDecision(
        permission as typeof cutoverChecklistUpdatePermission,
        cutoverMigrationConditions.isMigrationOwner({ claims }),
      );
    }
    return { result: AuthorizeResult.DENY };
  }
}

/** Installs {@link SwitchyardExamplePolicy} in the permission backend. */
export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'switchyard-example-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new SwitchyardExamplePolicy());
      },
    });
  },
});
