/*
 * The operation catalogue of the cutover API: every route once, with its method, path, permission,
 * query and body schemas, answers and body limit. It is long because it is the whole contract in
 * one place (about ten lines an operation); it is data, no logic.
 *
 * Read by: the backend's router (`service/router.ts`, one handler per operation id), its OpenAPI
 * document (`schema/openapi.ts`, generated from this and `responseSchemas`), the fuzz route table
 * and the permission matrix of its tests. CONTRIBUTING.md shows how to add an operation.
 */
import {
  cutoverAlertManagePermission,
  cutoverApprovalDecidePermission,
  cutoverChecklistUpdatePermission,
  cutoverFreezeManagePermission,
  cutoverMetricsIngestPermission,
  cutoverMigrationCreatePermission,
  cutoverMigrationDeletePermission,
  cutoverMigrationReadPermission,
  cutoverMigrationUpdatePermission,
  cutoverReadSourceSwitchPermission,
  cutoverReconcileRunPermission,
  cutoverReportReadPermission,
  cutoverReportSchedulePermission,
  cutoverRollbackExecutePermission,
  cutoverSnapshotCreatePermission,
  cutoverSnapshotDeletePermission,
} from '../permissions';
import {
  alertAssignSchema,
  alertCreateSchema,
  alertNoteSchema,
  alertQuerySchema,
  alertReopenSchema,
  alertResolveSchema,
  approvalDecisionSchema,
  approvalRequestSchema,
  approvalRevokeSchema,
  checklistItemCreateSchema,
  checklistItemUpdateSchema,
  cutoverStateChangeSchema,
  freezeWindowCancelSchema,
  freezeWindowCreateSchema,
  listMigrationsQuerySchema,
  metricsBatchSchema,
  migrationPatchSchema,
  migrationPlanSchema,
  planDraftRequestSchema,
  migrationRestoreSchema,
  milestoneUpdateSchema,
  pageQuerySchema,
  portfolioQuerySchema,
  phaseUpdateSchema,
  phaseControlSchema,
  subTaskCreateSchema,
  subTaskUpdateSchema,
  controlQuerySchema,
  readSourceSwitchSchema,
  reconciliationCreateSchema,
  reportScheduleCreateSchema,
  reportSchedulePatchSchema,
  operationScheduleCreateSchema,
  operationSchedulePatchSchema,
  rollbackCreateSchema,
  snapshotCreateSchema,
  switchHistoryQuerySchema,
  trendsQuerySchema,
} from '../schemas';
import { ReportType } from '../types';
import {
  BodySpec,
  defineOperation,
  emptyResponse,
  jsonResponse,
  OperationPermission,
  OperationSpec,
  ResponseSpec,
} from './operation';

// ----- permissions -----

/** Checked by the router on the migration of the path. */
const on = (...anyOf: OperationPermission['anyOf']): OperationPermission => ({
  anyOf,
  check: 'migration',
});
const READ = on(cutoverMigrationReadPermission);
const UPDATE = on(cutoverMigrationUpdatePermission);

// ----- request bodies (components of the document) -----

const body = (
  component: string,
  schema: BodySpec['schema'],
  description: string,
  extra: Partial<BodySpec> = {},
): BodySpec => ({ component, schema, description, ...extra });

const PLAN_RULES = [
  'dataset names are unique',
  'phase ids are unique',
  'phases[].dependsOn names phases of the plan, without dependency cycles',
  'plannedEnd is not before plannedStart',
];
const MIGRATION_PLAN = body(
  'MigrationPlan',
  migrationPlanSchema,
  'A migration plan (API.md, "The plan")',
  { rules: PLAN_RULES },
);
const PHASE_CONTROL = body(
  'PhaseControl',
  phaseControlSchema,
  'Why (kept in the audit trail)',
);
const FREEZE_WINDOW_TRANSITION = body(
  'FreezeWindowTransition',
  freezeWindowCancelSchema,
  'Why, optionally',
);

/** The report files: name in the path and content type. @public */
export const REPORT_DOWNLOADS: Record<
  ReportType,
  { file: string; contentType: string }
> = {
  EXECUTIVE: { file: 'executive.pdf', contentType: 'application/pdf' },
  DETAILED: {
    file: 'detailed.xlsx',
    contentType:
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  },
  AUDIT_TRAIL: { file: 'audit.csv', contentType: 'text/csv; charset=utf-8' },
};

const JOB =
  'Long work: answers 202 with the job resource (status PENDING), which moves PENDING -> RUNNING -> SUCCEEDED | FAILED with progress; poll it, or listen to the signal published on every change.';

/** A read of something of the migration of the path. */
const readOf = (
  path: string,
  tag: string,
  summary: string,
  schema: Parameters<typeof jsonResponse>[0],
  extra: Partial<OperationSpec> = {},
) =>
  ({
    method: 'get',
    path: `/migrations/:id${path}`,
    tag,
    summary,
    permission: READ,
    responses: { 200: jsonResponse(schema, summary) },
    ...extra,
  } as const);

const download = (type: ReportType, summary: string) =>
  ({
    method: 'get',
    path: `/migrations/:id/reports/${REPORT_DOWNLOADS[type].file}`,
    tag: 'Reports',
    summary,
    permission: on(cutoverReportReadPermission),
    responses: {
      200: {
        kind: 'file',
        description: `${summary}, rendered now, as an attachment named <id>-${REPORT_DOWNLOADS[type].file}`,
        contentTypes: [REPORT_DOWNLOADS[type].contentType],
      } as ResponseSpec,
    },
  } as const);

const alertAction = (
  action: string,
  summary: string,
  alertBody: BodySpec,
  conflict?: string,
) =>
  ({
    method: 'post',
    path: `/migrations/:id/alerts/:alertId/${action}`,
    audit: `alert.${action}`,
    tag: 'Alerts',
    summary,
    permission: on(cutoverAlertManagePermission),
    body: alertBody,
    responses: { 200: jsonResponse('Alert', 'The alert') },
    ...(conflict ? { conflict } : {}),
  } as const);

const freezeAction = (action: string, summary: string) =>
  ({
    method: 'post',
    path: `/migrations/:id/freeze-windows/:windowId/${action}`,
    audit: `freeze.${action}`,
    tag: 'Cutover',
    summary,
    permission: on(cutoverFreezeManagePermission),
    body: FREEZE_WINDOW_TRANSITION,
    responses: { 200: jsonResponse('FreezeWindow', 'The window') },
    conflict: "The window's status does not allow it",
  } as const);

const OPERATION_SCHEDULE_CREATE = body(
  'OperationScheduleCreate',
  operationScheduleCreateSchema,
  'A scheduled snapshot or reconciliation',
  {
    rules: [
      'a WEEKLY or BIWEEKLY schedule needs dayOfWeek (1 = Monday ... 7 = Sunday)',
      'a MONTHLY schedule needs dayOfMonth (1-31)',
      'datasets are datasets of the migration; retentionDays only for snapshot schedules, at most cutover.snapshots.maxRetention',
    ],
  },
);
const SCHEDULE_PATCH = body(
  'ReportSchedulePatch',
  operationSchedulePatchSchema,
  'Pause, resume or rename a schedule',
);

/**
 * The six operations of scheduled snapshots (`snapshot-schedules`, managed with the permission to
 * take snapshots) or scheduled reconciliations (`reconciliation-schedules`, with the permission
 * to run them); read by whoever may read the migration.
 */
const operationSchedules = (kind: 'SNAPSHOT' | 'RECONCILIATION') => {
  const snapshot = kind === 'SNAPSHOT';
  const segment = snapshot ? 'snapshot-schedules' : 'reconciliation-schedules';
  const param = snapshot ? 'snapshotScheduleId' : 'reconciliationScheduleId';
  const noun = snapshot ? 'snapshot' : 'reconciliation';
  const tag = snapshot ? 'Snapshots and rollbacks' : 'Reconciliation';
  const permission = on(
    snapshot ? cutoverSnapshotCreatePermission : cutoverReconcileRunPermission,
  );
  const audit = `operation-schedule`;
  const one = `/migrations/:id/${segment}/:${param}`;
  return {
    list: readOf(
      `/${segment}`,
      tag,
      `${snapshot ? 'Snapshot' : 'Reconciliation'} schedules`,
      'OperationScheduleList',
      {
        query: pageQuerySchema,
      },
    ),
    create: {
      audit: `${audit}.create`,
      method: 'post',
      path: `/migrations/:id/${segment}`,
      tag,
      summary: `Schedule ${noun}s (daily, weekly, biweekly or monthly at a local time)`,
      permission,
      body: OPERATION_SCHEDULE_CREATE,
      responses: {
        201: jsonResponse(
          'OperationSchedule',
          'The schedule, with its next run',
        ),
      },
    },
    get: readOf(
      `/${segment}/:${param}`,
      tag,
      `A ${noun} schedule with its last and next run`,
      'OperationSchedule',
    ),
    update: {
      audit: `${audit}.update`,
      method: 'patch',
      path: one,
      tag,
      summary: `Pause, resume or rename a ${noun} schedule`,
      permission,
      body: SCHEDULE_PATCH,
      responses: { 200: jsonResponse('OperationSchedule', 'The schedule') },
    },
    remove: {
      audit: `${audit}.delete`,
      method: 'delete',
      path: one,
      tag,
      summary: `Delete a ${noun} schedule`,
      permission,
      responses: { 204: emptyResponse('Deleted') },
    },
    run: {
      audit: `${audit}.run`,
      method: 'post',
      path: `${one}/run`,
      tag,
      summary: `Run a ${noun} schedule now (the next slot stays)`,
      description:
        'Takes no body. Starts the operation as the caller. Answers with the schedule: lastStatus STARTED and lastTargetId, the snapshot or reconciliation run to poll (long work, PENDING -> RUNNING -> SUCCEEDED | FAILED).',
      permission,
      responses: {
        200: jsonResponse(
          'OperationSchedule',
          'The schedule, its last run STARTED',
        ),
      },
      conflict: snapshot
        ? 'The migration keeps as many snapshots as its quota allows'
        : 'A reconciliation of the migration is already running',
    },
  } as const;
};
const SNAPSHOT_SCHEDULES = operationSchedules('SNAPSHOT');
const RECONCILIATION_SCHEDULES = operationSchedules('RECONCILIATION');

/**
 * The id of an operation of the cutover API (its OpenAPI operationId). A new operation adds its
 * id here and its entry below; the compiler keeps the two lists equal.
 * @public
 */
export type CutoverOperationId =
  | 'getHealth'
  | 'listMigrations'
  | 'getPortfolio'
  | 'createMigration'
  | 'draftPlan'
  | 'applyMigrationPlan'
  | 'getMigration'
  | 'patchMigration'
  | 'archiveMigration'
  | 'restoreMigration'
  | 'getControlState'
  | 'ingestMetrics'
  | 'getDashboard'
  | 'getTrends'
  | 'getTimeline'
  | 'putPhase'
  | 'createSubTask'
  | 'updateSubTask'
  | 'completeSubTask'
  | 'pausePhase'
  | 'resumePhase'
  | 'putMilestone'
  | 'getChecklist'
  | 'addChecklistItem'
  | 'updateChecklistItem'
  | 'getReadiness'
  | 'requestApproval'
  | 'listApprovals'
  | 'decideApproval'
  | 'revokeApproval'
  | 'listAlerts'
  | 'raiseAlert'
  | 'resolveAlert'
  | 'reopenAlert'
  | 'assignAlert'
  | 'addAlertNote'
  | 'downloadExecutiveReport'
  | 'downloadDetailedReport'
  | 'downloadAuditTrail'
  | 'listStoredReports'
  | 'downloadStoredReport'
  | 'listReportSchedules'
  | 'createReportSchedule'
  | 'getReportSchedule'
  | 'updateReportSchedule'
  | 'deleteReportSchedule'
  | 'listSnapshotSchedules'
  | 'createSnapshotSchedule'
  | 'getSnapshotSchedule'
  | 'updateSnapshotSchedule'
  | 'deleteSnapshotSchedule'
  | 'runSnapshotScheduleNow'
  | 'listReconciliationSchedules'
  | 'createReconciliationSchedule'
  | 'getReconciliationSchedule'
  | 'updateReconciliationSchedule'
  | 'deleteReconciliationSchedule'
  | 'runReconciliationScheduleNow'
  | 'listSnapshots'
  | 'createSnapshot'
  | 'getSnapshot'
  | 'deleteSnapshot'
  | 'verifySnapshot'
  | 'listRollbacks'
  | 'createRollback'
  | 'getRollback'
  | 'getReadSources'
  | 'switchReadSource'
  | 'setCutoverState'
  | 'listSwitchHistory'
  | 'listFreezeWindows'
  | 'createFreezeWindow'
  | 'activateFreezeWindow'
  | 'completeFreezeWindow'
  | 'cancelFreezeWindow'
  | 'listReconciliations'
  | 'startReconciliation'
  | 'getReconciliation'
  | 'listAuditEvents';

type OperationEntry = Omit<OperationSpec, 'id' | 'params' | 'bodyLimit'> &
  Partial<Pick<OperationSpec, 'bodyLimit'>>;

/** The operations by id, in the order the document lists them. */
const OPERATIONS: Record<CutoverOperationId, OperationEntry> = {
  getHealth: {
    method: 'get',
    path: '/health',
    tag: 'Health',
    summary: 'Liveness of the plugin',
    description: 'Needs no authentication.',
    permission: { anyOf: [], check: 'none' },
    responses: { 200: jsonResponse('Health', 'The plugin is up') },
    noMigration: true,
  },
  listMigrations: {
    method: 'get',
    path: '/migrations',
    tag: 'Migrations',
    summary: 'List migrations',
    description:
      'Migrations the caller may read (others are left out, never refused), ordered by id, filtered by catalog entity, owner or status. Datasets are included.',
    permission: { anyOf: [cutoverMigrationReadPermission], check: 'handler' },
    query: listMigrationsQuerySchema,
    responses: { 200: jsonResponse('MigrationPage', 'A page of migrations') },
    noMigration: true,
    noForbidden: true,
  },
  getPortfolio: {
    method: 'get',
    path: '/portfolio',
    tag: 'Portfolio',
    summary: 'Every migration the caller may read, summarised',
    description:
      'One row per migration (progress, ETA against the planned end, readiness recommendation and risk, open alerts by severity, worst drift, approval state, next milestone, last activity), from summaries the backend refreshes when a migration changes. owner defaults to the groups the signed-in user belongs to (from the catalog); owner=all lists every owner. Sorted by risk (riskiest first) unless sort says otherwise. Migrations the caller may not read are left out.',
    permission: { anyOf: [cutoverMigrationReadPermission], check: 'handler' },
    query: portfolioQuerySchema,
    responses: {
      200: jsonResponse(
        'PortfolioPage',
        'A page of the portfolio, with counts over all pages',
      ),
    },
    noMigration: true,
    noForbidden: true,
  },
  createMigration: {
    audit: 'migration.create',
    method: 'post',
    path: '/migrations',
    tag: 'Migrations',
    summary: 'Create a migration from a plan',
    permission: {
      anyOf: [cutoverMigrationCreatePermission],
      check: 'handler',
    },
    body: MIGRATION_PLAN,
    bodyLimit: 'plan',
    responses: { 201: jsonResponse('Migration', 'The migration created') },
    conflict:
      'A migration with the id already exists (apply the plan with PUT instead)',
    noMigration: true,
  },
  draftPlan: {
    audit: 'plan.draft',
    method: 'post',
    path: '/plans/draft',
    tag: 'Migrations',
    summary: 'Draft a plan from the databases behind two connections',
    description:
      "Reads the catalogs of both databases (tables, primary and foreign keys, row counts; never the rows) and answers a plan for a person to review and apply with PUT /migrations/:id; nothing is applied. The same governance as applying a plan: the caller must belong to the owner, the connections must be the owner's to use, the destination writable, and only tables the connections expose are read.",
    permission: {
      anyOf: [cutoverMigrationCreatePermission],
      check: 'handler',
    },
    body: body(
      'PlanDraftRequest',
      planDraftRequestSchema,
      'The two connections to draft a plan from, the schema to read, and who will own the migration',
    ),
    responses: {
      200: jsonResponse(
        'PlanDraft',
        'The drafted plan, with what a person must decide',
      ),
    },
    noMigration: true,
  },
  applyMigrationPlan: {
    audit: 'migration.apply-plan',
    method: 'put',
    path: '/migrations/:id',
    tag: 'Migrations',
    summary: 'Apply a plan: create or update the migration, idempotently',
    description:
      'Applying a plan again with changes updates the migration without losing its samples, checklist state, approvals or history. Checks cutover.migration.update on an existing migration, cutover.migration.create for a new id.',
    permission: {
      anyOf: [cutoverMigrationUpdatePermission],
      check: 'handler',
      note: `${cutoverMigrationCreatePermission.name} for a new id`,
    },
    body: {
      ...MIGRATION_PLAN,
      component: 'MigrationPlanForPath',
      idFromPath: true,
    },
    bodyLimit: 'plan',
    responses: {
      200: jsonResponse('Migration', 'The migration, updated (or unchanged)'),
      201: jsonResponse('Migration', 'The migration, created'),
    },
    noMigration: true,
  },
  getMigration: readOf(
    '',
    'Migrations',
    'A migration with its datasets',
    'Migration',
  ),
  patchMigration: {
    audit: 'migration.update',
    method: 'patch',
    path: '/migrations/:id',
    tag: 'Migrations',
    summary: 'Change status, control state (RUN / PAUSE / CANCEL) or fields',
    permission: UPDATE,
    body: body(
      'MigrationPatch',
      migrationPatchSchema,
      'Fields to change, control state included',
    ),
    responses: { 200: jsonResponse('Migration', 'The migration, changed') },
    conflict:
      'The status transition is not allowed, or the migration is cancelled',
  },
  archiveMigration: {
    audit: 'migration.archive',
    method: 'delete',
    path: '/migrations/:id',
    tag: 'Migrations',
    summary: 'Archive a migration',
    description:
      'Archived stays archived: PUT and POST on an archived id answer 409; POST /migrations/{id}/restore brings it back.',
    permission: on(cutoverMigrationDeletePermission),
    responses: { 204: emptyResponse('Archived') },
  },
  restoreMigration: {
    audit: 'migration.restore',
    method: 'post',
    path: '/migrations/:id/restore',
    tag: 'Migrations',
    summary:
      'Bring an archived migration back, with its owner, history and approvals',
    description:
      'Checked against the archived migration: its owners (the delete permission on it) may restore it. Its tables are claimed again.',
    permission: {
      anyOf: [cutoverMigrationDeletePermission],
      check: 'handler',
      note: 'on the archived migration',
    },
    body: body(
      'MigrationRestore',
      migrationRestoreSchema,
      'Why the archived migration comes back',
    ),
    responses: { 200: jsonResponse('Migration', 'The migration, restored') },
    conflict: 'Another migration holds one of its tables meanwhile',
  },
  getControlState: readOf(
    '/control',
    'Metrics and dashboard',
    'What jobs are to do: the control state, for jobs to poll',
    'ControlState',
    {
      query: controlQuerySchema,
      description:
        'With ?dataset=, the answer is PAUSE while a paused phase moves that dataset (an unknown dataset is a 404).',
      permission: on(
        cutoverMetricsIngestPermission,
        cutoverMigrationReadPermission,
      ),
    },
  ),
  ingestMetrics: {
    audit: 'metrics.ingest',
    method: 'post',
    path: '/migrations/:id/metrics',
    tag: 'Metrics and dashboard',
    summary: 'Report a batch of metric samples',
    description:
      'A batch with an idempotencyKey seen before answers with the first answer and stores nothing.',
    permission: on(cutoverMetricsIngestPermission),
    body: body(
      'MetricsBatch',
      metricsBatchSchema,
      'Samples from a job; counters are absolute per dataset and timestamped, so a repeated or late sample never double counts',
    ),
    bodyLimit: 'metrics',
    responses: { 200: jsonResponse('IngestResult', 'What was stored') },
    conflict: 'The migration is cancelled',
  },
  getDashboard: readOf(
    '/dashboard',
    'Metrics and dashboard',
    'Progress, rate and quality of the migration and of each dataset',
    'Dashboard',
  ),
  getTrends: readOf(
    '/trends',
    'Metrics and dashboard',
    'Progress and quality over time, in buckets',
    'Trends',
    {
      query: trendsQuerySchema,
      description:
        'range is at most 400d, and range / bucket at most 2000 points (400 otherwise); bucket defaults to one suited to the range; an unknown dataset is a 404.',
    },
  ),
  getTimeline: readOf(
    '/timeline',
    'Timeline',
    'Phases, milestones, critical path, delays and predicted completion',
    'Timeline',
  ),
  putPhase: {
    audit: 'phase.update',
    method: 'put',
    path: '/migrations/:id/phases/:phaseId',
    tag: 'Timeline',
    summary: 'Create or update a phase',
    description:
      'Jobs report progress (progressPercent, status, actualStart, actualEnd, subTasks, errors, warnings only) with cutover.metrics.ingest; any other change needs cutover.migration.update. A phase may not start before the phases it depends on are finished (409).',
    permission: {
      anyOf: [cutoverMigrationUpdatePermission],
      check: 'handler',
      note: `progress only: or ${cutoverMetricsIngestPermission.name}`,
    },
    body: body(
      'PhaseUpdate',
      phaseUpdateSchema,
      'Any of the fields of a phase; creating a phase needs name',
    ),
    responses: { 200: jsonResponse('Phase', 'The phase') },
    conflict:
      'The phase would start before the phases it depends on are finished',
  },
  createSubTask: {
    audit: 'phase.subtask.create',
    method: 'post',
    path: '/migrations/:id/phases/:phaseId/subtasks',
    tag: 'Timeline',
    summary: 'Add a sub-task to a phase',
    description:
      "The phase's progress and status roll up from its sub-tasks. Jobs may use cutover.metrics.ingest.",
    permission: on(
      cutoverMigrationUpdatePermission,
      cutoverMetricsIngestPermission,
    ),
    body: body('SubTaskCreate', subTaskCreateSchema, 'A sub-task of a phase'),
    responses: { 201: jsonResponse('Phase', 'The phase, with the sub-task') },
    conflict:
      'The phase has a sub-task with that id, or would start before the phases it depends on are finished',
  },
  updateSubTask: {
    audit: 'phase.subtask.update',
    method: 'patch',
    path: '/migrations/:id/phases/:phaseId/subtasks/:subTaskId',
    tag: 'Timeline',
    summary: "Change a sub-task's status, progress or name",
    permission: on(
      cutoverMigrationUpdatePermission,
      cutoverMetricsIngestPermission,
    ),
    body: body(
      'SubTaskUpdate',
      subTaskUpdateSchema,
      "A sub-task's name, status or progress",
    ),
    responses: { 200: jsonResponse('Phase', 'The phase, rolled up') },
    conflict:
      'The phase would start before the phases it depends on are finished',
  },
  completeSubTask: {
    audit: 'phase.subtask.complete',
    method: 'post',
    path: '/migrations/:id/phases/:phaseId/subtasks/:subTaskId/complete',
    tag: 'Timeline',
    summary: 'Complete a sub-task',
    permission: on(
      cutoverMigrationUpdatePermission,
      cutoverMetricsIngestPermission,
    ),
    body: PHASE_CONTROL,
    responses: { 200: jsonResponse('Phase', 'The phase, rolled up') },
    conflict:
      'The phase would start before the phases it depends on are finished',
  },
  pausePhase: {
    audit: 'phase.pause',
    method: 'post',
    path: '/migrations/:id/phases/:phaseId/pause',
    tag: 'Timeline',
    summary: 'Pause a phase: jobs of its datasets are told PAUSE',
    description:
      'Jobs polling GET /control?dataset= for a dataset the phase lists get PAUSE; their samples are still taken, marked paused. Pausing a paused phase changes nothing.',
    permission: UPDATE,
    body: PHASE_CONTROL,
    responses: { 200: jsonResponse('Phase', 'The phase') },
    conflict: 'The phase is finished, or the migration cancelled',
  },
  resumePhase: {
    audit: 'phase.resume',
    method: 'post',
    path: '/migrations/:id/phases/:phaseId/resume',
    tag: 'Timeline',
    summary: 'Resume a paused phase',
    permission: UPDATE,
    body: PHASE_CONTROL,
    responses: { 200: jsonResponse('Phase', 'The phase') },
  },
  putMilestone: {
    audit: 'milestone.update',
    method: 'put',
    path: '/migrations/:id/milestones/:milestoneId',
    tag: 'Timeline',
    summary: 'Create or update a milestone',
    permission: UPDATE,
    body: body(
      'MilestoneUpdate',
      milestoneUpdateSchema,
      'Any of the fields of a milestone; creating one needs name',
    ),
    responses: { 200: jsonResponse('Milestone', 'The milestone') },
  },
  getChecklist: readOf(
    '/checklist',
    'Checklist and readiness',
    'The cutover checklist, items grouped by category',
    'Checklist',
  ),
  addChecklistItem: {
    audit: 'checklist.add-item',
    method: 'post',
    path: '/migrations/:id/checklist',
    tag: 'Checklist and readiness',
    summary: 'Add a custom checklist item',
    permission: UPDATE,
    body: body(
      'ChecklistItemCreate',
      checklistItemCreateSchema,
      'A custom checklist item',
    ),
    responses: { 201: jsonResponse('ChecklistItem', 'The item added') },
    conflict: 'An item with the id already exists',
  },
  updateChecklistItem: {
    audit: 'checklist.update',
    method: 'patch',
    path: '/migrations/:id/checklist/:itemId',
    tag: 'Checklist and readiness',
    summary: 'Record the result of a checklist item',
    permission: on(cutoverChecklistUpdatePermission),
    body: body(
      'ChecklistItemUpdate',
      checklistItemUpdateSchema,
      'A result for a checklist item',
    ),
    responses: { 200: jsonResponse('ChecklistItem', 'The item') },
    conflict:
      "The item is decided from the migration's data (its status can't be set by hand), or it changed since `version`",
  },
  getReadiness: readOf(
    '/readiness',
    'Checklist and readiness',
    'GO / NO-GO: score, recommendation, risk, blockers and approval',
    'Readiness',
  ),
  requestApproval: {
    audit: 'approval.request',
    method: 'post',
    path: '/migrations/:id/approval-requests',
    tag: 'Approvals',
    summary: 'Request cutover approval',
    permission: UPDATE,
    body: body(
      'ApprovalRequestCreate',
      approvalRequestSchema,
      'A request for cutover approval',
    ),
    responses: { 201: jsonResponse('ApprovalRequest', 'The open request') },
    conflict: 'The migration already has an open approval request',
  },
  listApprovals: readOf(
    '/approvals',
    'Approvals',
    'Approval requests and decisions',
    'ApprovalHistory',
    { query: pageQuerySchema },
  ),
  decideApproval: {
    audit: 'approval.decide',
    method: 'post',
    path: '/migrations/:id/approvals',
    tag: 'Approvals',
    summary: 'Decide on the open approval request',
    description:
      'Decisions are made by people: a service token is refused (403).',
    permission: on(cutoverApprovalDecidePermission),
    body: body(
      'ApprovalDecisionCreate',
      approvalDecisionSchema,
      'A decision on the open approval request',
    ),
    responses: { 201: jsonResponse('Approval', 'The decision') },
    conflict:
      'No open request; the requester may not decide on it (unless self-approval is allowed); the caller has decided already; readiness is NO_GO (unless overrides are allowed)',
  },
  revokeApproval: {
    audit: 'approval.revoke',
    method: 'post',
    path: '/migrations/:id/approvals/:approvalId/revoke',
    tag: 'Approvals',
    summary: 'Revoke an approval',
    permission: on(cutoverApprovalDecidePermission),
    body: body(
      'ApprovalRevoke',
      approvalRevokeSchema,
      'Why an approval is revoked',
    ),
    responses: { 200: jsonResponse('Approval', 'The approval, revoked') },
    conflict: 'The approval is already revoked',
  },
  listAlerts: readOf(
    '/alerts',
    'Alerts',
    'Alerts, filtered, with statistics',
    'AlertPage',
    { query: alertQuerySchema },
  ),
  raiseAlert: {
    audit: 'alert.raise',
    method: 'post',
    path: '/migrations/:id/alerts',
    tag: 'Alerts',
    summary: 'Raise an alert',
    description:
      'An alert with an idempotencyKey seen before answers with the alert the first request raised.',
    permission: on(
      cutoverMetricsIngestPermission,
      cutoverAlertManagePermission,
    ),
    body: body('AlertCreate', alertCreateSchema, 'An alert to raise'),
    responses: { 201: jsonResponse('Alert', 'The alert') },
  },
  resolveAlert: alertAction(
    'resolve',
    'Resolve an alert',
    body('AlertResolve', alertResolveSchema, 'How an alert was resolved'),
    'The alert is already resolved',
  ),
  reopenAlert: alertAction(
    'reopen',
    'Reopen a resolved alert',
    body('AlertReopen', alertReopenSchema, 'Why an alert is reopened'),
    'The alert is open',
  ),
  assignAlert: alertAction(
    'assign',
    'Assign an alert',
    body(
      'AlertAssign',
      alertAssignSchema,
      'Who an alert is assigned to; null unassigns',
    ),
  ),
  addAlertNote: alertAction(
    'notes',
    'Add a note to an alert',
    body('AlertNoteCreate', alertNoteSchema, 'A note on an alert'),
  ),
  downloadExecutiveReport: download('EXECUTIVE', 'The executive summary (PDF)'),
  downloadDetailedReport: download('DETAILED', 'The detailed workbook (XLSX)'),
  downloadAuditTrail: download('AUDIT_TRAIL', 'The audit trail (CSV)'),
  listStoredReports: readOf(
    '/reports/stored',
    'Reports',
    'Reports delivered by schedules, while they are kept',
    'StoredReportList',
    { permission: on(cutoverReportReadPermission), query: pageQuerySchema },
  ),
  downloadStoredReport: {
    method: 'get',
    path: '/migrations/:id/reports/stored/:reportId',
    tag: 'Reports',
    summary: 'A delivered report',
    description: 'Unknown or expired reports are a 404.',
    permission: on(cutoverReportReadPermission),
    responses: {
      200: {
        kind: 'file',
        description:
          'The report as it was delivered, as an attachment, in the content type of its format',
        contentTypes: Object.values(REPORT_DOWNLOADS).map(f => f.contentType),
      },
    },
  },
  listReportSchedules: readOf(
    '/report-schedules',
    'Reports',
    'Report schedules',
    'ReportScheduleList',
    { permission: on(cutoverReportSchedulePermission), query: pageQuerySchema },
  ),
  createReportSchedule: {
    audit: 'report-schedule.create',
    method: 'post',
    path: '/migrations/:id/report-schedules',
    tag: 'Reports',
    summary: 'Schedule a report',
    permission: on(cutoverReportSchedulePermission),
    body: body(
      'ReportScheduleCreate',
      reportScheduleCreateSchema,
      'A scheduled report',
      {
        rules: [
          'format fits reportType: EXECUTIVE as PDF, DETAILED as XLSX, AUDIT_TRAIL as CSV',
          'a WEEKLY or BIWEEKLY schedule needs dayOfWeek (1 = Monday ... 7 = Sunday)',
          'a MONTHLY schedule needs dayOfMonth (1-31)',
        ],
      },
    ),
    responses: { 201: jsonResponse('ReportSchedule', 'The schedule') },
  },
  getReportSchedule: readOf(
    '/report-schedules/:scheduleId',
    'Reports',
    'A report schedule',
    'ReportSchedule',
    { permission: on(cutoverReportSchedulePermission) },
  ),
  updateReportSchedule: {
    audit: 'report-schedule.update',
    method: 'patch',
    path: '/migrations/:id/report-schedules/:scheduleId',
    tag: 'Reports',
    summary: 'Pause, resume or rename a report schedule',
    permission: on(cutoverReportSchedulePermission),
    body: body(
      'ReportSchedulePatch',
      reportSchedulePatchSchema,
      'Pause, resume or rename a schedule',
    ),
    responses: { 200: jsonResponse('ReportSchedule', 'The schedule') },
  },
  deleteReportSchedule: {
    audit: 'report-schedule.delete',
    method: 'delete',
    path: '/migrations/:id/report-schedules/:scheduleId',
    tag: 'Reports',
    summary: 'Delete a report schedule',
    permission: on(cutoverReportSchedulePermission),
    responses: { 204: emptyResponse('Deleted') },
  },
  listSnapshotSchedules: SNAPSHOT_SCHEDULES.list,
  createSnapshotSchedule: SNAPSHOT_SCHEDULES.create,
  getSnapshotSchedule: SNAPSHOT_SCHEDULES.get,
  updateSnapshotSchedule: SNAPSHOT_SCHEDULES.update,
  deleteSnapshotSchedule: SNAPSHOT_SCHEDULES.remove,
  runSnapshotScheduleNow: SNAPSHOT_SCHEDULES.run,
  listReconciliationSchedules: RECONCILIATION_SCHEDULES.list,
  createReconciliationSchedule: RECONCILIATION_SCHEDULES.create,
  getReconciliationSchedule: RECONCILIATION_SCHEDULES.get,
  updateReconciliationSchedule: RECONCILIATION_SCHEDULES.update,
  deleteReconciliationSchedule: RECONCILIATION_SCHEDULES.remove,
  runReconciliationScheduleNow: RECONCILIATION_SCHEDULES.run,
  listSnapshots: readOf(
    '/snapshots',
    'Snapshots and rollbacks',
    'Snapshots',
    'SnapshotList',
    { query: pageQuerySchema },
  ),
  createSnapshot: {
    audit: 'snapshot.create',
    method: 'post',
    path: '/migrations/:id/snapshots',
    tag: 'Snapshots and rollbacks',
    summary: "Take a snapshot of the migration's datasets on the destination",
    description: JOB,
    permission: on(cutoverSnapshotCreatePermission),
    body: body(
      'SnapshotCreate',
      snapshotCreateSchema,
      "A snapshot of the migration's datasets on the destination",
    ),
    responses: { 202: jsonResponse('Snapshot', 'The snapshot, accepted') },
  },
  getSnapshot: readOf(
    '/snapshots/:snapshotId',
    'Snapshots and rollbacks',
    'A snapshot with its status and figures',
    'Snapshot',
  ),
  deleteSnapshot: {
    audit: 'snapshot.delete',
    method: 'delete',
    path: '/migrations/:id/snapshots/:snapshotId',
    tag: 'Snapshots and rollbacks',
    summary: 'Delete a snapshot and its copies',
    permission: on(cutoverSnapshotDeletePermission),
    responses: { 204: emptyResponse('Deleted') },
    conflict:
      'The snapshot is still being taken or used by a rollback, or its provider is not installed',
  },
  verifySnapshot: {
    audit: 'snapshot.verify',
    method: 'post',
    path: '/migrations/:id/snapshots/:snapshotId/verify',
    tag: 'Snapshots and rollbacks',
    summary: 'Compare a snapshot with the current data',
    description:
      'Takes no body. A full checksum scan of the tables: it needs the permission to take snapshots.',
    permission: on(cutoverSnapshotCreatePermission),
    responses: {
      200: jsonResponse('SnapshotVerification', 'The comparison'),
    },
    conflict: 'The snapshot is not complete, or its provider is not installed',
  },
  listRollbacks: readOf(
    '/rollbacks',
    'Snapshots and rollbacks',
    'Rollbacks',
    'RollbackList',
    { query: pageQuerySchema },
  ),
  createRollback: {
    audit: 'rollback.execute',
    method: 'post',
    path: '/migrations/:id/rollbacks',
    tag: 'Snapshots and rollbacks',
    summary: 'Roll datasets back to a snapshot',
    description: `${JOB} An unknown snapshotId is a 400.`,
    permission: on(cutoverRollbackExecutePermission),
    body: body(
      'RollbackCreate',
      rollbackCreateSchema,
      'A rollback from a complete snapshot',
    ),
    responses: { 202: jsonResponse('Rollback', 'The rollback, accepted') },
    conflict:
      'Another rollback of the migration is running, the snapshot is not complete, or its provider is not installed',
  },
  getRollback: readOf(
    '/rollbacks/:rollbackId',
    'Snapshots and rollbacks',
    'A rollback: status, progress, restored and deleted counts, verification',
    'Rollback',
  ),
  getReadSources: readOf(
    '/read-sources',
    'Cutover',
    'Where applications read each dataset from',
    'ReadSources',
  ),
  switchReadSource: {
    audit: 'readsource.switch',
    method: 'put',
    path: '/migrations/:id/datasets/:dataset/read-source',
    tag: 'Cutover',
    summary: 'Switch where applications read a dataset from',
    description:
      'LEGACY is always allowed; DUAL needs the dataset READY or later, NEW needs CUTOVER or COMPLETED.',
    permission: on(cutoverReadSourceSwitchPermission),
    body: body(
      'ReadSourceSwitch',
      readSourceSwitchSchema,
      'Where applications are to read a dataset from',
    ),
    responses: { 200: jsonResponse('DatasetSwitchEvent', 'The switch made') },
    conflict:
      "The dataset's cutover state does not allow the source, or an active freeze window forbids switching",
  },
  setCutoverState: {
    audit: 'dataset.cutover-state',
    method: 'put',
    path: '/migrations/:id/datasets/:dataset/cutover-state',
    tag: 'Cutover',
    summary: "Move a dataset's cutover state",
    description:
      'Allowed transitions: PENDING -> READY -> CUTOVER -> COMPLETED; READY -> PENDING; CUTOVER or COMPLETED -> ROLLED_BACK -> PENDING. READY also needs the dataset imported with good quality.',
    permission: on(cutoverReadSourceSwitchPermission),
    body: body(
      'CutoverStateChange',
      cutoverStateChangeSchema,
      "A dataset's next cutover state",
    ),
    responses: { 200: jsonResponse('DatasetSwitchEvent', 'The change made') },
    conflict:
      'The transition is not allowed, or the dataset does not meet its conditions',
  },
  listSwitchHistory: readOf(
    '/switch-history',
    'Cutover',
    'Read-source and cutover-state changes',
    'DatasetSwitchEventList',
    { query: switchHistoryQuerySchema },
  ),
  listFreezeWindows: readOf(
    '/freeze-windows',
    'Cutover',
    'Freeze windows',
    'FreezeWindowList',
    { query: pageQuerySchema },
  ),
  createFreezeWindow: {
    audit: 'freeze.plan',
    method: 'post',
    path: '/migrations/:id/freeze-windows',
    tag: 'Cutover',
    summary: 'Plan a freeze window',
    permission: on(cutoverFreezeManagePermission),
    body: body(
      'FreezeWindowCreate',
      freezeWindowCreateSchema,
      'A freeze window',
    ),
    responses: { 201: jsonResponse('FreezeWindow', 'The window, PLANNED') },
    conflict: 'The window overlaps another one of the same datasets',
  },
  activateFreezeWindow: freezeAction('activate', 'Activate a freeze window'),
  completeFreezeWindow: freezeAction('complete', 'Complete a freeze window'),
  cancelFreezeWindow: freezeAction('cancel', 'Cancel a freeze window'),
  listReconciliations: readOf(
    '/reconciliations',
    'Reconciliation',
    'Reconciliation runs with drift per dataset',
    'ReconciliationRunList',
    { query: pageQuerySchema },
  ),
  startReconciliation: {
    audit: 'reconciliation.start',
    method: 'post',
    path: '/migrations/:id/reconciliations',
    tag: 'Reconciliation',
    summary: 'Compare source and destination',
    description: JOB,
    permission: on(cutoverReconcileRunPermission),
    body: body(
      'ReconciliationCreate',
      reconciliationCreateSchema,
      'The datasets to compare (all by default)',
    ),
    responses: {
      202: jsonResponse('ReconciliationRun', 'The run, accepted'),
    },
    conflict: 'A reconciliation of the migration is already running',
  },
  getReconciliation: readOf(
    '/reconciliations/:runId',
    'Reconciliation',
    'A reconciliation run with its per-dataset figures',
    'ReconciliationRun',
  ),
  listAuditEvents: readOf(
    '/audit',
    'Audit',
    'Audit events, newest first',
    'AuditPage',
    { query: pageQuerySchema },
  ),
};

/** An operation of the catalogue. @public */
export type CutoverOperation<
  K extends CutoverOperationId = CutoverOperationId,
> = OperationSpec & { readonly id: K };

/**
 * Every operation of the cutover API by id, in the order the document lists them.
 * @public
 */
export const CUTOVER_OPERATIONS = Object.fromEntries(
  Object.entries(OPERATIONS).map(([id, input]) => [
    id,
    defineOperation({ id, ...input } as OperationSpec),
  ]),
) as { [K in CutoverOperationId]: CutoverOperation<K> };

/** The operations as a list, in document order. @public */
export const cutoverOperations = (): CutoverOperation[] =>
  Object.values(CUTOVER_OPERATIONS);

/** The document's tags with their descriptions, in order. @public */
export const OPERATION_TAGS: ReadonlyArray<{
  name: string;
  description: string;
}> = [
  { name: 'Health', description: 'Liveness' },
  { name: 'Migrations', description: 'Migrations and their plans' },
  {
    name: 'Portfolio',
    description: 'Every migration at a glance, for pages and cards',
  },
  {
    name: 'Metrics and dashboard',
    description: 'Samples from jobs, control state, dashboard and trends',
  },
  { name: 'Timeline', description: 'Phases, milestones, critical path' },
  {
    name: 'Checklist and readiness',
    description: 'Cutover checklist and GO / NO-GO readiness',
  },
  { name: 'Approvals', description: 'Cutover approval requests and decisions' },
  { name: 'Alerts', description: 'Alerts and their lifecycle' },
  {
    name: 'Reports',
    description: 'Report downloads, schedules and delivered reports',
  },
  {
    name: 'Snapshots and rollbacks',
    description: 'Snapshots of the destination and rollbacks to them',
  },
  {
    name: 'Cutover',
    description: 'Per-dataset cutover states, read sources and freeze windows',
  },
  {
    name: 'Reconciliation',
    description: 'Drift between source and destination',
  },
  { name: 'Audit', description: 'Audit trail' },
];
