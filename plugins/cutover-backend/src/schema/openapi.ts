import {
  Alert,
  ALERT_SEVERITIES,
  ALERT_TYPES,
  AlertNote,
  AlertPage,
  AlertStats,
  alertAssignSchema,
  alertCreateSchema,
  alertNoteSchema,
  alertQuerySchema,
  alertReopenSchema,
  alertResolveSchema,
  Approval,
  APPROVAL_DECISIONS,
  approvalDecisionSchema,
  ApprovalRequest,
  approvalRequestSchema,
  approvalRevokeSchema,
  ApprovalState,
  AuditEvent,
  Blocker,
  Checklist,
  ChecklistItem,
  checklistItemCreateSchema,
  checklistItemUpdateSchema,
  CHECKLIST_STATUSES,
  ConnectionRef,
  CONTROL_STATES,
  ControlAnswer,
  controlQuerySchema,
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
  cutoverStateChangeSchema,
  Dashboard,
  DashboardDataset,
  Dataset,
  DATASET_CUTOVER_STATES,
  DatasetProgressStatus,
  DatasetSwitchEvent,
  DriftThresholds,
  ErrorCounts,
  FREEZE_STATUSES,
  FreezeWindow,
  freezeWindowCancelSchema,
  freezeWindowCreateSchema,
  IngestResult,
  JOB_STATUSES,
  listMigrationsQuerySchema,
  metricsBatchSchema,
  Migration,
  PlanDraft,
  MIGRATION_STATUSES,
  migrationIdSchema,
  migrationPatchSchema,
  migrationRestoreSchema,
  migrationPlanSchema,
  planDraftRequestSchema,
  Milestone,
  milestoneUpdateSchema,
  Page,
  pageQuerySchema,
  switchHistoryQuerySchema,
  Phase,
  PHASE_STATUSES,
  phaseUpdateSchema,
  phaseControlSchema,
  ResourceFigures,
  subTaskCreateSchema,
  subTaskUpdateSchema,
  QualityTrend,
  READ_SOURCES,
  Readiness,
  ReadSources,
  readSourceSwitchSchema,
  Recommendation,
  reconciliationCreateSchema,
  ReconciliationDatasetResult,
  ReconciliationRun,
  REPORT_FORMATS,
  REPORT_FREQUENCIES,
  REPORT_TYPES,
  ReportSchedule,
  reportScheduleCreateSchema,
  reportSchedulePatchSchema,
  RiskLevel,
  Rollback,
  rollbackCreateSchema,
  Snapshot,
  snapshotCreateSchema,
  SnapshotVerification,
  SubTask,
  Timeline,
  TimelineDelay,
  timelineIdSchema,
  TimelinePhase,
  Trends,
  trendsQuerySchema,
} from '@switchyard/plugin-cutover-common';
import { z } from 'zod';
import type { StoredReportInfo } from '../database/ReportStore';
import type { ReadinessService } from '../service/ReadinessService';
import { REPORT_FILES } from '../service/ReportService';

/*
 * The OpenAPI 3.1 document of the router in `service/router.ts`, the precise form of the HTTP
 * contract (API.md). Request bodies, query and path parameters are generated from the zod schemas
 * the router parses them with (`z.toJSONSchema`, input side); response bodies are written here from
 * the types of @switchyard/plugin-cutover-common (the compiler checks that every field of a type is
 * listed, and no other). `scripts/openapi.ts` writes the document to `openapi.yaml` next to this
 * file; `openapi.test.ts` keeps the two equal, checks the document against the router's routes and
 * validates real responses against it.
 */

/** A JSON (schema) object. */
export type Json = { [key: string]: unknown };

/** The file the document is kept in, relative to the package root. */
export const OPENAPI_FILE = 'src/schema/openapi.yaml';

/** How the document is regenerated. */
export const OPENAPI_COMMAND = 'node -r @backstage/cli/config/nodeTransform.cjs scripts/openapi.ts --write';

// ----- JSON schema helpers for hand-written response schemas -----

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const nullableRef = (name: string): Json => ({ oneOf: [ref(name), { type: 'null' }] });
const str = (extra: Json = {}): Json => ({ type: 'string', ...extra });
const nstr = (extra: Json = {}): Json => ({ type: ['string', 'null'], ...extra });
const time = (extra: Json = {}): Json => ({ type: 'string', format: 'date-time', ...extra });
const ntime = (extra: Json = {}): Json => ({ type: ['string', 'null'], format: 'date-time', ...extra });
const int = (extra: Json = {}): Json => ({ type: 'integer', ...extra });
const nint = (extra: Json = {}): Json => ({ type: ['integer', 'null'], ...extra });
const num = (extra: Json = {}): Json => ({ type: 'number', ...extra });
const nnum = (extra: Json = {}): Json => ({ type: ['number', 'null'], ...extra });
const bool = (extra: Json = {}): Json => ({ type: 'boolean', ...extra });
const nbool = (extra: Json = {}): Json => ({ type: ['boolean', 'null'], ...extra });
const arr = (items: Json, extra: Json = {}): Json => ({ type: 'array', items, ...extra });
const oneOfValues = (values: readonly string[], extra: Json = {}): Json => ({ type: 'string', enum: [...values], ...extra });
const nOneOfValues = (values: readonly string[], extra: Json = {}): Json => ({
  type: ['string', 'null'],
  enum: [...values, null],
  ...extra,
});
const mapOf = (values: Json, extra: Json = {}): Json => ({ type: 'object', additionalProperties: values, ...extra });
const entityRef = (extra: Json = {}): Json => str({ description: 'An entity ref such as group:default/orders-team', ...extra });
const anyJson = (description: string): Json => ({ description });

/** Every value of a string union, checked by the compiler: `values<'a' | 'b'>()(['a', 'b'])`. */
const values =
  <T extends string>() =>
  <const A extends readonly T[]>(list: A & ([T] extends [A[number]] ? unknown : never)): readonly T[] =>
    list;

type OptionalKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? K : never }[keyof T];

/**
 * An object schema of the type T: `props` must name every field of T and no other (the compiler
 * checks), `optional` exactly its optional fields; the others are required.
 */
const shape =
  <T>() =>
  (
    props: { [K in keyof Required<T>]: Json },
    optional: { [K in OptionalKeys<T>]: true },
    extra: Json = {},
  ): Json => {
    const skip = new Set(Object.keys(optional));
    return {
      type: 'object',
      ...extra,
      properties: props,
      required: Object.keys(props).filter(k => !skip.has(k)),
    };
  };

const page = (name: string, description: string): Json =>
  shape<Page<unknown>>()(
    {
      items: arr(ref(name)),
      totalCount: int({ minimum: 0, description: 'Items in all pages' }),
      nextCursor: nstr({ description: 'Pass as `cursor` for the next page; null on the last one' }),
    },
    {},
    { description },
  );

// ----- response schemas, from the types of @switchyard/plugin-cutover-common -----

const QUALITY_TRENDS = values<QualityTrend>()(['up', 'down', 'flat']);
const PROGRESS_STATUSES = values<DatasetProgressStatus>()(['NOT_STARTED', 'IN_PROGRESS', 'STALLED', 'COMPLETED', 'FAILED']);
const RECOMMENDATIONS = values<Recommendation>()(['GO', 'GO_WITH_CAUTION', 'NO_GO']);
const RISK_LEVELS = values<RiskLevel>()(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);

const percentOrNull = (description: string) => nnum({ minimum: 0, maximum: 100, description });

/** Fields of ProgressFigures, shared by the dashboard and its dataset rows. */
const progressFigures = {
  overallProgress: num({ minimum: 0, maximum: 100, description: 'Imported share of the total, in percent' }),
  totalRecords: int({ minimum: 0 }),
  importedRecords: int({ minimum: 0 }),
  failedRecords: int({ minimum: 0 }),
  skippedRecords: int({ minimum: 0 }),
  importRate: num({ minimum: 0, description: 'Records per minute over the recent window' }),
  estimatedCompletion: ntime(),
  qualityScore: percentOrNull('Mean of the four quality dimensions'),
  qualityTrend: oneOfValues(QUALITY_TRENDS),
  completeness: percentOrNull('0-100'),
  validity: percentOrNull('0-100'),
  consistency: percentOrNull('0-100'),
  accuracy: percentOrNull('0-100'),
  errors: ref('ErrorCounts'),
};

const phaseFields = {
  id: str(),
  name: str(),
  description: nstr(),
  plannedStart: ntime(),
  plannedEnd: ntime(),
  actualStart: ntime(),
  actualEnd: ntime(),
  progressPercent: num({ minimum: 0, maximum: 100 }),
  status: oneOfValues(PHASE_STATUSES),
  dependsOn: arr(str(), { description: 'Ids of the phases this one waits for' }),
  subTasks: arr(ref('SubTask'), { description: 'Their mean progress rolls up into the phase (skipped ones left out)' }),
  errors: arr(str()),
  warnings: arr(str()),
  datasets: arr(str(), { description: 'Datasets the phase moves: their jobs are told PAUSE while the phase is paused' }),
  paused: bool({ description: 'Paused on its own (POST .../pause)' }),
  pausedAt: ntime(),
  pausedBy: nstr(),
};
const PHASE_OPTIONAL = { datasets: true, paused: true, pausedAt: true, pausedBy: true } as const;

const TYPE_SCHEMAS: Record<string, Json> = {
  Error: {
    type: 'object',
    description:
      'Body of every 4xx answer, as the Backstage backend writes errors. `error.message` names the field or the condition.',
    properties: {
      error: {
        type: 'object',
        properties: {
          name: str({
            description: 'InputError (400), AuthenticationError (401), NotAllowedError (403), NotFoundError (404), ConflictError (409), UnsupportedMediaTypeError (415)',
          }),
          message: str(),
        },
        required: ['name', 'message'],
        additionalProperties: true,
      },
      request: {
        type: 'object',
        properties: { method: str(), url: str() },
        additionalProperties: true,
      },
      response: {
        type: 'object',
        properties: { statusCode: int() },
        additionalProperties: true,
      },
    },
    required: ['error'],
    additionalProperties: true,
  },
  Health: shape<{ status: 'ok' }>()({ status: oneOfValues(['ok']) }, {}),
  ConnectionRef: shape<ConnectionRef>()(
    {
      connection: str({ description: 'A connection under cutover.connections in app-config' }),
      description: str(),
    },
    { connection: true, description: true },
  ),
  Dataset: shape<Dataset>()(
    {
      name: str(),
      tier: int({ minimum: 1, maximum: 9 }),
      category: nstr(),
      keyColumns: arr(str()),
      sourceTable: nstr(),
      destinationTable: nstr(),
      columnMap: mapOf(str(), { description: 'Reconciliation: source column -> destination column of another name' }),
      ignoreColumns: arr(str(), { description: 'Reconciliation: columns not compared' }),
      totalRecords: int({ minimum: 0 }),
      importedRecords: int({ minimum: 0 }),
      failedRecords: int({ minimum: 0 }),
      skippedRecords: int({ minimum: 0 }),
      cutoverState: oneOfValues(DATASET_CUTOVER_STATES),
      readSource: oneOfValues(READ_SOURCES),
      lastSampleAt: ntime(),
    },
    { columnMap: true, ignoreColumns: true },
  ),
  Migration: shape<Migration>()(
    {
      id: str(),
      title: str(),
      description: nstr(),
      owner: entityRef(),
      entityRefs: arr(entityRef()),
      approvers: nstr({ description: 'Entity ref of the approvers' }),
      source: nullableRef('ConnectionRef'),
      destination: nullableRef('ConnectionRef'),
      plannedStart: ntime(),
      plannedEnd: ntime(),
      actualStart: ntime(),
      actualEnd: ntime(),
      status: oneOfValues(MIGRATION_STATUSES),
      controlState: oneOfValues(CONTROL_STATES),
      createdAt: time(),
      updatedAt: time(),
      createdBy: nstr(),
      checklistTemplate: str({ description: 'The checklist template the plan chose' }),
      alertRules: shape<NonNullable<Migration['alertRules']>>()(
        {
          qualityBelow: num(),
          errorRateAbove: num(),
          rateDropBelow: num(),
          behindPlanPoints: num(),
          stalledAfterMinutes: int(),
        },
        { qualityBelow: true, errorRateAbove: true, rateDropBelow: true, behindPlanPoints: true, stalledAfterMinutes: true },
        { description: "Threshold-rule overrides from the plan's alertRules" },
      ),
      driftThresholds: shape<Partial<DriftThresholds>>()(
        { warning: num(), critical: num(), rollback: num() },
        { warning: true, critical: true, rollback: true },
        { description: "Drift-threshold overrides from the plan's driftThresholds" },
      ),
      datasets: arr(ref('Dataset'), { description: 'In plan order' }),
    },
    { checklistTemplate: true, alertRules: true, driftThresholds: true },
  ),
  MigrationPage: page('Migration', 'A page of migrations, ordered by id'),
  ControlState: shape<ControlAnswer>()(
    {
      controlState: oneOfValues(CONTROL_STATES, {
        description: 'What jobs are told to do; for the dataset asked about, PAUSE also while a phase moving it is paused',
      }),
      status: oneOfValues(MIGRATION_STATUSES),
      dataset: str({ description: 'The dataset asked about (?dataset=)' }),
      pausedPhases: arr(str(), { description: 'Phases paused on their own; present when any' }),
      pausedDatasets: arr(str(), { description: 'Datasets told PAUSE by a paused phase; present when any' }),
    },
    { dataset: true, pausedPhases: true, pausedDatasets: true },
  ),
  ResourceFigures: shape<ResourceFigures>()(
    {
      bytesMoved: nint({ minimum: 0 }),
      bytesPerSecond: nnum({ minimum: 0, description: 'Over the recent window; 0 when not moving' }),
      cpuSeconds: nnum({ minimum: 0 }),
      memoryPeakBytes: nint({ minimum: 0, description: 'The highest peak reported' }),
      cost: nnum({ minimum: 0, description: 'Cost to date' }),
      projectedCost: nnum({ minimum: 0, description: 'Cost to date divided by the share of records handled' }),
      currency: str({ description: 'cutover.cost.currency (default USD)' }),
    },
    {},
    { description: 'Present only once a job has sent resources or cost' },
  ),
  IngestResult: shape<IngestResult>()(
    {
      accepted: int({ minimum: 0 }),
      duplicates: int({ minimum: 0, description: 'Samples already stored (a retried batch)' }),
      datasets: arr(str()),
      paused: int({ minimum: 1, description: 'Samples taken while their job was told to pause, stored marked paused; present when any' }),
    },
    { paused: true },
  ),
  ErrorCounts: shape<ErrorCounts>()(
    { critical: int({ minimum: 0 }), high: int({ minimum: 0 }), medium: int({ minimum: 0 }), low: int({ minimum: 0 }) },
    {},
  ),
  DashboardDataset: shape<DashboardDataset>()(
    {
      ...progressFigures,
      name: str(),
      tier: int(),
      category: nstr(),
      status: oneOfValues(PROGRESS_STATUSES),
      readSource: oneOfValues(READ_SOURCES),
      cutoverState: oneOfValues(DATASET_CUTOVER_STATES),
      lastSampleAt: ntime(),
      resources: ref('ResourceFigures'),
      errorsByType: mapOf(int({ minimum: 0 }), { description: 'Error counts by type, once the job sends any' }),
      writingWhilePaused: bool({ description: 'Its newest sample came while it was told to pause' }),
      pausedByPhase: str({ description: 'The paused phase that tells its job to pause' }),
    },
    { resources: true, errorsByType: true, writingWhilePaused: true, pausedByPhase: true },
  ),
  Dashboard: shape<Dashboard>()(
    {
      ...progressFigures,
      migrationId: str(),
      title: str(),
      status: oneOfValues(MIGRATION_STATUSES),
      controlState: oneOfValues(CONTROL_STATES),
      plannedStart: ntime(),
      plannedEnd: ntime(),
      actualStart: ntime(),
      elapsedMs: nint({ minimum: 0 }),
      cutoverReady: bool(),
      blockers: arr(str()),
      datasets: arr(ref('DashboardDataset')),
      generatedAt: time(),
      resources: ref('ResourceFigures'),
      writingWhilePaused: arr(str(), { description: 'Datasets whose newest sample came while they were told to pause' }),
      pausedPhases: arr(str(), { description: 'Phases paused on their own' }),
    },
    { resources: true, writingWhilePaused: true, pausedPhases: true },
  ),
  Trends: shape<Trends>()(
    {
      range: str({ description: 'A duration such as 7d' }),
      bucket: str({ description: 'A duration such as 1h' }),
      dataset: nstr(),
      timestamps: arr(time(), { description: 'Start of each bucket; the other arrays are parallel to it' }),
      progressPercent: arr(num()),
      importedRecords: arr(int({ minimum: 0 })),
      importRate: arr(num()),
      qualityScore: arr(nnum()),
      completeness: arr(nnum()),
      validity: arr(nnum()),
      consistency: arr(nnum()),
      accuracy: arr(nnum()),
      bytesPerSecond: arr(num({ minimum: 0 }), { description: 'Present when samples carry bytesMoved' }),
      cost: arr(num({ minimum: 0 }), { description: 'Cost to date at each bucket; present when samples carry cost' }),
    },
    { bytesPerSecond: true, cost: true },
  ),
  AuditEvent: shape<AuditEvent>()(
    {
      id: str(),
      migrationId: str(),
      at: time(),
      actor: str({ description: 'A user entity ref, or service:<subject>' }),
      action: str({ description: 'Such as migration.create or snapshot.create' }),
      target: nstr(),
      before: anyJson('JSON, or null'),
      after: anyJson('JSON, or null'),
      requestId: nstr({ description: 'The x-request-id header of the request' }),
      outcome: str({ enum: ['success', 'failure'], description: 'failure: the request was refused (by a permission or a rule)' }),
      severity: str({ enum: ['low', 'medium', 'high', 'critical'] }),
    },
    {},
  ),
  AuditPage: page('AuditEvent', 'A page of audit events, newest first'),
  SubTask: shape<SubTask>()(
    { id: str(), name: str(), status: oneOfValues(PHASE_STATUSES), progressPercent: num({ minimum: 0, maximum: 100 }) },
    {},
  ),
  Phase: shape<Phase>()(phaseFields, PHASE_OPTIONAL),
  Milestone: shape<Milestone>()(
    { id: str(), name: str(), plannedDate: ntime(), actualDate: ntime(), completed: bool() },
    {},
  ),
  TimelinePhase: shape<TimelinePhase>()(
    {
      ...phaseFields,
      earliestStart: ntime(),
      earliestFinish: ntime(),
      latestStart: ntime(),
      latestFinish: ntime(),
      slackDays: num({ description: 'Days the phase can slip without delaying the end; 0 on the critical path' }),
      critical: bool(),
      delayDays: nnum({ description: 'Days late against plan; null without a plan' }),
    },
    PHASE_OPTIONAL,
  ),
  TimelineDelay: shape<TimelineDelay>()(
    {
      id: str(),
      kind: oneOfValues(values<TimelineDelay['kind']>()(['phase', 'milestone'])),
      name: str(),
      plannedEnd: time(),
      expectedEnd: time({ description: 'Actual end, or the end expected from progress so far' }),
      delayDays: num(),
    },
    {},
  ),
  Timeline: shape<Timeline>()(
    {
      phases: arr(ref('TimelinePhase')),
      milestones: arr(ref('Milestone')),
      criticalPath: arr(str(), { description: 'Phase ids of the critical path, in dependency order' }),
      delays: arr(ref('TimelineDelay')),
      scheduleVarianceDays: num({ description: 'Predicted end minus planned end, in days (positive: late)' }),
      predictedCompletion: ntime(),
      plannedStart: ntime(),
      plannedEnd: ntime(),
    },
    {},
  ),
  ChecklistItem: shape<ChecklistItem>()(
    {
      id: str(),
      category: str(),
      title: str(),
      description: nstr(),
      required: bool(),
      automated: bool({ description: "Decided from the migration's data, not by a person" }),
      status: oneOfValues(CHECKLIST_STATUSES),
      evidence: nstr(),
      notes: nstr(),
      updatedBy: nstr(),
      updatedAt: ntime(),
      version: int({ minimum: 0, description: 'Send it back with a change to refuse concurrent edits (409)' }),
      custom: bool(),
    },
    {},
  ),
  Checklist: shape<Checklist>()(
    {
      template: str(),
      categories: arr(
        shape<Checklist['categories'][number]>()({ category: str(), items: arr(ref('ChecklistItem')) }, {}),
      ),
      summary: shape<Checklist['summary']>()(
        {
          total: int({ minimum: 0 }),
          passed: int({ minimum: 0 }),
          failed: int({ minimum: 0 }),
          notTested: int({ minimum: 0 }),
          requiredOpen: int({ minimum: 0 }),
        },
        {},
      ),
    },
    {},
  ),
  Blocker: shape<Blocker>()(
    {
      severity: oneOfValues(values<Blocker['severity']>()(['CRITICAL', 'HIGH'])),
      source: oneOfValues(values<Blocker['source']>()(['CHECKLIST', 'DATA_QUALITY', 'SYSTEM'])),
      itemId: str(),
      message: str(),
    },
    { itemId: true },
  ),
  ApprovalRequest: shape<ApprovalRequest>()(
    {
      id: str({ format: 'uuid' }),
      requestedBy: str(),
      requestedAt: time(),
      comments: nstr(),
      status: oneOfValues(values<ApprovalRequest['status']>()(['OPEN', 'APPROVED', 'REJECTED', 'CANCELLED'])),
      closedAt: ntime(),
    },
    {},
  ),
  Approval: shape<Approval>()(
    {
      id: str({ format: 'uuid' }),
      requestId: str({ format: 'uuid' }),
      decision: oneOfValues(APPROVAL_DECISIONS),
      approver: str(),
      comments: nstr(),
      conditions: arr(str()),
      recommendation: oneOfValues(RECOMMENDATIONS),
      riskLevel: oneOfValues(RISK_LEVELS),
      score: num({ description: 'Readiness score the decision was made on' }),
      decidedAt: time(),
      expiresAt: ntime(),
      overrideReason: nstr(),
      revokedAt: ntime(),
      revokedBy: nstr(),
      revokeReason: nstr(),
      expired: bool({ description: 'Derived: past its expiry' }),
      stale: bool({
        description:
          "Derived: readiness has fallen below what this decision was given on, or the plan's datasets, approvers or drift thresholds changed since",
      }),
      staleReasons: arr(str(), { description: 'Derived: why it is stale' }),
    },
    { staleReasons: true },
  ),
  ApprovalState: shape<ApprovalState>()(
    {
      status: oneOfValues(
        values<ApprovalState['status']>()(['NONE', 'PENDING', 'APPROVED', 'CONDITIONALLY_APPROVED', 'REJECTED', 'EXPIRED', 'STALE']),
      ),
      request: nullableRef('ApprovalRequest'),
      approvals: arr(ref('Approval')),
      required: int({ minimum: 0 }),
      granted: int({ minimum: 0 }),
      conditions: arr(str()),
    },
    {},
  ),
  ApprovalHistory: shape<Awaited<ReturnType<ReadinessService['history']>> & Page<unknown>>()(
    {
      requests: arr(ref('ApprovalRequest')),
      items: arr(ref('Approval')),
      totalCount: int({ minimum: 0, description: 'Decisions in all pages' }),
      nextCursor: nstr({ description: 'Pass as `cursor` for the next page of decisions; null on the last one' }),
      state: ref('ApprovalState'),
    },
    {},
    { description: 'Approval requests (all of them) and a page of decisions, newest first, with where the approval stands' },
  ),
  Readiness: shape<Readiness>()(
    {
      ready: bool(),
      score: num({ minimum: 0, maximum: 100 }),
      recommendation: oneOfValues(RECOMMENDATIONS),
      riskLevel: oneOfValues(RISK_LEVELS),
      qualityScore: percentOrNull('Mean quality over the datasets'),
      blockers: arr(ref('Blocker')),
      warnings: arr(str()),
      mitigations: arr(str()),
      approval: ref('ApprovalState'),
      evaluatedAt: time(),
    },
    {},
  ),
  AlertNote: shape<AlertNote>()({ at: time(), by: str(), text: str() }, {}),
  Alert: shape<Alert>()(
    {
      id: str({ format: 'uuid' }),
      migrationId: str(),
      alertType: oneOfValues(ALERT_TYPES),
      severity: oneOfValues(ALERT_SEVERITIES),
      title: str(),
      message: nstr(),
      dataset: nstr(),
      recordId: nstr(),
      status: oneOfValues(values<Alert['status']>()(['OPEN', 'RESOLVED'])),
      source: oneOfValues(values<Alert['source']>()(['MANUAL', 'JOB', 'RULE'])),
      ruleKey: nstr(),
      createdAt: time(),
      createdBy: str(),
      targetResolutionTime: time({ description: 'SLA deadline by severity' }),
      assignedTo: nstr({ description: 'Entity ref, lower case' }),
      resolvedAt: ntime(),
      resolvedBy: nstr(),
      resolution: nstr(),
      notes: arr(ref('AlertNote')),
      escalationLevel: int({ minimum: 0 }),
    },
    {},
  ),
  AlertStats: shape<AlertStats>()(
    {
      open: int({ minimum: 0 }),
      resolved: int({ minimum: 0 }),
      overdue: int({ minimum: 0, description: 'Open alerts past their SLA deadline' }),
      bySeverity: shape<AlertStats['bySeverity']>()(
        Object.fromEntries(
          ALERT_SEVERITIES.map(s => [
            s,
            shape<AlertStats['bySeverity']['LOW']>()({ open: int({ minimum: 0 }), resolved: int({ minimum: 0 }) }, {}),
          ]),
        ) as Record<(typeof ALERT_SEVERITIES)[number], Json>,
        {},
      ),
      trend: arr(
        shape<AlertStats['trend'][number]>()(
          { date: str({ format: 'date' }), created: int({ minimum: 0 }), resolved: int({ minimum: 0 }) },
          {},
        ),
        { description: 'Alerts created and resolved per day (UTC), oldest first' },
      ),
    },
    {},
    { description: 'Counts over all alerts of the migration, whatever the filter' },
  ),
  AlertPage: shape<AlertPage>()(
    {
      items: arr(ref('Alert')),
      totalCount: int({ minimum: 0 }),
      nextCursor: nstr(),
      stats: ref('AlertStats'),
    },
    {},
  ),
  StoredReport: shape<StoredReportInfo>()(
    {
      id: str({ format: 'uuid' }),
      migrationId: str(),
      scheduleId: nstr({ format: 'uuid' }),
      reportType: oneOfValues(REPORT_TYPES),
      fileName: str(),
      contentType: str(),
      sizeBytes: int({ minimum: 0 }),
      createdAt: time(),
      expiresAt: time(),
    },
    {},
    { description: 'A report a schedule delivered, kept until it expires (without its content)' },
  ),
  ReportSchedule: shape<ReportSchedule>()(
    {
      id: str({ format: 'uuid' }),
      migrationId: str(),
      name: str(),
      reportType: oneOfValues(REPORT_TYPES),
      format: oneOfValues(REPORT_FORMATS),
      frequency: oneOfValues(REPORT_FREQUENCIES),
      dayOfWeek: nint({ minimum: 1, maximum: 7, description: '1 (Monday) - 7 (Sunday), for WEEKLY and BIWEEKLY' }),
      dayOfMonth: nint({ minimum: 1, maximum: 31, description: '1-31 for MONTHLY' }),
      time: str({ description: 'Local time of day, HH:mm' }),
      timezone: str({ description: 'IANA time zone the time is in' }),
      recipients: arr(entityRef()),
      enabled: bool(),
      createdAt: time(),
      createdBy: str(),
      lastRunAt: ntime(),
      nextRunAt: ntime(),
      lastReportUrl: nstr({ description: 'Link (a path in the portal) to the last report delivered, while it is kept' }),
      lastError: nstr(),
    },
    {},
  ),
  SnapshotVerification: shape<SnapshotVerification>()(
    {
      at: time(),
      matches: bool(),
      datasets: arr(
        shape<SnapshotVerification['datasets'][number]>()(
          {
            dataset: str(),
            snapshotCount: int({ minimum: 0 }),
            currentCount: int({ minimum: 0 }),
            snapshotChecksum: str(),
            currentChecksum: str(),
            matches: bool(),
          },
          {},
        ),
      ),
    },
    {},
  ),
  Snapshot: shape<Snapshot>()(
    {
      id: str({ format: 'uuid' }),
      migrationId: str(),
      name: str(),
      description: nstr(),
      datasets: arr(str()),
      status: oneOfValues(JOB_STATUSES),
      progress: num({ minimum: 0, maximum: 100 }),
      recordCounts: mapOf(int({ minimum: 0 }), { description: 'Records per dataset' }),
      sizeBytes: int({ minimum: 0 }),
      checksums: mapOf(str(), { description: 'Order-independent checksum per dataset' }),
      locations: mapOf(str(), { description: "Where each dataset's copy is kept" }),
      provider: nstr(),
      createdAt: time(),
      createdBy: str(),
      finishedAt: ntime(),
      expiresAt: ntime(),
      error: nstr(),
      backupForRollback: nstr({ description: 'The rollback this snapshot was taken before, if any' }),
      lastVerification: nullableRef('SnapshotVerification'),
    },
    {},
  ),
  Rollback: shape<Rollback>()(
    {
      id: str({ format: 'uuid' }),
      migrationId: str(),
      snapshotId: str(),
      datasets: arr(str()),
      status: oneOfValues(JOB_STATUSES),
      progress: num({ minimum: 0, maximum: 100 }),
      recordsRestored: int({ minimum: 0 }),
      recordsDeleted: int({ minimum: 0 }),
      durationMs: nint({ minimum: 0 }),
      errors: arr(shape<Rollback['errors'][number]>()({ dataset: nstr(), message: str() }, {})),
      verified: nbool({ description: "Null until verified; true when counts and checksums equal the snapshot's" }),
      verifyAfter: bool(),
      createBackup: bool(),
      backupSnapshotId: nstr(),
      results: arr(
        shape<Rollback['results'][number]>()(
          {
            dataset: str(),
            status: oneOfValues(values<Rollback['results'][number]['status']>()(['PENDING', 'RESTORED', 'FAILED'])),
            recordsRestored: int({ minimum: 0 }),
            recordsDeleted: int({ minimum: 0 }),
            verified: nbool(),
          },
          {},
        ),
        { description: 'Per-dataset outcome' },
      ),
      createdAt: time(),
      createdBy: str(),
      startedAt: ntime(),
      finishedAt: ntime(),
    },
    {},
  ),
  ReadSources: shape<ReadSources>()(
    {
      migrationId: str(),
      datasets: mapOf(oneOfValues(READ_SOURCES), { description: 'Where applications read each dataset from' }),
      rollouts: mapOf(
        shape<NonNullable<ReadSources['rollouts']>[string]>()(
          { source: oneOfValues(READ_SOURCES), percent: num({ minimum: 1, maximum: 99 }) },
          {},
        ),
        { description: 'Gradual rollouts: source for percent% of targeting keys (by rolloutBucket); absent when none' },
      ),
      updatedAt: time({ description: 'When any switch last changed' }),
    },
    { rollouts: true },
  ),
  DatasetSwitchEvent: shape<DatasetSwitchEvent>()(
    {
      id: str(),
      migrationId: str(),
      dataset: str(),
      kind: oneOfValues(values<DatasetSwitchEvent['kind']>()(['READ_SOURCE', 'CUTOVER_STATE'])),
      from: str(),
      to: str(),
      reason: str(),
      actor: str(),
      at: time(),
      automatic: bool({ description: 'Made by Switchyard itself (drift-triggered rollback)' }),
      overrideReason: nstr({ description: 'Set when the approval gate was overridden in an emergency: why' }),
    },
    { overrideReason: true },
  ),
  FreezeWindow: shape<FreezeWindow>()(
    {
      id: str({ format: 'uuid' }),
      migrationId: str(),
      name: str(),
      description: nstr(),
      datasets: arr(str()),
      startsAt: time(),
      endsAt: time(),
      status: oneOfValues(FREEZE_STATUSES),
      allowReadSourceSwitch: bool(),
      createdAt: time(),
      createdBy: str(),
      activatedAt: ntime(),
      completedAt: ntime(),
      cancelledAt: ntime(),
      cancelReason: nstr(),
    },
    {},
  ),
  DriftThresholds: shape<DriftThresholds>()(
    {
      warning: num({ minimum: 0, maximum: 1 }),
      critical: num({ minimum: 0, maximum: 1 }),
      rollback: num({ minimum: 0, maximum: 1 }),
    },
    {},
  ),
  ReconciliationDatasetResult: shape<ReconciliationDatasetResult>()(
    {
      name: str(),
      status: oneOfValues(JOB_STATUSES),
      sourceCount: nint({ minimum: 0 }),
      destinationCount: nint({ minimum: 0 }),
      missingInDestination: nint({ minimum: 0 }),
      missingInSource: nint({ minimum: 0 }),
      mismatched: nint({ minimum: 0 }),
      driftRatio: nnum({ minimum: 0, maximum: 1, description: 'Share of rows that differ' }),
      level: nOneOfValues(values<NonNullable<ReconciliationDatasetResult['level']>>()(['OK', 'WARNING', 'CRITICAL', 'ROLLBACK'])),
      sampleKeys: arr(
        shape<ReconciliationDatasetResult['sampleKeys'][number]>()(
          {
            key: { type: 'object', additionalProperties: true, description: 'Key column values of the row' },
            kind: oneOfValues(
              values<ReconciliationDatasetResult['sampleKeys'][number]['kind']>()(['missingInDestination', 'missingInSource', 'mismatched']),
            ),
          },
          {},
        ),
      ),
      rowsCompared: nint({ minimum: 0 }),
      durationMs: nint({ minimum: 0 }),
      error: nstr(),
      notes: arr(str(), { description: 'What the reconciler says about the comparison, e.g. columns it did not compare' }),
    },
    { notes: true },
  ),
  ReconciliationRun: shape<ReconciliationRun>()(
    {
      id: str({ format: 'uuid' }),
      migrationId: str(),
      status: oneOfValues(JOB_STATUSES),
      trigger: oneOfValues(values<ReconciliationRun['trigger']>()(['MANUAL', 'SCHEDULED'])),
      progress: num({ minimum: 0, maximum: 100 }),
      createdBy: str(),
      createdAt: time(),
      startedAt: ntime(),
      finishedAt: ntime(),
      datasets: arr(ref('ReconciliationDatasetResult')),
      error: nstr(),
      thresholds: ref('DriftThresholds'),
    },
    {},
  ),
  StoredReportList: page('StoredReport', 'Delivered reports still kept, newest first'),
  ReportScheduleList: page('ReportSchedule', 'The report schedules of the migration'),
  SnapshotList: page('Snapshot', 'Snapshots of the migration, newest first'),
  RollbackList: page('Rollback', 'Rollbacks of the migration'),
  DatasetSwitchEventList: page('DatasetSwitchEvent', 'Read-source and cutover-state changes'),
  FreezeWindowList: page('FreezeWindow', 'Freeze windows of the migration'),
  ReconciliationRunList: page('ReconciliationRun', 'Reconciliation runs of the migration'),
  PlanDraft: shape<PlanDraft>()(
    {
      plan: ref('MigrationPlan'),
      yaml: str({ description: 'The plan as YAML, with comments where a person must decide' }),
      relations: arr(
        shape<PlanDraft['relations'][number]>()(
          { dataset: str(), columns: arr(str()), references: str(), referencedColumns: arr(str()) },
          {},
        ),
        { description: 'Foreign keys between datasets: what ordered the tiers, and what integrity checks follow' },
      ),
      unkeyed: arr(shape<PlanDraft['unkeyed'][number]>()({ table: str(), reason: str() }, {}), {
        description: 'Tables on both sides that cannot be reconciled by key, and why',
      }),
      excluded: arr(
        shape<PlanDraft['excluded'][number]>()(
          { side: oneOfValues(['source', 'destination']), table: str(), reason: str() },
          {},
        ),
        { description: "Tables left out: not exposed by the connection's rules, or names a plan cannot hold" },
      ),
      onlyInSource: arr(str()),
      onlyInDestination: arr(str()),
      notes: arr(str()),
    },
    {},
  ),
};

// ----- request bodies and parameters, generated from the router's zod schemas -----

/**
 * What the JSON schema of a zod schema can't say: cross-field rules of `superRefine`, which carry
 * no message of their own (`.refine` messages are added by `toJsonSchema`).
 */
const EXTRA_RULES: Record<string, string[]> = {
  MigrationPlan: [
    'dataset names are unique',
    'phase ids are unique',
    'phases[].dependsOn names phases of the plan, without dependency cycles',
    'plannedEnd is not before plannedStart',
  ],
  ReportScheduleCreate: [
    'format fits reportType: EXECUTIVE as PDF, DETAILED as XLSX, AUDIT_TRAIL as CSV',
    'a WEEKLY or BIWEEKLY schedule needs dayOfWeek (1 = Monday ... 7 = Sunday)',
    'a MONTHLY schedule needs dayOfMonth (1-31)',
  ],
};

type ZodChecks = Array<{ _zod: { def: Record<string, unknown> } }>;
const checksOf = (schema: z.core.$ZodType): ZodChecks =>
  ((schema._zod.def as { checks?: ZodChecks }).checks ?? []);

/**
 * A pattern for `source` that matches what the regular expression matches with the `i` flag
 * (JSON schema patterns have no flags): letters outside classes become a class of both cases;
 * classes get the other case of the letters they hold.
 */
export function caseInsensitivePattern(source: string): string {
  const isLetter = (c: string) => /^[A-Za-z]$/.test(c);
  const swap = (c: string) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());
  /** Letters as compact ranges: `A-Z`, `a-c`, `x`. */
  const ranges = (letters: Set<string>) => {
    const codes = [...letters].map(c => c.charCodeAt(0)).sort((a, b) => a - b);
    let out = '';
    for (let i = 0; i < codes.length; ) {
      let j = i;
      while (j + 1 < codes.length && codes[j + 1] === codes[j] + 1 && isLetter(String.fromCharCode(codes[j + 1]))) j++;
      const from = String.fromCharCode(codes[i]);
      const to = String.fromCharCode(codes[j]);
      out += j - i >= 2 ? `${from}-${to}` : codes.slice(i, j + 1).map(c => String.fromCharCode(c)).join('');
      i = j + 1;
    }
    return out;
  };
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      out += source.slice(i, i + 2);
      i += 1;
    } else if (c === '[') {
      let end = i + 1;
      if (source[end] === '^') end += 1;
      if (source[end] === ']') end += 1;
      while (end < source.length && source[end] !== ']') end += source[end] === '\\' ? 2 : 1;
      const negated = source[i + 1] === '^';
      const body = source.slice(i + (negated ? 2 : 1), end);
      const covered = new Set<string>();
      for (let j = 0; j < body.length; j++) {
        if (body[j] === '\\') {
          j += 1;
        } else if (body[j + 1] === '-' && j + 2 < body.length && isLetter(body[j]) && isLetter(body[j + 2])) {
          for (let k = body.charCodeAt(j); k <= body.charCodeAt(j + 2); k++) {
            if (isLetter(String.fromCharCode(k))) covered.add(String.fromCharCode(k));
          }
          j += 2;
        } else if (isLetter(body[j])) {
          covered.add(body[j]);
        }
      }
      const added = new Set([...covered].map(swap).filter(l => !covered.has(l)));
      out += `[${negated ? '^' : ''}${ranges(added)}${body}]`;
      i = end;
    } else if (isLetter(c)) {
      out += `[${c}${swap(c)}]`;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * The JSON schema of the input a zod schema accepts. Refinements JSON schema can't express are
 * named in the description; case-insensitive patterns are spelled out. Types JSON schema can't
 * represent at all (dates, bigints, transforms' outputs, ...) make generation fail rather than
 * document something the router would not accept.
 */
export function toJsonSchema(schema: z.ZodType, rules: string[] = []): Json {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'throw',
    override: ctx => {
      const out = ctx.jsonSchema as Json;
      const refinements: string[] = [];
      for (const check of checksOf(ctx.zodSchema)) {
        const def = check._zod.def;
        if (def.check === 'custom') {
          const message = typeof def.error === 'function' ? def.error() : undefined;
          const path = Array.isArray(def.path) && def.path.length ? `${def.path.join('.')}: ` : '';
          if (typeof message === 'string') refinements.push(`${path}${message}`);
        }
        if (def.format === 'regex' && def.pattern instanceof RegExp && def.pattern.flags.includes('i')) {
          const { source } = def.pattern;
          if (out.pattern === source) out.pattern = caseInsensitivePattern(source);
          for (const part of (out.allOf as Json[] | undefined) ?? []) {
            if (part.pattern === source) part.pattern = caseInsensitivePattern(source);
          }
        }
      }
      if (refinements.length) {
        out.description = [out.description, `Also checked: ${refinements.join('; ')}.`].filter(Boolean).join(' ');
      }
    },
  }) as Json;
  delete json.$schema;
  if (rules.length) {
    json.description = [json.description, `Also checked: ${rules.join('; ')}.`].filter(Boolean).join(' ');
  }
  return json;
}

/** Request bodies: component name, zod schema, description. */
const BODY_SCHEMAS: Record<string, { schema: z.ZodType; description: string }> = {
  MigrationPlan: { schema: migrationPlanSchema, description: 'A migration plan (API.md, "The plan")' },
  PlanDraftRequest: {
    schema: planDraftRequestSchema,
    description: 'The two connections to draft a plan from, the schema to read, and who will own the migration',
  },
  MigrationPatch: { schema: migrationPatchSchema, description: 'Fields to change, control state included' },
  MigrationRestore: { schema: migrationRestoreSchema, description: 'Why the archived migration comes back' },
  MetricsBatch: {
    schema: metricsBatchSchema,
    description: 'Samples from a job; counters are absolute per dataset and timestamped, so a repeated or late sample never double counts',
  },
  PhaseUpdate: {
    schema: phaseUpdateSchema,
    description: 'Any of the fields of a phase; creating a phase needs name',
  },
  SubTaskCreate: { schema: subTaskCreateSchema, description: 'A sub-task of a phase' },
  SubTaskUpdate: { schema: subTaskUpdateSchema, description: "A sub-task's name, status or progress" },
  PhaseControl: { schema: phaseControlSchema, description: 'Why (kept in the audit trail)' },
  MilestoneUpdate: { schema: milestoneUpdateSchema, description: 'Any of the fields of a milestone; creating one needs name' },
  ChecklistItemCreate: { schema: checklistItemCreateSchema, description: 'A custom checklist item' },
  ChecklistItemUpdate: { schema: checklistItemUpdateSchema, description: 'A result for a checklist item' },
  ApprovalRequestCreate: { schema: approvalRequestSchema, description: 'A request for cutover approval' },
  ApprovalDecisionCreate: { schema: approvalDecisionSchema, description: 'A decision on the open approval request' },
  ApprovalRevoke: { schema: approvalRevokeSchema, description: 'Why an approval is revoked' },
  AlertCreate: { schema: alertCreateSchema, description: 'An alert to raise' },
  AlertResolve: { schema: alertResolveSchema, description: 'How an alert was resolved' },
  AlertReopen: { schema: alertReopenSchema, description: 'Why an alert is reopened' },
  AlertAssign: { schema: alertAssignSchema, description: 'Who an alert is assigned to; null unassigns' },
  AlertNoteCreate: { schema: alertNoteSchema, description: 'A note on an alert' },
  ReportScheduleCreate: { schema: reportScheduleCreateSchema, description: 'A scheduled report' },
  ReportSchedulePatch: { schema: reportSchedulePatchSchema, description: 'Pause, resume or rename a schedule' },
  SnapshotCreate: { schema: snapshotCreateSchema, description: "A snapshot of the migration's datasets on the destination" },
  RollbackCreate: { schema: rollbackCreateSchema, description: 'A rollback from a complete snapshot' },
  ReadSourceSwitch: { schema: readSourceSwitchSchema, description: 'Where applications are to read a dataset from' },
  CutoverStateChange: { schema: cutoverStateChangeSchema, description: "A dataset's next cutover state" },
  FreezeWindowCreate: { schema: freezeWindowCreateSchema, description: 'A freeze window' },
  FreezeWindowTransition: { schema: freezeWindowCancelSchema, description: 'Why, optionally' },
  ReconciliationCreate: { schema: reconciliationCreateSchema, description: 'The datasets to compare (all by default)' },
};

function bodySchemas(): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [name, { schema, description }] of Object.entries(BODY_SCHEMAS)) {
    const { description: rules, ...json } = toJsonSchema(schema, EXTRA_RULES[name]);
    out[name] = { description: [`${description}.`, rules].filter(Boolean).join(' '), ...json };
  }
  // PUT /migrations/{id} takes the id from the path: in the body it is optional and must match.
  const plan = out.MigrationPlan;
  out.MigrationPlanForPath = {
    ...plan,
    description: `${String(plan.description)} The id comes from the path; a body id must equal it.`,
    required: (plan.required as string[]).filter(k => k !== 'id'),
  };
  return out;
}

/** Path parameters of the router and the schemas it parses them with (router.ts, `pathParam`). */
const uuid = (what: string) => z.string().uuid(`must be ${what}`);
const PATH_PARAMS: Record<string, { component: string; schema: z.ZodType; description: string }> = {
  id: { component: 'MigrationId', schema: migrationIdSchema, description: 'Migration id' },
  phaseId: { component: 'PhaseId', schema: timelineIdSchema, description: 'Phase id' },
  subTaskId: { component: 'SubTaskId', schema: timelineIdSchema, description: 'Sub-task id' },
  milestoneId: { component: 'MilestoneId', schema: timelineIdSchema, description: 'Milestone id' },
  itemId: { component: 'ChecklistItemId', schema: timelineIdSchema, description: 'Checklist item id' },
  approvalId: { component: 'ApprovalId', schema: uuid('an approval id'), description: 'Approval id' },
  alertId: { component: 'AlertId', schema: uuid('an alert id'), description: 'Alert id' },
  reportId: { component: 'ReportId', schema: uuid('a report id'), description: 'Delivered report id' },
  scheduleId: { component: 'ReportScheduleId', schema: uuid('a report schedule id'), description: 'Report schedule id' },
  snapshotId: { component: 'SnapshotId', schema: uuid('a snapshot id'), description: 'Snapshot id' },
  rollbackId: { component: 'RollbackId', schema: uuid('a rollback id'), description: 'Rollback id' },
  dataset: {
    component: 'DatasetName',
    schema: z.string().min(1).max(127).regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'must be a dataset name'),
    description: 'Dataset name',
  },
  windowId: { component: 'FreezeWindowId', schema: uuid('a freeze window id'), description: 'Freeze window id' },
  runId: { component: 'ReconciliationRunId', schema: uuid('a reconciliation run id'), description: 'Reconciliation run id' },
};

/** The path parameters as components, referenced by the operations. */
function pathParameters(): Record<string, Json> {
  return Object.fromEntries(
    Object.entries(PATH_PARAMS).map(([name, { component, schema, description }]) => [
      component,
      { name, in: 'path', required: true, description, schema: toJsonSchema(schema) },
    ]),
  );
}

/** The query of `GET /migrations/:id/switch-history` (inline in router.ts). */

/** Query parameters from a strict zod object: one parameter per key. */
function queryParameters(schema: z.ZodType): Json[] {
  const json = toJsonSchema(schema);
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(json.properties as Record<string, Json>).map(([name, property]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema: property,
  }));
}

// ----- the routes -----

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

interface RouteDoc {
  method: Method;
  /** Express path template, relative to /api/cutover. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  /** The permission the route checks (router.ts; the README's permissions table). */
  permission: string;
  query?: z.ZodType;
  /** Component name of the request body. */
  body?: string;
  /** Success answers by status. */
  responses: Record<string, Json>;
  /** Whether a conflicting state is refused with 409. */
  conflict?: string;
  /** The route names no existing migration (it lists them, or creates one): no 404 for one. */
  noMigration?: boolean;
  /** The route never answers 403 (it leaves out what the caller may not see). */
  noForbidden?: boolean;
}

const jsonResponse = (schema: string, description: string): Json => ({
  description,
  content: { 'application/json': { schema: ref(schema) } },
});
const noContent = (description: string): Json => ({ description });

/** Content types of the report downloads (ReportService, REPORT_FILES); the CSV is text. */
const FILES = {
  EXECUTIVE: { contentType: REPORT_FILES.EXECUTIVE.contentType, media: {} as Json },
  DETAILED: { contentType: REPORT_FILES.DETAILED.contentType, media: {} as Json },
  AUDIT_TRAIL: { contentType: REPORT_FILES.AUDIT_TRAIL.contentType, media: { schema: str() } as Json },
};

const download = (file: keyof typeof FILES, description: string): Json => ({
  description,
  headers: { 'Content-Disposition': { $ref: '#/components/headers/ContentDisposition' } },
  content: { [FILES[file].contentType]: FILES[file].media },
});

const READ = cutoverMigrationReadPermission.name;
const UPDATE = cutoverMigrationUpdatePermission.name;
const INGEST = cutoverMetricsIngestPermission.name;

const readOf = (
  path: string,
  operationId: string,
  tag: string,
  summary: string,
  schema: string,
  extra: Partial<RouteDoc> = {},
): RouteDoc => ({
  method: 'get',
  path: `/migrations/:id${path}`,
  operationId,
  tag,
  summary,
  permission: READ,
  responses: { '200': jsonResponse(schema, summary) },
  ...extra,
});

const JOB =
  'Long work: answers 202 with the job resource (status PENDING), which moves PENDING -> RUNNING -> SUCCEEDED | FAILED with progress; poll it, or listen to the signal published on every change.';

/** Every route of router.ts (the test checks both ways). */
export const ROUTE_DOCS: RouteDoc[] = [
  {
    method: 'get',
    path: '/health',
    operationId: 'getHealth',
    tag: 'Health',
    summary: 'Liveness of the plugin',
    description: 'Needs no authentication.',
    permission: 'none',
    responses: { '200': jsonResponse('Health', 'The plugin is up') },
    noMigration: true,
  },
  {
    method: 'get',
    path: '/migrations',
    operationId: 'listMigrations',
    tag: 'Migrations',
    summary: 'List migrations',
    description:
      'Migrations the caller may read (others are left out, never refused), ordered by id, filtered by catalog entity, owner or status. Datasets are included.',
    permission: READ,
    query: listMigrationsQuerySchema,
    responses: { '200': jsonResponse('MigrationPage', 'A page of migrations') },
    noMigration: true,
    noForbidden: true,
  },
  {
    method: 'post',
    path: '/migrations',
    operationId: 'createMigration',
    tag: 'Migrations',
    summary: 'Create a migration from a plan',
    permission: cutoverMigrationCreatePermission.name,
    body: 'MigrationPlan',
    responses: { '201': jsonResponse('Migration', 'The migration created') },
    conflict: 'A migration with the id already exists (apply the plan with PUT instead)',
    noMigration: true,
  },
  {
    method: 'post',
    path: '/plans/draft',
    operationId: 'draftPlan',
    tag: 'Migrations',
    summary: 'Draft a plan from the databases behind two connections',
    description:
      "Reads the catalogs of both databases (tables, primary and foreign keys, row counts; never the rows) and answers a plan for a person to review and apply with PUT /migrations/:id; nothing is applied. The same governance as applying a plan: the caller must belong to the owner, the connections must be the owner's to use, the destination writable, and only tables the connections expose are read.",
    permission: cutoverMigrationCreatePermission.name,
    body: 'PlanDraftRequest',
    responses: { '200': jsonResponse('PlanDraft', 'The drafted plan, with what a person must decide') },
    noMigration: true,
  },
  {
    method: 'put',
    path: '/migrations/:id',
    operationId: 'applyMigrationPlan',
    tag: 'Migrations',
    summary: 'Apply a plan: create or update the migration, idempotently',
    description:
      "Applying a plan again with changes updates the migration without losing its samples, checklist state, approvals or history. Checks cutover.migration.update on an existing migration, cutover.migration.create for a new id.",
    permission: `${UPDATE} (${cutoverMigrationCreatePermission.name} for a new id)`,
    body: 'MigrationPlanForPath',
    responses: {
      '200': jsonResponse('Migration', 'The migration, updated (or unchanged)'),
      '201': jsonResponse('Migration', 'The migration, created'),
    },
    noMigration: true,
  },
  readOf('', 'getMigration', 'Migrations', 'A migration with its datasets', 'Migration'),
  {
    method: 'patch',
    path: '/migrations/:id',
    operationId: 'patchMigration',
    tag: 'Migrations',
    summary: 'Change status, control state (RUN / PAUSE / CANCEL) or fields',
    permission: UPDATE,
    body: 'MigrationPatch',
    responses: { '200': jsonResponse('Migration', 'The migration, changed') },
    conflict: 'The status transition is not allowed, or the migration is cancelled',
  },
  {
    method: 'delete',
    path: '/migrations/:id',
    operationId: 'archiveMigration',
    tag: 'Migrations',
    summary: 'Archive a migration',
    description: 'Archived stays archived: PUT and POST on an archived id answer 409; POST /migrations/{id}/restore brings it back.',
    permission: cutoverMigrationDeletePermission.name,
    responses: { '204': noContent('Archived') },
  },
  {
    method: 'post',
    path: '/migrations/:id/restore',
    operationId: 'restoreMigration',
    tag: 'Migrations',
    summary: 'Bring an archived migration back, with its owner, history and approvals',
    description:
      'Checked against the archived migration: its owners (the delete permission on it) may restore it. Its tables are claimed again.',
    permission: `${cutoverMigrationDeletePermission.name} (on the archived migration)`,
    body: 'MigrationRestore',
    responses: { '200': jsonResponse('Migration', 'The migration, restored') },
    conflict: 'Another migration holds one of its tables meanwhile',
  },
  readOf('/control', 'getControlState', 'Metrics and dashboard', 'What jobs are to do: the control state, for jobs to poll', 'ControlState', {
    permission: `${INGEST} or ${READ}`,
    query: controlQuerySchema,
    description:
      'With ?dataset=, the answer is PAUSE while a paused phase moves that dataset (an unknown dataset is a 404).',
  }),
  {
    method: 'post',
    path: '/migrations/:id/metrics',
    operationId: 'ingestMetrics',
    tag: 'Metrics and dashboard',
    summary: 'Report a batch of metric samples',
    description: 'A batch with an idempotencyKey seen before answers with the first answer and stores nothing.',
    permission: INGEST,
    body: 'MetricsBatch',
    responses: { '200': jsonResponse('IngestResult', 'What was stored') },
    conflict: 'The migration is cancelled',
  },
  readOf('/dashboard', 'getDashboard', 'Metrics and dashboard', 'Progress, rate and quality of the migration and of each dataset', 'Dashboard'),
  readOf('/trends', 'getTrends', 'Metrics and dashboard', 'Progress and quality over time, in buckets', 'Trends', {
    query: trendsQuerySchema,
    description:
      'range is at most 400d, and range / bucket at most 2000 points (400 otherwise); bucket defaults to one suited to the range; an unknown dataset is a 404.',
  }),
  readOf('/timeline', 'getTimeline', 'Timeline', 'Phases, milestones, critical path, delays and predicted completion', 'Timeline'),
  {
    method: 'put',
    path: '/migrations/:id/phases/:phaseId',
    operationId: 'putPhase',
    tag: 'Timeline',
    summary: 'Create or update a phase',
    description:
      'Jobs report progress (progressPercent, status, actualStart, actualEnd, subTasks, errors, warnings only) with cutover.metrics.ingest; any other change needs cutover.migration.update. A phase may not start before the phases it depends on are finished (409).',
    permission: `${UPDATE} (progress only: or ${INGEST})`,
    body: 'PhaseUpdate',
    responses: { '200': jsonResponse('Phase', 'The phase') },
    conflict: 'The phase would start before the phases it depends on are finished',
  },
  {
    method: 'post',
    path: '/migrations/:id/phases/:phaseId/subtasks',
    operationId: 'createSubTask',
    tag: 'Timeline',
    summary: 'Add a sub-task to a phase',
    description: "The phase's progress and status roll up from its sub-tasks. Jobs may use cutover.metrics.ingest.",
    permission: `${UPDATE} or ${INGEST}`,
    body: 'SubTaskCreate',
    responses: { '201': jsonResponse('Phase', 'The phase, with the sub-task') },
    conflict: 'The phase has a sub-task with that id, or would start before the phases it depends on are finished',
  },
  {
    method: 'patch',
    path: '/migrations/:id/phases/:phaseId/subtasks/:subTaskId',
    operationId: 'updateSubTask',
    tag: 'Timeline',
    summary: "Change a sub-task's status, progress or name",
    permission: `${UPDATE} or ${INGEST}`,
    body: 'SubTaskUpdate',
    responses: { '200': jsonResponse('Phase', 'The phase, rolled up') },
    conflict: 'The phase would start before the phases it depends on are finished',
  },
  {
    method: 'post',
    path: '/migrations/:id/phases/:phaseId/subtasks/:subTaskId/complete',
    operationId: 'completeSubTask',
    tag: 'Timeline',
    summary: 'Complete a sub-task',
    permission: `${UPDATE} or ${INGEST}`,
    body: 'PhaseControl',
    responses: { '200': jsonResponse('Phase', 'The phase, rolled up') },
    conflict: 'The phase would start before the phases it depends on are finished',
  },
  {
    method: 'post',
    path: '/migrations/:id/phases/:phaseId/pause',
    operationId: 'pausePhase',
    tag: 'Timeline',
    summary: 'Pause a phase: jobs of its datasets are told PAUSE',
    description:
      'Jobs polling GET /control?dataset= for a dataset the phase lists get PAUSE; their samples are still taken, marked paused. Pausing a paused phase changes nothing.',
    permission: UPDATE,
    body: 'PhaseControl',
    responses: { '200': jsonResponse('Phase', 'The phase') },
    conflict: 'The phase is finished, or the migration cancelled',
  },
  {
    method: 'post',
    path: '/migrations/:id/phases/:phaseId/resume',
    operationId: 'resumePhase',
    tag: 'Timeline',
    summary: 'Resume a paused phase',
    permission: UPDATE,
    body: 'PhaseControl',
    responses: { '200': jsonResponse('Phase', 'The phase') },
  },
  {
    method: 'put',
    path: '/migrations/:id/milestones/:milestoneId',
    operationId: 'putMilestone',
    tag: 'Timeline',
    summary: 'Create or update a milestone',
    permission: UPDATE,
    body: 'MilestoneUpdate',
    responses: { '200': jsonResponse('Milestone', 'The milestone') },
  },
  readOf('/checklist', 'getChecklist', 'Checklist and readiness', 'The cutover checklist, items grouped by category', 'Checklist'),
  {
    method: 'post',
    path: '/migrations/:id/checklist',
    operationId: 'addChecklistItem',
    tag: 'Checklist and readiness',
    summary: 'Add a custom checklist item',
    permission: UPDATE,
    body: 'ChecklistItemCreate',
    responses: { '201': jsonResponse('ChecklistItem', 'The item added') },
    conflict: 'An item with the id already exists',
  },
  {
    method: 'patch',
    path: '/migrations/:id/checklist/:itemId',
    operationId: 'updateChecklistItem',
    tag: 'Checklist and readiness',
    summary: 'Record the result of a checklist item',
    permission: cutoverChecklistUpdatePermission.name,
    body: 'ChecklistItemUpdate',
    responses: { '200': jsonResponse('ChecklistItem', 'The item') },
    conflict: "The item is decided from the migration's data (its status can't be set by hand), or it changed since `version`",
  },
  readOf('/readiness', 'getReadiness', 'Checklist and readiness', 'GO / NO-GO: score, recommendation, risk, blockers and approval', 'Readiness'),
  {
    method: 'post',
    path: '/migrations/:id/approval-requests',
    operationId: 'requestApproval',
    tag: 'Approvals',
    summary: 'Request cutover approval',
    permission: UPDATE,
    body: 'ApprovalRequestCreate',
    responses: { '201': jsonResponse('ApprovalRequest', 'The open request') },
    conflict: 'The migration already has an open approval request',
  },
  readOf('/approvals', 'listApprovals', 'Approvals', 'Approval requests and decisions', 'ApprovalHistory', { query: pageQuerySchema }),
  {
    method: 'post',
    path: '/migrations/:id/approvals',
    operationId: 'decideApproval',
    tag: 'Approvals',
    summary: 'Decide on the open approval request',
    description: 'Decisions are made by people: a service token is refused (403).',
    permission: cutoverApprovalDecidePermission.name,
    body: 'ApprovalDecisionCreate',
    responses: { '201': jsonResponse('Approval', 'The decision') },
    conflict:
      'No open request; the requester may not decide on it (unless self-approval is allowed); the caller has decided already; readiness is NO_GO (unless overrides are allowed)',
  },
  {
    method: 'post',
    path: '/migrations/:id/approvals/:approvalId/revoke',
    operationId: 'revokeApproval',
    tag: 'Approvals',
    summary: 'Revoke an approval',
    permission: cutoverApprovalDecidePermission.name,
    body: 'ApprovalRevoke',
    responses: { '200': jsonResponse('Approval', 'The approval, revoked') },
    conflict: 'The approval is already revoked',
  },
  readOf('/alerts', 'listAlerts', 'Alerts', 'Alerts, filtered, with statistics', 'AlertPage', { query: alertQuerySchema }),
  {
    method: 'post',
    path: '/migrations/:id/alerts',
    operationId: 'raiseAlert',
    tag: 'Alerts',
    summary: 'Raise an alert',
    description: 'An alert with an idempotencyKey seen before answers with the alert the first request raised.',
    permission: `${INGEST} or ${cutoverAlertManagePermission.name}`,
    body: 'AlertCreate',
    responses: { '201': jsonResponse('Alert', 'The alert') },
  },
  ...(
    [
      ['resolve', 'resolveAlert', 'Resolve an alert', 'AlertResolve', 'The alert is already resolved'],
      ['reopen', 'reopenAlert', 'Reopen a resolved alert', 'AlertReopen', 'The alert is open'],
      ['assign', 'assignAlert', 'Assign an alert', 'AlertAssign', undefined],
      ['notes', 'addAlertNote', 'Add a note to an alert', 'AlertNoteCreate', undefined],
    ] as const
  ).map(
    ([action, operationId, summary, body, conflict]): RouteDoc => ({
      method: 'post',
      path: `/migrations/:id/alerts/:alertId/${action}`,
      operationId,
      tag: 'Alerts',
      summary,
      permission: cutoverAlertManagePermission.name,
      body,
      responses: { '200': jsonResponse('Alert', 'The alert') },
      conflict,
    }),
  ),
  ...(
    [
      ['EXECUTIVE', 'downloadExecutiveReport', 'The executive summary (PDF)'],
      ['DETAILED', 'downloadDetailedReport', 'The detailed workbook (XLSX)'],
      ['AUDIT_TRAIL', 'downloadAuditTrail', 'The audit trail (CSV)'],
    ] as const
  ).map(
    ([type, operationId, summary]): RouteDoc => ({
      method: 'get',
      path: `/migrations/:id/reports/${REPORT_FILES[type].file}`,
      operationId,
      tag: 'Reports',
      summary,
      permission: cutoverReportReadPermission.name,
      responses: { '200': download(type, `${summary}, rendered now, as an attachment named <id>-${REPORT_FILES[type].file}`) },
    }),
  ),
  readOf('/reports/stored', 'listStoredReports', 'Reports', 'Reports delivered by schedules, while they are kept', 'StoredReportList', {
    permission: cutoverReportReadPermission.name,
    query: pageQuerySchema,
  }),
  {
    method: 'get',
    path: '/migrations/:id/reports/stored/:reportId',
    operationId: 'downloadStoredReport',
    tag: 'Reports',
    summary: 'A delivered report',
    description: 'Unknown or expired reports are a 404.',
    permission: cutoverReportReadPermission.name,
    responses: {
      '200': {
        description: 'The report as it was delivered, as an attachment, in the content type of its format',
        headers: { 'Content-Disposition': { $ref: '#/components/headers/ContentDisposition' } },
        content: Object.fromEntries(Object.values(FILES).map(f => [f.contentType, f.media])),
      },
    },
  },
  readOf('/report-schedules', 'listReportSchedules', 'Reports', 'Report schedules', 'ReportScheduleList', {
    permission: cutoverReportSchedulePermission.name,
    query: pageQuerySchema,
  }),
  {
    method: 'post',
    path: '/migrations/:id/report-schedules',
    operationId: 'createReportSchedule',
    tag: 'Reports',
    summary: 'Schedule a report',
    permission: cutoverReportSchedulePermission.name,
    body: 'ReportScheduleCreate',
    responses: { '201': jsonResponse('ReportSchedule', 'The schedule') },
  },
  readOf('/report-schedules/:scheduleId', 'getReportSchedule', 'Reports', 'A report schedule', 'ReportSchedule', {
    permission: cutoverReportSchedulePermission.name,
  }),
  {
    method: 'patch',
    path: '/migrations/:id/report-schedules/:scheduleId',
    operationId: 'updateReportSchedule',
    tag: 'Reports',
    summary: 'Pause, resume or rename a report schedule',
    permission: cutoverReportSchedulePermission.name,
    body: 'ReportSchedulePatch',
    responses: { '200': jsonResponse('ReportSchedule', 'The schedule') },
  },
  {
    method: 'delete',
    path: '/migrations/:id/report-schedules/:scheduleId',
    operationId: 'deleteReportSchedule',
    tag: 'Reports',
    summary: 'Delete a report schedule',
    permission: cutoverReportSchedulePermission.name,
    responses: { '204': noContent('Deleted') },
  },
  readOf('/snapshots', 'listSnapshots', 'Snapshots and rollbacks', 'Snapshots', 'SnapshotList', { query: pageQuerySchema }),
  {
    method: 'post',
    path: '/migrations/:id/snapshots',
    operationId: 'createSnapshot',
    tag: 'Snapshots and rollbacks',
    summary: "Take a snapshot of the migration's datasets on the destination",
    description: JOB,
    permission: cutoverSnapshotCreatePermission.name,
    body: 'SnapshotCreate',
    responses: { '202': jsonResponse('Snapshot', 'The snapshot, accepted') },
  },
  readOf('/snapshots/:snapshotId', 'getSnapshot', 'Snapshots and rollbacks', 'A snapshot with its status and figures', 'Snapshot'),
  {
    method: 'delete',
    path: '/migrations/:id/snapshots/:snapshotId',
    operationId: 'deleteSnapshot',
    tag: 'Snapshots and rollbacks',
    summary: 'Delete a snapshot and its copies',
    permission: cutoverSnapshotDeletePermission.name,
    responses: { '204': noContent('Deleted') },
    conflict: 'The snapshot is still being taken or used by a rollback, or its provider is not installed',
  },
  {
    method: 'post',
    path: '/migrations/:id/snapshots/:snapshotId/verify',
    operationId: 'verifySnapshot',
    tag: 'Snapshots and rollbacks',
    summary: 'Compare a snapshot with the current data',
    description: 'Takes no body. A full checksum scan of the tables: it needs the permission to take snapshots.',
    permission: cutoverSnapshotCreatePermission.name,
    responses: { '200': jsonResponse('SnapshotVerification', 'The comparison') },
    conflict: 'The snapshot is not complete, or its provider is not installed',
  },
  readOf('/rollbacks', 'listRollbacks', 'Snapshots and rollbacks', 'Rollbacks', 'RollbackList', { query: pageQuerySchema }),
  {
    method: 'post',
    path: '/migrations/:id/rollbacks',
    operationId: 'createRollback',
    tag: 'Snapshots and rollbacks',
    summary: 'Roll datasets back to a snapshot',
    description: `${JOB} An unknown snapshotId is a 400.`,
    permission: cutoverRollbackExecutePermission.name,
    body: 'RollbackCreate',
    responses: { '202': jsonResponse('Rollback', 'The rollback, accepted') },
    conflict: 'Another rollback of the migration is running, the snapshot is not complete, or its provider is not installed',
  },
  readOf('/rollbacks/:rollbackId', 'getRollback', 'Snapshots and rollbacks', 'A rollback: status, progress, restored and deleted counts, verification', 'Rollback'),
  readOf('/read-sources', 'getReadSources', 'Cutover execution', 'Where applications read each dataset from', 'ReadSources'),
  {
    method: 'put',
    path: '/migrations/:id/datasets/:dataset/read-source',
    operationId: 'switchReadSource',
    tag: 'Cutover execution',
    summary: 'Switch where applications read a dataset from',
    description: 'LEGACY is always allowed; DUAL needs the dataset READY or later, NEW needs CUTOVER or COMPLETED.',
    permission: cutoverReadSourceSwitchPermission.name,
    body: 'ReadSourceSwitch',
    responses: { '200': jsonResponse('DatasetSwitchEvent', 'The switch made') },
    conflict: "The dataset's cutover state does not allow the source, or an active freeze window forbids switching",
  },
  {
    method: 'put',
    path: '/migrations/:id/datasets/:dataset/cutover-state',
    operationId: 'setCutoverState',
    tag: 'Cutover execution',
    summary: "Move a dataset's cutover state",
    description: 'Allowed transitions: PENDING -> READY -> CUTOVER -> COMPLETED; READY -> PENDING; CUTOVER or COMPLETED -> ROLLED_BACK -> PENDING. READY also needs the dataset imported with good quality.',
    permission: cutoverReadSourceSwitchPermission.name,
    body: 'CutoverStateChange',
    responses: { '200': jsonResponse('DatasetSwitchEvent', 'The change made') },
    conflict: 'The transition is not allowed, or the dataset does not meet its conditions',
  },
  readOf('/switch-history', 'listSwitchHistory', 'Cutover execution', 'Read-source and cutover-state changes', 'DatasetSwitchEventList', {
    query: switchHistoryQuerySchema,
  }),
  readOf('/freeze-windows', 'listFreezeWindows', 'Cutover execution', 'Freeze windows', 'FreezeWindowList', { query: pageQuerySchema }),
  {
    method: 'post',
    path: '/migrations/:id/freeze-windows',
    operationId: 'createFreezeWindow',
    tag: 'Cutover execution',
    summary: 'Plan a freeze window',
    permission: cutoverFreezeManagePermission.name,
    body: 'FreezeWindowCreate',
    responses: { '201': jsonResponse('FreezeWindow', 'The window, PLANNED') },
    conflict: 'The window overlaps another one of the same datasets',
  },
  ...(
    [
      ['activate', 'activateFreezeWindow', 'Activate a freeze window'],
      ['complete', 'completeFreezeWindow', 'Complete a freeze window'],
      ['cancel', 'cancelFreezeWindow', 'Cancel a freeze window'],
    ] as const
  ).map(
    ([action, operationId, summary]): RouteDoc => ({
      method: 'post',
      path: `/migrations/:id/freeze-windows/:windowId/${action}`,
      operationId,
      tag: 'Cutover execution',
      summary,
      permission: cutoverFreezeManagePermission.name,
      body: 'FreezeWindowTransition',
      responses: { '200': jsonResponse('FreezeWindow', 'The window') },
      conflict: "The window's status does not allow it",
    }),
  ),
  readOf('/reconciliations', 'listReconciliations', 'Reconciliation', 'Reconciliation runs with drift per dataset', 'ReconciliationRunList', { query: pageQuerySchema }),
  {
    method: 'post',
    path: '/migrations/:id/reconciliations',
    operationId: 'startReconciliation',
    tag: 'Reconciliation',
    summary: 'Compare source and destination',
    description: JOB,
    permission: cutoverReconcileRunPermission.name,
    body: 'ReconciliationCreate',
    responses: { '202': jsonResponse('ReconciliationRun', 'The run, accepted') },
    conflict: 'A reconciliation of the migration is already running',
  },
  readOf('/reconciliations/:runId', 'getReconciliation', 'Reconciliation', 'A reconciliation run with its per-dataset figures', 'ReconciliationRun'),
  readOf('/audit', 'listAuditEvents', 'Audit', 'Audit events, newest first', 'AuditPage', { query: pageQuerySchema }),
];

const TAGS: Array<{ name: string; description: string }> = [
  { name: 'Health', description: 'Liveness' },
  { name: 'Migrations', description: 'Migrations and their plans' },
  { name: 'Metrics and dashboard', description: 'Samples from jobs, control state, dashboard and trends' },
  { name: 'Timeline', description: 'Phases, milestones, critical path' },
  { name: 'Checklist and readiness', description: 'Cutover checklist and GO / NO-GO readiness' },
  { name: 'Approvals', description: 'Cutover approval requests and decisions' },
  { name: 'Alerts', description: 'Alerts and their lifecycle' },
  { name: 'Reports', description: 'Report downloads, schedules and delivered reports' },
  { name: 'Snapshots and rollbacks', description: 'Snapshots of the destination and rollbacks to them' },
  { name: 'Cutover execution', description: 'Read sources, cutover states and freeze windows' },
  { name: 'Reconciliation', description: 'Drift between source and destination' },
  { name: 'Audit', description: 'Audit trail' },
];

/** `/migrations/:id` -> `/migrations/{id}`. */
export const openApiPath = (expressPath: string) => expressPath.replace(/:([A-Za-z]+)/g, '{$1}');

const errorResponse = (description: string): Json => ({
  description,
  content: { 'application/json': { schema: ref('Error') } },
});

function operation(route: RouteDoc): Json {
  const params = [...route.path.matchAll(/:([A-Za-z]+)/g)].map(m => m[1]);
  const parameters: Json[] = params.map(name => {
    const known = PATH_PARAMS[name];
    if (!known) throw new Error(`No schema for the path parameter :${name} of ${route.method} ${route.path}`);
    return { $ref: `#/components/parameters/${known.component}` };
  });
  if (route.query) parameters.push(...queryParameters(route.query));
  const authenticated = route.permission !== 'none';
  if (authenticated) parameters.push({ $ref: '#/components/parameters/RequestId' });

  const responses: Json = { ...route.responses };
  if (authenticated) {
    responses['400'] = { $ref: '#/components/responses/BadRequest' };
    responses['401'] = { $ref: '#/components/responses/Unauthorized' };
    if (!route.noForbidden) responses['403'] = { $ref: '#/components/responses/Forbidden' };
    if (!route.noMigration) responses['404'] = { $ref: '#/components/responses/NotFound' };
    if (route.conflict) responses['409'] = errorResponse(`Conflicting state: ${route.conflict}`);
  }
  if (route.method === 'post' || route.method === 'put' || route.method === 'patch') {
    responses['415'] = { $ref: '#/components/responses/UnsupportedMediaType' };
  }

  const out: Json = {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
  };
  if (route.description) out.description = route.description;
  out['x-permission'] = route.permission;
  if (!authenticated) out.security = [];
  if (parameters.length) out.parameters = parameters;
  if (route.body) {
    const schema = BODY_SCHEMAS[route.body === 'MigrationPlanForPath' ? 'MigrationPlan' : route.body].schema;
    out.requestBody = {
      required: !schema.safeParse({}).success,
      content: { 'application/json': { schema: ref(route.body) } },
    };
  }
  out.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
  return out;
}

/** The OpenAPI document of the router. */
export function openApiDocument(): Json {
  const paths: Record<string, Json> = {};
  for (const route of ROUTE_DOCS) {
    const item = (paths[openApiPath(route.path)] ??= {});
    if (item[route.method]) throw new Error(`${route.method} ${route.path} is listed twice`);
    item[route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchyard cutover API',
      version: '1',
      summary: 'Migration progress and cutover control (the cutover backend plugin)',
      description: [
        'The HTTP API of the cutover backend, mounted at /api/cutover. JSON in and out; timestamps are ISO-8601 UTC; ids are strings.',
        'Every request but GET /health is authenticated with a Backstage user or service token (401 without one) and authorized',
        'with the permission in `x-permission` (403 when not permitted); resource permissions are decided on the migration of the path,',
        'so a policy can allow actions to its owners only. Invalid input is a 400 naming the field, an unknown id a 404, a conflicting',
        'state a 409; a POST, PUT or PATCH body that is not sent as application/json is a 415. Shapes may grow: clients ignore fields',
        `they don't know. Generated by scripts/openapi.ts (\`${OPENAPI_COMMAND}\`); do not edit by hand.`,
      ].join(' '),
    },
    servers: [{ url: '/api/cutover', description: 'The cutover plugin, on the Backstage backend' }],
    security: [{ backstageToken: [] }],
    tags: TAGS,
    paths,
    components: {
      schemas: { ...TYPE_SCHEMAS, ...bodySchemas() },
      parameters: {
        ...pathParameters(),
        RequestId: {
          name: 'x-request-id',
          in: 'header',
          required: false,
          description: 'Recorded with the audit events of the request (the first 127 characters)',
          schema: str(),
        },
      },
      headers: {
        ContentDisposition: {
          description: 'attachment; filename="..."',
          schema: str(),
        },
      },
      responses: {
        BadRequest: errorResponse('Invalid input (path, query or body): error.name is InputError and the message names the field'),
        Unauthorized: errorResponse('No valid credentials'),
        Forbidden: errorResponse('The caller is not permitted (x-permission)'),
        NotFound: errorResponse('No migration with the id, or no resource with the id in it'),
        UnsupportedMediaType: errorResponse('A body not sent as Content-Type: application/json'),
      },
      securitySchemes: {
        backstageToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'A Backstage user token, or a service token (jobs, other plugins)',
        },
      },
    },
  };
}

/** Options of `yaml`'s `stringify` the document is written with. */
export interface YamlOptions {
  lineWidth: number;
  aliasDuplicateObjects: boolean;
}

/**
 * The document as YAML, with a header saying how it is made. The `yaml` package is passed in: it
 * is a development dependency (of the script and the test), not one of the plugin.
 */
export function openApiYaml(stringify: (value: unknown, options: YamlOptions) => string): string {
  const header = [
    '# The OpenAPI document of the cutover backend (plugins/cutover-backend/src/service/router.ts).',
    `# Generated from plugins/cutover-backend/src/schema/openapi.ts; do not edit. Regenerate with`,
    `#   ${OPENAPI_COMMAND}`,
  ].join('\n');
  return `${header}\n${stringify(openApiDocument(), { lineWidth: 0, aliasDuplicateObjects: false })}`;
}
