import type { z } from 'zod';
import type { responseSchemas } from './responseSchemas';

/*
 * Constants of the domain, and its types. The types of response bodies are inferred from their zod
 * schemas in `responseSchemas.ts` (the contract); each is an interface extending the inferred type, so
 * that declarations and messages name it. The others are written here.
 */

/** Lifecycle of a migration. @public */
export const MIGRATION_STATUSES = [
  'PLANNED',
  'IN_PROGRESS',
  'PAUSED',
  'COMPLETED',
  'FAILED',
  'ROLLED_BACK',
  'CANCELLED',
] as const;
/** @public */
export type MigrationStatus = (typeof MIGRATION_STATUSES)[number];

/** What jobs are told to do when they poll. @public */
export const CONTROL_STATES = ['RUN', 'PAUSE', 'CANCEL'] as const;
/** @public */
export type ControlState = (typeof CONTROL_STATES)[number];

/** Per-dataset cutover state. @public */
export const DATASET_CUTOVER_STATES = [
  'PENDING',
  'READY',
  'CUTOVER',
  'COMPLETED',
  'ROLLED_BACK',
] as const;
/** @public */
export type DatasetCutoverState = (typeof DATASET_CUTOVER_STATES)[number];

/** Which side applications read a dataset from. @public */
export const READ_SOURCES = ['LEGACY', 'DUAL', 'NEW'] as const;
/** @public */
export type ReadSource = (typeof READ_SOURCES)[number];

/** Direction of the quality score over the recent window. @public */
export type QualityTrend = 'up' | 'down' | 'flat';

/** The four data quality dimensions, each 0-100. @public */
export interface QualityDimensions {
  completeness: number | null;
  validity: number | null;
  consistency: number | null;
  accuracy: number | null;
}

/** Error counts by severity. @public */
export interface ErrorCounts
  extends z.infer<typeof responseSchemas.ErrorCounts> {}

/** Where a dataset lives on one side of the migration. @public */
export interface ConnectionRef
  extends z.infer<typeof responseSchemas.ConnectionRef> {}

/** A dataset (a table or record type being moved) as stored. @public */
export interface Dataset extends z.infer<typeof responseSchemas.Dataset> {}

/** A migration with its datasets. @public */
export interface Migration extends z.infer<typeof responseSchemas.Migration> {}

/** A declared foreign-key relation between two datasets. @public */
export type IntegrityRelation = NonNullable<PlanIntegrity['relations']>[number];

/** A read-only query compared between both sides. @public */
export type GoldenQuery = NonNullable<PlanIntegrity['goldenQueries']>[number];

/** The plan's integrity checks. @public */
export interface PlanIntegrity
  extends z.infer<typeof responseSchemas.PlanIntegrity> {}

/** Thresholds of the automatic rollbacks besides drift. @public */
export interface SafetyTriggers {
  enabled: boolean;
  /** Share (0-1) of failed records after the switch. */
  errorRate: number;
  /** Relative slowdown of a golden query on the new side (0.2 = 20 %). */
  goldenQuerySlowdown: number;
  /** Slowdowns below this many milliseconds are ignored. */
  minSlowdownMs: number;
}

/** Progress figures shared by the migration and each dataset on the dashboard. @public */
export interface ProgressFigures extends QualityDimensions {
  overallProgress: number;
  totalRecords: number;
  importedRecords: number;
  failedRecords: number;
  skippedRecords: number;
  /** Records per minute over the recent window. */
  importRate: number;
  estimatedCompletion: string | null;
  qualityScore: number | null;
  qualityTrend: QualityTrend;
  errors: ErrorCounts;
}

/** One dataset's row on the dashboard. @public */
export interface DashboardDataset
  extends z.infer<typeof responseSchemas.DashboardDataset> {}

/** Progress status of one dataset, derived from its figures. @public */
export type DatasetProgressStatus =
  | 'NOT_STARTED'
  | 'IN_PROGRESS'
  | 'STALLED'
  | 'COMPLETED'
  | 'FAILED';

/** Body of `GET /migrations/:id/dashboard`. @public */
export interface Dashboard extends z.infer<typeof responseSchemas.Dashboard> {}

/** Body of `GET /migrations/:id/trends`. @public */
export interface Trends extends z.infer<typeof responseSchemas.Trends> {}

/** A page of a list. @public */
export interface Page<T> {
  items: T[];
  totalCount: number;
  nextCursor: string | null;
}

/** One audit event. @public */
export interface AuditEvent
  extends z.infer<typeof responseSchemas.AuditEvent> {}

/** Body of `POST /migrations/:id/metrics`. @public */
export interface IngestResult
  extends z.infer<typeof responseSchemas.IngestResult> {}

/** Kinds of signal published on `cutover:<migrationId>`. @public */
export type CutoverSignalType =
  | 'migration'
  | 'progress'
  | 'quality'
  | 'alert'
  | 'checklist'
  | 'approval'
  | 'snapshot'
  | 'rollback'
  | 'timeline'
  | 'readsource'
  | 'reconciliation';

/** The message of a cutover signal: ids and types only, clients refetch. @public */
export interface CutoverSignal {
  migrationId: string;
  /** The first change of the burst. */
  type: CutoverSignalType;
  /** Every kind of change coalesced into this signal. */
  types: CutoverSignalType[];
  at: string;
}

/** The signal channel of a migration. @public */
export function cutoverSignalChannel(migrationId: string): string {
  return `cutover:${migrationId}`;
}

/** Catalog annotation that lists the migrations of an entity. @public */
export const CUTOVER_MIGRATION_ANNOTATION = 'switchyard.dev/migration';

/** Status of a phase. @public */
export const PHASE_STATUSES = [
  'PENDING',
  'IN_PROGRESS',
  'COMPLETED',
  'FAILED',
  'SKIPPED',
] as const;
/** @public */
export type PhaseStatus = (typeof PHASE_STATUSES)[number];

/** A sub-task of a phase. @public */
export interface SubTask extends z.infer<typeof responseSchemas.SubTask> {}

/** A phase of a migration's timeline. @public */
export interface Phase extends z.infer<typeof responseSchemas.Phase> {}

/** Body of `GET /migrations/:id/control`: what jobs are told to do. @public */
export interface ControlAnswer
  extends z.infer<typeof responseSchemas.ControlState> {}

/** Resources and cost of a migration or dataset; present only once a job has sent any. @public */
export interface ResourceFigures
  extends z.infer<typeof responseSchemas.ResourceFigures> {}

/** A milestone of a migration's timeline. @public */
export interface Milestone extends z.infer<typeof responseSchemas.Milestone> {}

/** Result of a checklist item. @public */
export const CHECKLIST_STATUSES = ['PASS', 'FAIL', 'NOT_TESTED'] as const;
/** @public */
export type ChecklistStatus = (typeof CHECKLIST_STATUSES)[number];

/** A checklist item with its current result. @public */
export interface ChecklistItem
  extends z.infer<typeof responseSchemas.ChecklistItem> {}

/** Body of `GET /migrations/:id/checklist`. @public */
export interface Checklist extends z.infer<typeof responseSchemas.Checklist> {}

/** GO / NO-GO recommendation. @public */
export type Recommendation = 'GO' | 'GO_WITH_CAUTION' | 'NO_GO';
/** Risk of cutting over now. @public */
export type RiskLevel = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/** Something that stands in the way of a cutover. @public */
export interface Blocker extends z.infer<typeof responseSchemas.Blocker> {}

/**
 * Where a blocker is fixed: `readiness#checklist`, `readiness#approval`, `migration#alerts`,
 * `migration#quality`, `cutover#reconciliation`, `cutover#freeze-windows` or `cutover#datasets`.
 * @public
 */
export type BlockerFix = NonNullable<Blocker['fixIn']>;

/** What stands between one dataset and CUTOVER / NEW reads. @public */
export interface DatasetCutoverGate
  extends z.infer<typeof responseSchemas.DatasetCutoverGate> {}

/** The cutover gate: per dataset, what stands between it and CUTOVER / NEW reads. @public */
export interface CutoverGate
  extends z.infer<typeof responseSchemas.CutoverGate> {}

/** Decision on an approval request. @public */
export const APPROVAL_DECISIONS = [
  'APPROVED',
  'CONDITIONAL',
  'REJECTED',
] as const;
/** @public */
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];

/** One approver's decision. @public */
export interface Approval extends z.infer<typeof responseSchemas.Approval> {}

/** A request for cutover approval. @public */
export interface ApprovalRequest
  extends z.infer<typeof responseSchemas.ApprovalRequest> {}

/** Where a migration's approval stands. @public */
export interface ApprovalState
  extends z.infer<typeof responseSchemas.ApprovalState> {}

/**
 * Body of `GET /migrations/:id/approvals`: every approval request, a page of decisions (newest
 * first) and where the approval stands.
 * @public
 */
export interface ApprovalHistory
  extends z.infer<typeof responseSchemas.ApprovalHistory> {}

/** Body of `GET /migrations/:id/readiness`. @public */
export interface Readiness extends z.infer<typeof responseSchemas.Readiness> {}

/** A phase with its schedule analysis (critical-path method). @public */
export interface TimelinePhase
  extends z.infer<typeof responseSchemas.TimelinePhase> {}

/** One late phase or milestone. @public */
export interface TimelineDelay
  extends z.infer<typeof responseSchemas.TimelineDelay> {}

/** Body of `GET /migrations/:id/timeline`. @public */
export interface Timeline extends z.infer<typeof responseSchemas.Timeline> {}

/** Kinds of alert. @public */
export const ALERT_TYPES = ['ERROR', 'WARNING', 'INFO', 'THRESHOLD'] as const;
/** @public */
export type AlertType = (typeof ALERT_TYPES)[number];
/** Alert severities, worst first. @public */
export const ALERT_SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
/** @public */
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** A note on an alert. @public */
export interface AlertNote extends z.infer<typeof responseSchemas.AlertNote> {}

/** An alert as stored. @public */
export interface Alert extends z.infer<typeof responseSchemas.Alert> {}

/** Alert counts by severity, with new-vs-resolved per day. @public */
export interface AlertStats
  extends z.infer<typeof responseSchemas.AlertStats> {}

/** Body of `GET /migrations/:id/alerts`. @public */
export interface AlertPage extends z.infer<typeof responseSchemas.AlertPage> {}

/** Status of long work (snapshot, rollback, reconciliation). @public */
export const JOB_STATUSES = [
  'PENDING',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
] as const;
/** @public */
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Kinds of scheduled report. @public */
export const REPORT_TYPES = ['EXECUTIVE', 'DETAILED', 'AUDIT_TRAIL'] as const;
/** @public */
export type ReportType = (typeof REPORT_TYPES)[number];
/** Formats of scheduled report. @public */
export const REPORT_FORMATS = ['PDF', 'XLSX', 'CSV'] as const;
/** @public */
export type ReportFormat = (typeof REPORT_FORMATS)[number];
/** How often a scheduled report runs. @public */
export const REPORT_FREQUENCIES = [
  'DAILY',
  'WEEKLY',
  'BIWEEKLY',
  'MONTHLY',
] as const;
/** @public */
export type ReportFrequency = (typeof REPORT_FREQUENCIES)[number];

/** What a scheduled operation does. @public */
export const SCHEDULED_OPERATIONS = ['SNAPSHOT', 'RECONCILIATION'] as const;
/** @public */
export type ScheduledOperation = (typeof SCHEDULED_OPERATIONS)[number];

/**
 * How the last run of a scheduled operation went: STARTED (the snapshot or reconciliation is
 * running), SUCCEEDED, FAILED (it could not start, or the job failed), MISSED (no backend ran at
 * its slot; it ran late). @public
 */
export const SCHEDULED_RUN_STATUSES = [
  'STARTED',
  'SUCCEEDED',
  'FAILED',
  'MISSED',
] as const;
/** @public */
export type ScheduledRunStatus = (typeof SCHEDULED_RUN_STATUSES)[number];

/** A scheduled snapshot or reconciliation of a migration, on the report schedules' timing. @public */
export interface OperationSchedule
  extends z.infer<typeof responseSchemas.OperationSchedule> {}

/** A scheduled report as stored. @public */
export interface ReportSchedule
  extends z.infer<typeof responseSchemas.ReportSchedule> {}

/** A stored copy of the migration's datasets on its destination. @public */
export interface Snapshot extends z.infer<typeof responseSchemas.Snapshot> {}

/** Result of comparing a snapshot with current data. @public */
export interface SnapshotVerification
  extends z.infer<typeof responseSchemas.SnapshotVerification> {}

/** A rollback from a snapshot. @public */
export interface Rollback extends z.infer<typeof responseSchemas.Rollback> {}

/**
 * Allowed per-dataset cutover transitions. READY also needs the dataset's readiness conditions;
 * ROLLED_BACK datasets start again from PENDING.
 * @public
 */
export const CUTOVER_TRANSITIONS: Record<
  DatasetCutoverState,
  DatasetCutoverState[]
> = {
  PENDING: ['READY'],
  READY: ['PENDING', 'CUTOVER'],
  CUTOVER: ['COMPLETED', 'ROLLED_BACK'],
  COMPLETED: ['ROLLED_BACK'],
  ROLLED_BACK: ['PENDING'],
};

/**
 * Read sources a dataset may have in each cutover state: LEGACY always (the safe way back), DUAL
 * from READY, NEW from CUTOVER.
 * @public
 */
export const READ_SOURCES_BY_STATE: Record<DatasetCutoverState, ReadSource[]> =
  {
    PENDING: ['LEGACY'],
    READY: ['LEGACY', 'DUAL'],
    CUTOVER: ['LEGACY', 'DUAL', 'NEW'],
    COMPLETED: ['LEGACY', 'DUAL', 'NEW'],
    ROLLED_BACK: ['LEGACY'],
  };

/** Body of `GET /migrations/:id/read-sources`: what applications read. @public */
export interface ReadSources
  extends z.infer<typeof responseSchemas.ReadSources> {}

/** One change of a dataset's read source or cutover state. @public */
export interface DatasetSwitchEvent
  extends z.infer<typeof responseSchemas.DatasetSwitchEvent> {}

/** Freeze window lifecycle. @public */
export const FREEZE_STATUSES = [
  'PLANNED',
  'ACTIVE',
  'COMPLETED',
  'CANCELLED',
] as const;
/** @public */
export type FreezeStatus = (typeof FREEZE_STATUSES)[number];

/** A freeze window: a period in which the datasets' data must not change. @public */
export interface FreezeWindow
  extends z.infer<typeof responseSchemas.FreezeWindow> {}

/** An automatic rollback recorded on the freeze window it happened in. @public */
export interface FreezeWindowRollback
  extends z.infer<typeof responseSchemas.FreezeWindowRollback> {}

/** Per-dataset result of a reconciliation run. @public */
export interface ReconciliationDatasetResult
  extends z.infer<typeof responseSchemas.ReconciliationDatasetResult> {}

/** A reconciliation run. @public */
export interface ReconciliationRun
  extends z.infer<typeof responseSchemas.ReconciliationRun> {}

/** Integrity part of a reconciliation run. @public */
export interface IntegrityResults
  extends z.infer<typeof responseSchemas.IntegrityResults> {}

/** A foreign-key relation checked on the destination. @public */
export type RelationCheckResult = IntegrityResults['relations'][number];

/** A golden query run on both sides. @public */
export type GoldenQueryResult = IntegrityResults['goldenQueries'][number];

/** Drift ratios (0-1) at which reconciliation raises alerts or rolls a dataset back. @public */
export interface DriftThresholds
  extends z.infer<typeof responseSchemas.DriftThresholds> {}

/** Sort orders of `GET /portfolio`. @public */
export const PORTFOLIO_SORTS = [
  'risk',
  'title',
  'progress',
  'plannedEnd',
  'lastActivity',
] as const;
/** @public */
export type PortfolioSort = (typeof PORTFOLIO_SORTS)[number];

/** One migration as the portfolio page shows it (from the summary the backend keeps current). @public */
export interface PortfolioItem
  extends z.infer<typeof responseSchemas.PortfolioItem> {}

/** Body of `GET /portfolio`: a page, with counts over every migration that matched. @public */
export interface PortfolioPage
  extends z.infer<typeof responseSchemas.PortfolioPage> {}

/**
 * The signal channel of the portfolio: a message `{ migrationIds, at }` goes out when summaries
 * changed. (Not `cutover:...`: a migration may be called anything.) @public
 */
export const CUTOVER_PORTFOLIO_CHANNEL = 'cutover-portfolio';

/** Message on {@link CUTOVER_PORTFOLIO_CHANNEL}. @public */
export interface CutoverPortfolioSignal {
  migrationIds: string[];
  at: string;
}

/** Body of `POST /plans/draft`: a plan for a person to review, and what they must decide. @public */
export interface PlanDraft
  extends Omit<z.infer<typeof responseSchemas.PlanDraft>, 'plan'> {
  /** A plan the API accepts as it stands (apply it with `PUT /migrations/:id` after review). */
  plan: import('./schemas').MigrationPlan;
}
