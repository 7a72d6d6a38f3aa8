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
export interface ErrorCounts {
  critical: number;
  high: number;
  medium: number;
  low: number;
}

/** Where a dataset lives on one side of the migration. @public */
export interface ConnectionRef {
  connection?: string;
  description?: string;
}

/** A dataset (a table or record type being moved) as stored. @public */
export interface Dataset {
  name: string;
  tier: number;
  category: string | null;
  keyColumns: string[];
  sourceTable: string | null;
  destinationTable: string | null;
  /** Reconciliation: source columns compared with a destination column of another name. */
  columnMap?: Record<string, string>;
  /** Reconciliation: columns left out of the comparison. */
  ignoreColumns?: string[];
  totalRecords: number;
  importedRecords: number;
  failedRecords: number;
  skippedRecords: number;
  cutoverState: DatasetCutoverState;
  readSource: ReadSource;
  lastSampleAt: string | null;
}

/** A migration with its datasets. @public */
export interface Migration {
  id: string;
  title: string;
  description: string | null;
  owner: string;
  entityRefs: string[];
  approvers: string | null;
  source: ConnectionRef | null;
  destination: ConnectionRef | null;
  plannedStart: string | null;
  plannedEnd: string | null;
  actualStart: string | null;
  actualEnd: string | null;
  status: MigrationStatus;
  controlState: ControlState;
  createdAt: string;
  updatedAt: string;
  createdBy: string | null;
  /** The checklist template the plan chose. */
  checklistTemplate?: string;
  /** Threshold-rule overrides from the plan's `alertRules`. */
  alertRules?: {
    qualityBelow?: number;
    errorRateAbove?: number;
    rateDropBelow?: number;
    behindPlanPoints?: number;
    stalledAfterMinutes?: number;
  };
  /** Drift-threshold overrides from the plan's `driftThresholds`. */
  driftThresholds?: Partial<DriftThresholds>;
  datasets: Dataset[];
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
export interface DashboardDataset extends ProgressFigures {
  name: string;
  tier: number;
  category: string | null;
  status: DatasetProgressStatus;
  readSource: ReadSource;
  cutoverState: DatasetCutoverState;
  lastSampleAt: string | null;
  /** Present once the dataset's job has sent resources or cost. */
  resources?: ResourceFigures;
  /** Error counts by type, present once the job has sent any. */
  errorsByType?: Record<string, number>;
  /** Its newest sample came while it was told to pause (the job is still writing). */
  writingWhilePaused?: boolean;
  /** The paused phase that tells its job to pause. */
  pausedByPhase?: string;
}

/** Progress status of one dataset, derived from its figures. @public */
export type DatasetProgressStatus =
  | 'NOT_STARTED'
  | 'IN_PROGRESS'
  | 'STALLED'
  | 'COMPLETED'
  | 'FAILED';

/** Body of `GET /migrations/:id/dashboard`. @public */
export interface Dashboard extends ProgressFigures {
  migrationId: string;
  title: string;
  status: MigrationStatus;
  controlState: ControlState;
  plannedStart: string | null;
  plannedEnd: string | null;
  actualStart: string | null;
  elapsedMs: number | null;
  cutoverReady: boolean;
  blockers: string[];
  datasets: DashboardDataset[];
  generatedAt: string;
  /** Present once any job has sent resources or cost. */
  resources?: ResourceFigures;
  /** Datasets whose newest sample came while they were told to pause; present when any. */
  writingWhilePaused?: string[];
  /** Phases paused on their own; present when any. */
  pausedPhases?: string[];
}

/** Body of `GET /migrations/:id/trends`. @public */
export interface Trends {
  range: string;
  bucket: string;
  dataset: string | null;
  timestamps: string[];
  progressPercent: number[];
  importedRecords: number[];
  importRate: number[];
  qualityScore: (number | null)[];
  completeness: (number | null)[];
  validity: (number | null)[];
  consistency: (number | null)[];
  accuracy: (number | null)[];
  /** Bytes per second in each bucket; present when samples carry bytesMoved. */
  bytesPerSecond?: number[];
  /** Cost to date at each bucket's end; present when samples carry cost. */
  cost?: number[];
}

/** A page of a list. @public */
export interface Page<T> {
  items: T[];
  totalCount: number;
  nextCursor: string | null;
}

/** One audit event. @public */
export interface AuditEvent {
  id: string;
  migrationId: string;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  /** `failure` for a request that was refused (by a permission or a rule); `success` otherwise. */
  outcome: 'success' | 'failure';
  /** How much the action matters: rollbacks, deletions, overrides and approvals are `high`. */
  severity: 'low' | 'medium' | 'high' | 'critical';
}

/** Body of `POST /migrations/:id/metrics`. @public */
export interface IngestResult {
  accepted: number;
  duplicates: number;
  datasets: string[];
  /** Samples accepted while the migration or their dataset's phase was paused (marked `paused`); present when any. */
  paused?: number;
}

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
export interface SubTask {
  id: string;
  name: string;
  status: PhaseStatus;
  progressPercent: number;
}

/** A phase of a migration's timeline. @public */
export interface Phase {
  id: string;
  name: string;
  description: string | null;
  plannedStart: string | null;
  plannedEnd: string | null;
  actualStart: string | null;
  actualEnd: string | null;
  progressPercent: number;
  status: PhaseStatus;
  dependsOn: string[];
  subTasks: SubTask[];
  errors: string[];
  warnings: string[];
  /** Datasets the phase moves (their jobs pause while the phase is paused). */
  datasets?: string[];
  /** Paused on its own: jobs of its datasets are told PAUSE. */
  paused?: boolean;
  pausedAt?: string | null;
  pausedBy?: string | null;
}

/** Body of `GET /migrations/:id/control`: what jobs are told to do. @public */
export interface ControlAnswer {
  /** For the dataset asked about (`?dataset=`), PAUSE also while its phase is paused. */
  controlState: ControlState;
  status: MigrationStatus;
  /** The dataset asked about, if any. */
  dataset?: string;
  /** Paused phases, when any is paused. */
  pausedPhases?: string[];
  /** Datasets told PAUSE by a paused phase, when any is paused. */
  pausedDatasets?: string[];
}

/** Resources and cost of a migration or dataset; present only once a job has sent any. @public */
export interface ResourceFigures {
  /** Bytes moved so far. */
  bytesMoved: number | null;
  /** Bytes per second over the recent window (0 when not moving). */
  bytesPerSecond: number | null;
  cpuSeconds: number | null;
  /** The highest memory peak a job reported. */
  memoryPeakBytes: number | null;
  /** Cost so far. */
  cost: number | null;
  /** Cost so far divided by the share of records handled: the cost at completion at this pace. */
  projectedCost: number | null;
  /** Currency of the cost (config `cutover.cost.currency`). */
  currency: string;
}

/** A milestone of a migration's timeline. @public */
export interface Milestone {
  id: string;
  name: string;
  plannedDate: string | null;
  actualDate: string | null;
  completed: boolean;
}

/** Result of a checklist item. @public */
export const CHECKLIST_STATUSES = ['PASS', 'FAIL', 'NOT_TESTED'] as const;
/** @public */
export type ChecklistStatus = (typeof CHECKLIST_STATUSES)[number];

/** A checklist item with its current result. @public */
export interface ChecklistItem {
  id: string;
  category: string;
  title: string;
  description: string | null;
  required: boolean;
  /** Decided from the migration's data, not by a person. */
  automated: boolean;
  status: ChecklistStatus;
  /** What an automated decision was made from, or the person's notes. */
  evidence: string | null;
  notes: string | null;
  updatedBy: string | null;
  updatedAt: string | null;
  /** Increases with every change; send it back to refuse concurrent edits (409). */
  version: number;
  custom: boolean;
}

/** Body of `GET /migrations/:id/checklist`. @public */
export interface Checklist {
  template: string;
  categories: Array<{ category: string; items: ChecklistItem[] }>;
  summary: {
    total: number;
    passed: number;
    failed: number;
    notTested: number;
    requiredOpen: number;
  };
}

/** GO / NO-GO recommendation. @public */
export type Recommendation = 'GO' | 'GO_WITH_CAUTION' | 'NO_GO';
/** Risk of cutting over now. @public */
export type RiskLevel = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/** Something that stands in the way of a cutover. @public */
export interface Blocker {
  severity: 'CRITICAL' | 'HIGH';
  source: 'CHECKLIST' | 'DATA_QUALITY' | 'SYSTEM';
  itemId?: string;
  message: string;
}

/** Decision on an approval request. @public */
export const APPROVAL_DECISIONS = [
  'APPROVED',
  'CONDITIONAL',
  'REJECTED',
] as const;
/** @public */
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];

/** One approver's decision. @public */
export interface Approval {
  id: string;
  requestId: string;
  decision: ApprovalDecision;
  approver: string;
  comments: string | null;
  conditions: string[];
  recommendation: Recommendation;
  riskLevel: RiskLevel;
  score: number;
  decidedAt: string;
  expiresAt: string | null;
  overrideReason: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  revokeReason: string | null;
  /** Derived: past its expiry. */
  expired: boolean;
  /**
   * Derived: readiness has fallen below what this decision was given on, or the plan's datasets,
   * approvers or drift thresholds changed since.
   */
  stale: boolean;
  /** Derived: why it is stale (empty when it is not). */
  staleReasons?: string[];
}

/** A request for cutover approval. @public */
export interface ApprovalRequest {
  id: string;
  requestedBy: string;
  requestedAt: string;
  comments: string | null;
  status: 'OPEN' | 'APPROVED' | 'REJECTED' | 'CANCELLED';
  closedAt: string | null;
}

/** Where a migration's approval stands. @public */
export interface ApprovalState {
  status:
    | 'NONE'
    | 'PENDING'
    | 'APPROVED'
    | 'CONDITIONALLY_APPROVED'
    | 'REJECTED'
    | 'EXPIRED'
    | 'STALE';
  request: ApprovalRequest | null;
  approvals: Approval[];
  required: number;
  granted: number;
  conditions: string[];
}

/** Body of `GET /migrations/:id/readiness`. @public */
export interface Readiness {
  ready: boolean;
  score: number;
  recommendation: Recommendation;
  riskLevel: RiskLevel;
  qualityScore: number | null;
  blockers: Blocker[];
  warnings: string[];
  mitigations: string[];
  approval: ApprovalState;
  evaluatedAt: string;
}

/** A phase with its schedule analysis (critical-path method). @public */
export interface TimelinePhase extends Phase {
  /** Earliest start and finish the dependencies allow (ISO), from planned durations. */
  earliestStart: string | null;
  earliestFinish: string | null;
  /** Latest start and finish that do not delay the end of the migration (ISO). */
  latestStart: string | null;
  latestFinish: string | null;
  /** Days the phase can slip without delaying the end; 0 on the critical path. */
  slackDays: number;
  critical: boolean;
  /** Days late against plan: actual (or expected) end minus planned end; null without a plan. */
  delayDays: number | null;
}

/** One late phase or milestone. @public */
export interface TimelineDelay {
  id: string;
  kind: 'phase' | 'milestone';
  name: string;
  plannedEnd: string;
  /** Actual end, or the expected end from progress so far. */
  expectedEnd: string;
  delayDays: number;
}

/** Body of `GET /migrations/:id/timeline`. @public */
export interface Timeline {
  phases: TimelinePhase[];
  milestones: Milestone[];
  /** Phase ids of the critical path, in dependency order. */
  criticalPath: string[];
  delays: TimelineDelay[];
  /** Predicted end minus planned end, in days (positive: late). */
  scheduleVarianceDays: number;
  predictedCompletion: string | null;
  plannedStart: string | null;
  plannedEnd: string | null;
}

/** Kinds of alert. @public */
export const ALERT_TYPES = ['ERROR', 'WARNING', 'INFO', 'THRESHOLD'] as const;
/** @public */
export type AlertType = (typeof ALERT_TYPES)[number];
/** Alert severities, worst first. @public */
export const ALERT_SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
/** @public */
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** A note on an alert. @public */
export interface AlertNote {
  at: string;
  by: string;
  text: string;
}

/** An alert as stored. @public */
export interface Alert {
  id: string;
  migrationId: string;
  alertType: AlertType;
  severity: AlertSeverity;
  title: string;
  message: string | null;
  dataset: string | null;
  recordId: string | null;
  status: 'OPEN' | 'RESOLVED';
  source: 'MANUAL' | 'JOB' | 'RULE';
  ruleKey: string | null;
  createdAt: string;
  createdBy: string;
  /** SLA deadline by severity. */
  targetResolutionTime: string;
  assignedTo: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: string | null;
  notes: AlertNote[];
  escalationLevel: number;
}

/** Alert counts by severity, with new-vs-resolved per day. @public */
export interface AlertStats {
  open: number;
  resolved: number;
  overdue: number;
  bySeverity: Record<AlertSeverity, { open: number; resolved: number }>;
  trend: Array<{ date: string; created: number; resolved: number }>;
}

/** Body of `GET /migrations/:id/alerts`. @public */
export interface AlertPage extends Page<Alert> {
  stats: AlertStats;
}

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

/** A scheduled report as stored. @public */
export interface ReportSchedule {
  id: string;
  migrationId: string;
  name: string;
  reportType: ReportType;
  format: ReportFormat;
  frequency: ReportFrequency;
  /** 1 (Monday) - 7 (Sunday), for WEEKLY and BIWEEKLY. */
  dayOfWeek: number | null;
  /** 1-31 for MONTHLY; months without that day run on their last day. */
  dayOfMonth: number | null;
  /** Local time of day, `HH:mm`. */
  time: string;
  /** IANA time zone the time is in. */
  timezone: string;
  recipients: string[];
  enabled: boolean;
  createdAt: string;
  createdBy: string;
  lastRunAt: string | null;
  nextRunAt: string | null;
  /** Link to the last report delivered, while it is kept. */
  lastReportUrl: string | null;
  lastError: string | null;
}

/** A stored copy of the migration's datasets on its destination. @public */
export interface Snapshot {
  id: string;
  migrationId: string;
  name: string;
  description: string | null;
  datasets: string[];
  status: JobStatus;
  progress: number;
  /** Records per dataset. */
  recordCounts: Record<string, number>;
  sizeBytes: number;
  /** Order-independent checksum per dataset. */
  checksums: Record<string, string>;
  /** Where each dataset's copy is kept. */
  locations: Record<string, string>;
  provider: string | null;
  createdAt: string;
  createdBy: string;
  finishedAt: string | null;
  expiresAt: string | null;
  error: string | null;
  /** Whether this snapshot was taken automatically before a rollback. */
  backupForRollback: string | null;
  lastVerification: SnapshotVerification | null;
}

/** Result of comparing a snapshot with current data. @public */
export interface SnapshotVerification {
  at: string;
  matches: boolean;
  datasets: Array<{
    dataset: string;
    snapshotCount: number;
    currentCount: number;
    snapshotChecksum: string;
    currentChecksum: string;
    matches: boolean;
  }>;
}

/** A rollback from a snapshot. @public */
export interface Rollback {
  id: string;
  migrationId: string;
  snapshotId: string;
  datasets: string[];
  status: JobStatus;
  progress: number;
  recordsRestored: number;
  recordsDeleted: number;
  durationMs: number | null;
  errors: Array<{ dataset: string | null; message: string }>;
  /** Null until verified; true when counts and checksums equal the snapshot's. */
  verified: boolean | null;
  verifyAfter: boolean;
  createBackup: boolean;
  backupSnapshotId: string | null;
  /** Per-dataset outcome. */
  results: Array<{
    dataset: string;
    status: 'PENDING' | 'RESTORED' | 'FAILED';
    recordsRestored: number;
    recordsDeleted: number;
    verified: boolean | null;
  }>;
  createdAt: string;
  createdBy: string;
  startedAt: string | null;
  finishedAt: string | null;
}

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
export interface ReadSources {
  migrationId: string;
  datasets: Record<string, ReadSource>;
  /**
   * Gradual rollouts: `source` is given to `percent`% (1-99) of targeting keys, chosen by
   * `rolloutBucket`; everyone else reads `datasets[name]`. Absent when no dataset has one.
   */
  rollouts?: Record<string, { source: ReadSource; percent: number }>;
  /** When any switch last changed. */
  updatedAt: string;
}

/** One change of a dataset's read source or cutover state. @public */
export interface DatasetSwitchEvent {
  id: string;
  migrationId: string;
  dataset: string;
  kind: 'READ_SOURCE' | 'CUTOVER_STATE';
  from: string;
  to: string;
  reason: string;
  actor: string;
  at: string;
  /** Made by Switchyard itself (drift-triggered rollback). */
  automatic: boolean;
  /** Set when the approval gate was overridden in an emergency: why. */
  overrideReason?: string | null;
}

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
export interface FreezeWindow {
  id: string;
  migrationId: string;
  name: string;
  description: string | null;
  datasets: string[];
  startsAt: string;
  endsAt: string;
  status: FreezeStatus;
  /** Whether read sources of its datasets may be switched while it is active. */
  allowReadSourceSwitch: boolean;
  createdAt: string;
  createdBy: string;
  activatedAt: string | null;
  completedAt: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
}

/** Per-dataset result of a reconciliation run. @public */
export interface ReconciliationDatasetResult {
  name: string;
  status: 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  sourceCount: number | null;
  destinationCount: number | null;
  missingInDestination: number | null;
  missingInSource: number | null;
  mismatched: number | null;
  /** Share of rows that differ, 0-1. */
  driftRatio: number | null;
  /** Level the drift reached against the thresholds. */
  level: 'OK' | 'WARNING' | 'CRITICAL' | 'ROLLBACK' | null;
  sampleKeys: Array<{
    key: Record<string, unknown>;
    kind: 'missingInDestination' | 'missingInSource' | 'mismatched';
  }>;
  rowsCompared: number | null;
  durationMs: number | null;
  error: string | null;
  /** What the reconciler says about the comparison, e.g. columns it did not compare. */
  notes?: string[];
}

/** A reconciliation run. @public */
export interface ReconciliationRun {
  id: string;
  migrationId: string;
  status: JobStatus;
  trigger: 'MANUAL' | 'SCHEDULED';
  progress: number;
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  datasets: ReconciliationDatasetResult[];
  error: string | null;
  /** Thresholds the run was judged by. */
  thresholds: DriftThresholds;
}

/** Drift ratios (0-1) at which reconciliation raises alerts or rolls a dataset back. @public */
export interface DriftThresholds {
  warning: number;
  critical: number;
  rollback: number;
}

/** Body of `POST /plans/draft`: a plan for a person to review, and what they must decide. @public */
export interface PlanDraft {
  /** A plan the API accepts as it stands (apply it with `PUT /migrations/:id` after review). */
  plan: import('./schemas').MigrationPlan;
  /** The plan as YAML, with comments where a person must decide. */
  yaml: string;
  /** Foreign keys between datasets: what integrity checks follow, and what ordered the tiers. */
  relations: Array<{ dataset: string; columns: string[]; references: string; referencedColumns: string[] }>;
  /** Tables on both sides that cannot be reconciled by key, and why. */
  unkeyed: Array<{ table: string; reason: string }>;
  /** Tables left out: not exposed by the connections' rules, or names a plan cannot hold. */
  excluded: Array<{ side: 'source' | 'destination'; table: string; reason: string }>;
  onlyInSource: string[];
  onlyInDestination: string[];
  notes: string[];
}
