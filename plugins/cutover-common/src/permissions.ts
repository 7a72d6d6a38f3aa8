import {
  createPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';

/**
 * The permission resource type of a migration; conditional decisions on it are
 * evaluated against the migration's owner and approvers.
 * @public
 */
export const CUTOVER_MIGRATION_RESOURCE_TYPE = 'cutover-migration';

/** @public */
export type CutoverMigrationPermission = ResourcePermission<
  typeof CUTOVER_MIGRATION_RESOURCE_TYPE
>;

function migrationPermission(
  name: string,
  action: 'read' | 'create' | 'update' | 'delete',
): CutoverMigrationPermission {
  return createPermission({
    name,
    attributes: { action },
    resourceType: CUTOVER_MIGRATION_RESOURCE_TYPE,
  });
}

/** Read a migration and everything derived from it. @public */
export const cutoverMigrationReadPermission = migrationPermission(
  'cutover.migration.read',
  'read',
);

/** Create a migration from a plan. @public */
export const cutoverMigrationCreatePermission = createPermission({
  name: 'cutover.migration.create',
  attributes: { action: 'create' },
});

/** Apply a plan to, or change, an existing migration. @public */
export const cutoverMigrationUpdatePermission = migrationPermission(
  'cutover.migration.update',
  'update',
);

/**
 * Change who and what a migration governs: its owner, approvers, connections, tables and drift
 * thresholds. Separate from `cutover.migration.update` so that a job's token that may apply plans
 * cannot hand a migration to someone else or loosen its safety thresholds.
 * @public
 */
export const cutoverMigrationGovernPermission = migrationPermission(
  'cutover.migration.govern',
  'update',
);

/** Archive a migration (and restore an archived one). @public */
export const cutoverMigrationDeletePermission = migrationPermission(
  'cutover.migration.delete',
  'delete',
);

/** Report metric samples, phase progress and alerts (what migration jobs do). @public */
export const cutoverMetricsIngestPermission = migrationPermission(
  'cutover.metrics.ingest',
  'update',
);

/** Record checklist results. @public */
export const cutoverChecklistUpdatePermission = migrationPermission(
  'cutover.checklist.update',
  'update',
);

/** Decide (approve, conditionally approve, reject, revoke) a cutover approval. @public */
export const cutoverApprovalDecidePermission = migrationPermission(
  'cutover.approval.decide',
  'update',
);

/** Take snapshots. @public */
export const cutoverSnapshotCreatePermission = migrationPermission(
  'cutover.snapshot.create',
  'create',
);

/** Delete snapshots. @public */
export const cutoverSnapshotDeletePermission = migrationPermission(
  'cutover.snapshot.delete',
  'delete',
);

/** Roll datasets back from a snapshot. @public */
export const cutoverRollbackExecutePermission = migrationPermission(
  'cutover.rollback.execute',
  'update',
);

/** Resolve, reopen, assign and annotate alerts. @public */
export const cutoverAlertManagePermission = migrationPermission(
  'cutover.alert.manage',
  'update',
);

/**
 * Move a dataset to CUTOVER or switch its reads without a current approval, in an emergency; needs a
 * reason, is audited at high severity and shown on the tabs.
 * @public
 */
export const cutoverApprovalOverridePermission = migrationPermission(
  'cutover.approval.override',
  'update',
);

/** Download reports. @public */
export const cutoverReportReadPermission = migrationPermission(
  'cutover.report.read',
  'read',
);

/** Manage scheduled reports. @public */
export const cutoverReportSchedulePermission = migrationPermission(
  'cutover.report.schedule',
  'update',
);

/** Switch a dataset's read source. @public */
export const cutoverReadSourceSwitchPermission = migrationPermission(
  'cutover.readsource.switch',
  'update',
);

/** Plan, activate, complete and cancel freeze windows. @public */
export const cutoverFreezeManagePermission = migrationPermission(
  'cutover.freeze.manage',
  'update',
);

/** Start reconciliation runs. @public */
export const cutoverReconcileRunPermission = migrationPermission(
  'cutover.reconcile.run',
  'update',
);

/**
 * Every permission of the cutover plugin, for registration and policies.
 * @public
 */
export const cutoverPermissions = [
  cutoverMigrationReadPermission,
  cutoverMigrationCreatePermission,
  cutoverMigrationUpdatePermission,
  cutoverMigrationDeletePermission,
  cutoverMigrationGovernPermission,
  cutoverMetricsIngestPermission,
  cutoverChecklistUpdatePermission,
  cutoverApprovalDecidePermission,
  cutoverApprovalOverridePermission,
  cutoverSnapshotCreatePermission,
  cutoverSnapshotDeletePermission,
  cutoverRollbackExecutePermission,
  cutoverAlertManagePermission,
  cutoverReportReadPermission,
  cutoverReportSchedulePermission,
  cutoverReadSourceSwitchPermission,
  cutoverFreezeManagePermission,
  cutoverReconcileRunPermission,
];
