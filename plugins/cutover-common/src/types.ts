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
}

/** Body of `POST /migrations/:id/metrics`. @public */
export interface IngestResult {
  accepted: number;
  duplicates: number;
  datasets: string[];
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
  summary: { total: number; passed: number; failed: number; notTested: number; requiredOpen: number };
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
export const APPROVAL_DECISIONS = ['APPROVED', 'CONDITIONAL', 'REJECTED'] as const;
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
  /** Derived: readiness has fallen below what this decision was given on. */
  stale: boolean;
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
  status: 'NONE' | 'PENDING' | 'APPROVED' | 'CONDITIONALLY_APPROVED' | 'REJECTED' | 'EXPIRED' | 'STALE';
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
