// Long: every response body of the API in one place (about fifty shapes, each a few lines of zod),
// so that the contract reads as one document; it is declarations only.
import { z } from 'zod';
import {
  ALERT_SEVERITIES,
  ALERT_TYPES,
  APPROVAL_DECISIONS,
  CHECKLIST_STATUSES,
  CONTROL_STATES,
  DATASET_CUTOVER_STATES,
  FREEZE_STATUSES,
  JOB_STATUSES,
  MIGRATION_STATUSES,
  PHASE_STATUSES,
  READ_SOURCES,
  REPORT_FORMATS,
  REPORT_FREQUENCIES,
  REPORT_TYPES,
  SCHEDULED_OPERATIONS,
  SCHEDULED_RUN_STATUSES,
} from './types';

/*
 * The response bodies of the cutover API as zod schemas, beside the request schemas of
 * `schemas.ts`: the TypeScript types of `types.ts` are inferred from them, and the backend's
 * OpenAPI document generates its response schemas from them (`responseSchemas`, keyed by the
 * document's component names). They describe what the backend sends; nothing parses responses
 * with them at run time.
 */

// ----- building blocks -----

const str = () => z.string();
const nstr = () => z.string().nullable();
/** An ISO-8601 timestamp (UTC). */
const time = () => z.string().meta({ format: 'date-time' });
const ntime = () => time().nullable();
const uuid = () => z.string().meta({ format: 'uuid' });
const int = () => z.number().int();
const count = () => z.number().int().min(0);
const ncount = () => count().nullable();
const percent = () => z.number().min(0).max(100);
const percentOrNull = (description: string) =>
  percent().nullable().describe(description);
const entityRef = () =>
  z.string().describe('An entity ref such as group:default/orders-team');

/** A page of a list: `{ items, totalCount, nextCursor }`. */
const pageOf = <T extends z.ZodType>(item: T, description: string) =>
  z
    .object({
      items: z.array(item),
      totalCount: count().describe('Items in all pages'),
      nextCursor: nstr().describe(
        'Pass as `cursor` for the next page; null on the last one',
      ),
    })
    .describe(description);

// ----- values -----

const qualityTrend = z.enum(['up', 'down', 'flat']);
const datasetProgressStatus = z.enum([
  'NOT_STARTED',
  'IN_PROGRESS',
  'STALLED',
  'COMPLETED',
  'FAILED',
]);
const recommendation = z.enum(['GO', 'GO_WITH_CAUTION', 'NO_GO']);
const riskLevel = z.enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);

// ----- migrations -----

const errorBody = z
  .looseObject({
    error: z.looseObject({
      name: str().describe(
        'InputError (400), AuthenticationError (401), NotAllowedError (403), NotFoundError (404), ConflictError (409), UnsupportedMediaTypeError (415)',
      ),
      message: str(),
    }),
    request: z.looseObject({ method: str(), url: str() }).partial(),
    response: z.looseObject({ statusCode: int() }).partial(),
  })
  .partial({ request: true, response: true })
  .describe(
    'Body of every 4xx answer, as the Backstage backend writes errors. `error.message` names the field or the condition.',
  );

const health = z.object({ status: z.enum(['ok']) });

const connectionRef = z.object({
  connection: str()
    .describe('A connection under cutover.connections in app-config')
    .optional(),
  description: str().optional(),
});

const readSourceRollout = z.object({
  source: z.enum(READ_SOURCES),
  percent: int().min(1).max(99),
});

const dataset = z.object({
  name: str(),
  tier: int().min(1).max(9),
  category: nstr(),
  keyColumns: z.array(str()),
  sourceTable: nstr(),
  destinationTable: nstr(),
  columnMap: z
    .record(str(), str())
    .describe(
      'Reconciliation: source column -> destination column of another name',
    )
    .optional(),
  ignoreColumns: z
    .array(str())
    .describe('Reconciliation: columns not compared')
    .optional(),
  totalRecords: count(),
  importedRecords: count(),
  failedRecords: count(),
  skippedRecords: count(),
  cutoverState: z.enum(DATASET_CUTOVER_STATES),
  readSource: z.enum(READ_SOURCES),
  rollout: readSourceRollout
    .nullable()
    .describe(
      'A gradual rollout: source for percent% of targeting keys, readSource for the others; absent when none',
    )
    .optional(),
  lastSampleAt: ntime(),
});

const driftThresholds = z.object({
  warning: z.number().min(0).max(1),
  critical: z.number().min(0).max(1),
  rollback: z.number().min(0).max(1),
});

const referencedColumns = z.object({
  dataset: str(),
  columns: z.array(str()),
});

const integrityRelation = z.object({
  name: str().optional(),
  dataset: str().describe('The dataset whose rows refer to another'),
  columns: z.array(str()),
  references: referencedColumns,
});

const goldenQuery = z.object({
  name: str(),
  sql: str().describe('A single SELECT or WITH query'),
  destinationSql: str()
    .describe('The query on the destination, when it differs')
    .optional(),
  timeoutMs: int().min(100).optional(),
  datasets: z.array(str()).describe('The datasets it reads').optional(),
});

const planIntegrity = z
  .object({
    readConstraints: z
      .boolean()
      .describe(
        "Read foreign keys between the plan's destination tables from the database",
      )
      .optional(),
    relations: z.array(integrityRelation).optional(),
    goldenQueries: z.array(goldenQuery).optional(),
  })
  .describe("The plan's integrity checks");

const safetyTriggers = z.object({
  enabled: z.boolean(),
  errorRate: z
    .number()
    .describe('Share (0-1) of failed records after the switch'),
  goldenQuerySlowdown: z
    .number()
    .describe(
      'Relative slowdown of a golden query on the new side (0.2 = 20 %)',
    ),
  minSlowdownMs: int().describe(
    'Slowdowns below this many milliseconds are ignored',
  ),
});

const migration = z.object({
  id: str(),
  title: str(),
  description: nstr(),
  owner: entityRef(),
  entityRefs: z.array(entityRef()),
  approvers: nstr().describe('Entity ref of the approvers'),
  source: connectionRef.nullable(),
  destination: connectionRef.nullable(),
  plannedStart: ntime(),
  plannedEnd: ntime(),
  actualStart: ntime(),
  actualEnd: ntime(),
  status: z.enum(MIGRATION_STATUSES),
  controlState: z.enum(CONTROL_STATES),
  createdAt: time(),
  updatedAt: time(),
  createdBy: nstr(),
  checklistTemplate: str()
    .describe('The checklist template the plan chose')
    .optional(),
  alertRules: z
    .object({
      qualityBelow: z.number().optional(),
      errorRateAbove: z.number().optional(),
      rateDropBelow: z.number().optional(),
      behindPlanPoints: z.number().optional(),
      stalledAfterMinutes: int().optional(),
    })
    .describe("Threshold-rule overrides from the plan's alertRules")
    .optional(),
  driftThresholds: z
    .object({
      warning: z.number().optional(),
      critical: z.number().optional(),
      rollback: z.number().optional(),
    })
    .describe("Drift-threshold overrides from the plan's driftThresholds")
    .optional(),
  integrity: planIntegrity.optional(),
  safetyTriggers: safetyTriggers
    .partial()
    .describe("Safety-trigger overrides from the plan's safetyTriggers")
    .optional(),
  datasets: z.array(dataset).describe('In plan order'),
});

const controlStateBody = z.object({
  controlState: z
    .enum(CONTROL_STATES)
    .describe(
      'What jobs are told to do; for the dataset asked about, PAUSE also while a phase moving it is paused',
    ),
  status: z.enum(MIGRATION_STATUSES),
  dataset: str().describe('The dataset asked about (?dataset=)').optional(),
  pausedPhases: z
    .array(str())
    .describe('Phases paused on their own; present when any')
    .optional(),
  pausedDatasets: z
    .array(str())
    .describe('Datasets told PAUSE by a paused phase; present when any')
    .optional(),
});

// ----- metrics, dashboard, trends -----

const ingestResult = z.object({
  accepted: count(),
  duplicates: count().describe('Samples already stored (a retried batch)'),
  datasets: z.array(str()),
  paused: int()
    .min(1)
    .describe(
      'Samples taken while their job was told to pause, stored marked paused; present when any',
    )
    .optional(),
});

const resourceFigures = z
  .object({
    bytesMoved: ncount(),
    bytesPerSecond: z
      .number()
      .min(0)
      .nullable()
      .describe('Over the recent window; 0 when not moving'),
    cpuSeconds: z.number().min(0).nullable(),
    memoryPeakBytes: ncount().describe('The highest peak reported'),
    cost: z.number().min(0).nullable().describe('Cost to date'),
    projectedCost: z
      .number()
      .min(0)
      .nullable()
      .describe('Cost to date divided by the share of records handled'),
    currency: str().describe('cutover.cost.currency (default USD)'),
  })
  .describe('Present only once a job has sent resources or cost');

const errorCounts = z.object({
  critical: count(),
  high: count(),
  medium: count(),
  low: count(),
});

/** Fields shared by the dashboard and its dataset rows. */
const progressFigures = z.object({
  overallProgress: percent().describe(
    'Imported share of the total, in percent',
  ),
  totalRecords: count(),
  importedRecords: count(),
  failedRecords: count(),
  skippedRecords: count(),
  importRate: z
    .number()
    .min(0)
    .describe('Records per minute over the recent window'),
  estimatedCompletion: ntime(),
  qualityScore: percentOrNull('Mean of the four quality dimensions'),
  qualityTrend,
  completeness: percentOrNull('0-100'),
  validity: percentOrNull('0-100'),
  consistency: percentOrNull('0-100'),
  accuracy: percentOrNull('0-100'),
  errors: errorCounts,
});

const dashboardDataset = progressFigures.extend({
  name: str(),
  tier: int(),
  category: nstr(),
  status: datasetProgressStatus,
  readSource: z.enum(READ_SOURCES),
  cutoverState: z.enum(DATASET_CUTOVER_STATES),
  lastSampleAt: ntime(),
  resources: resourceFigures.optional(),
  errorsByType: z
    .record(z.string(), count())
    .describe('Error counts by type, once the job sends any')
    .optional(),
  writingWhilePaused: z
    .boolean()
    .describe('Its newest sample came while it was told to pause')
    .optional(),
  pausedByPhase: str()
    .describe('The paused phase that tells its job to pause')
    .optional(),
});

const dashboard = progressFigures.extend({
  migrationId: str(),
  title: str(),
  status: z.enum(MIGRATION_STATUSES),
  controlState: z.enum(CONTROL_STATES),
  plannedStart: ntime(),
  plannedEnd: ntime(),
  actualStart: ntime(),
  elapsedMs: ncount(),
  cutoverReady: z.boolean(),
  blockers: z.array(str()),
  datasets: z.array(dashboardDataset),
  generatedAt: time(),
  resources: resourceFigures.optional(),
  writingWhilePaused: z
    .array(str())
    .describe('Datasets whose newest sample came while they were told to pause')
    .optional(),
  pausedPhases: z
    .array(str())
    .describe('Phases paused on their own')
    .optional(),
});

const trends = z.object({
  range: str().describe('A duration such as 7d'),
  bucket: str().describe('A duration such as 1h'),
  dataset: nstr(),
  timestamps: z
    .array(time())
    .describe('Start of each bucket; the other arrays are parallel to it'),
  progressPercent: z.array(z.number()),
  importedRecords: z.array(count()),
  importRate: z.array(z.number()),
  qualityScore: z.array(z.number().nullable()),
  completeness: z.array(z.number().nullable()),
  validity: z.array(z.number().nullable()),
  consistency: z.array(z.number().nullable()),
  accuracy: z.array(z.number().nullable()),
  bytesPerSecond: z
    .array(z.number().min(0))
    .describe('Present when samples carry bytesMoved')
    .optional(),
  cost: z
    .array(z.number().min(0))
    .describe('Cost to date at each bucket; present when samples carry cost')
    .optional(),
});

// ----- audit -----

const auditEvent = z.object({
  id: str(),
  migrationId: str(),
  at: time(),
  actor: str().describe('A user entity ref, or service:<subject>'),
  action: str().describe('Such as migration.create or snapshot.create'),
  target: nstr(),
  before: z.unknown().describe('JSON, or null'),
  after: z.unknown().describe('JSON, or null'),
  requestId: nstr().describe('The x-request-id header of the request'),
  outcome: z
    .enum(['success', 'failure'])
    .describe('failure: the request was refused (by a permission or a rule)'),
  severity: z.enum(['low', 'medium', 'high', 'critical']),
});

// ----- timeline -----

const subTask = z.object({
  id: str(),
  name: str(),
  status: z.enum(PHASE_STATUSES),
  progressPercent: percent(),
});

const phase = z.object({
  id: str(),
  name: str(),
  description: nstr(),
  plannedStart: ntime(),
  plannedEnd: ntime(),
  actualStart: ntime(),
  actualEnd: ntime(),
  progressPercent: percent(),
  status: z.enum(PHASE_STATUSES),
  dependsOn: z.array(str()).describe('Ids of the phases this one waits for'),
  subTasks: z
    .array(subTask)
    .describe(
      'Their mean progress rolls up into the phase (skipped ones left out)',
    ),
  errors: z.array(str()),
  warnings: z.array(str()),
  datasets: z
    .array(str())
    .describe(
      'Datasets the phase moves: their jobs are told PAUSE while the phase is paused',
    )
    .optional(),
  paused: z
    .boolean()
    .describe('Paused on its own (POST .../pause)')
    .optional(),
  pausedAt: ntime().optional(),
  pausedBy: nstr().optional(),
});

const milestone = z.object({
  id: str(),
  name: str(),
  plannedDate: ntime(),
  actualDate: ntime(),
  completed: z.boolean(),
});

const timelinePhase = phase.extend({
  earliestStart: ntime(),
  earliestFinish: ntime(),
  latestStart: ntime(),
  latestFinish: ntime(),
  slackDays: z
    .number()
    .describe(
      'Days the phase can slip without delaying the end; 0 on the critical path',
    ),
  critical: z.boolean(),
  delayDays: z
    .number()
    .nullable()
    .describe('Days late against plan; null without a plan'),
});

const timelineDelay = z.object({
  id: str(),
  kind: z.enum(['phase', 'milestone']),
  name: str(),
  plannedEnd: time(),
  expectedEnd: time().describe(
    'Actual end, or the end expected from progress so far',
  ),
  delayDays: z.number(),
});

const timeline = z.object({
  phases: z.array(timelinePhase),
  milestones: z.array(milestone),
  criticalPath: z
    .array(str())
    .describe('Phase ids of the critical path, in dependency order'),
  delays: z.array(timelineDelay),
  scheduleVarianceDays: z
    .number()
    .describe('Predicted end minus planned end, in days (positive: late)'),
  predictedCompletion: ntime(),
  plannedStart: ntime(),
  plannedEnd: ntime(),
});

// ----- checklist, readiness, approvals -----

const checklistItem = z.object({
  id: str(),
  category: str(),
  title: str(),
  description: nstr(),
  required: z.boolean(),
  automated: z
    .boolean()
    .describe("Decided from the migration's data, not by a person"),
  status: z.enum(CHECKLIST_STATUSES),
  evidence: nstr(),
  notes: nstr(),
  updatedBy: nstr(),
  updatedAt: ntime(),
  version: count().describe(
    'Send it back with a change to refuse concurrent edits (409)',
  ),
  custom: z.boolean(),
});

const checklist = z.object({
  template: str(),
  categories: z.array(
    z.object({ category: str(), items: z.array(checklistItem) }),
  ),
  summary: z.object({
    total: count(),
    passed: count(),
    failed: count(),
    notTested: count(),
    requiredOpen: count(),
  }),
});

const blocker = z.object({
  severity: z.enum(['CRITICAL', 'HIGH']),
  source: z
    .enum([
      'CHECKLIST',
      'DATA_QUALITY',
      'SYSTEM',
      'RECONCILIATION',
      'ALERT',
      'FREEZE_WINDOW',
      'APPROVAL',
    ])
    .describe(
      'Where it comes from; APPROVAL blocks the cutover step only (in cutoverGate, never counted in the score)',
    ),
  itemId: str().optional(),
  dataset: str()
    .describe('The dataset it concerns; absent when it concerns the whole migration')
    .optional(),
  ref: str()
    .describe('What it names: the alert, reconciliation run or freeze window id')
    .optional(),
  fixIn: z
    .enum([
      'readiness#checklist',
      'readiness#approval',
      'migration#alerts',
      'migration#quality',
      'cutover#reconciliation',
      'cutover#freeze-windows',
      'cutover#datasets',
    ])
    .describe('Where it is fixed: the tab (and section) of the entity page')
    .optional(),
  message: str(),
});

const datasetCutoverGate = z.object({
  dataset: str(),
  cutoverState: z.enum(DATASET_CUTOVER_STATES),
  readSource: z.enum(READ_SOURCES),
  rollout: readSourceRollout.nullable(),
  driftLevel: z
    .enum(['OK', 'WARNING', 'CRITICAL', 'ROLLBACK'])
    .nullable()
    .describe(
      "The latest reconciliation's drift level for the dataset; null when that run did not compare it",
    ),
  open: z
    .boolean()
    .describe('Whether nothing stands between the dataset and CUTOVER / NEW reads'),
  blockers: z
    .array(blocker)
    .describe("Its own, the migration-wide and the approval's blockers, worst first"),
});

const cutoverGate = z.object({
  open: z.boolean().describe("Whether every dataset's gate is open"),
  approval: z
    .array(blocker)
    .describe(
      'The approval blockers (blocking the cutover step, not counted in the score)',
    ),
  datasets: z.array(datasetCutoverGate),
});

const approvalRequest = z.object({
  id: uuid(),
  requestedBy: str(),
  requestedAt: time(),
  comments: nstr(),
  status: z.enum(['OPEN', 'APPROVED', 'REJECTED', 'CANCELLED']),
  closedAt: ntime(),
});

const approval = z.object({
  id: uuid(),
  requestId: uuid(),
  decision: z.enum(APPROVAL_DECISIONS),
  approver: str(),
  comments: nstr(),
  conditions: z.array(str()),
  recommendation,
  riskLevel,
  score: z.number().describe('Readiness score the decision was made on'),
  decidedAt: time(),
  expiresAt: ntime(),
  overrideReason: nstr(),
  revokedAt: ntime(),
  revokedBy: nstr(),
  revokeReason: nstr(),
  expired: z.boolean().describe('Derived: past its expiry'),
  stale: z
    .boolean()
    .describe(
      "Derived: readiness has fallen below what this decision was given on, or the plan's datasets, approvers or drift thresholds changed since",
    ),
  staleReasons: z.array(str()).describe('Derived: why it is stale').optional(),
});

const approvalState = z.object({
  status: z.enum([
    'NONE',
    'PENDING',
    'APPROVED',
    'CONDITIONALLY_APPROVED',
    'REJECTED',
    'EXPIRED',
    'STALE',
  ]),
  request: approvalRequest.nullable(),
  approvals: z.array(approval),
  required: count(),
  granted: count(),
  conditions: z.array(str()),
});

const approvalHistory = z
  .object({
    requests: z.array(approvalRequest),
    items: z.array(approval),
    totalCount: count().describe('Decisions in all pages'),
    nextCursor: nstr().describe(
      'Pass as `cursor` for the next page of decisions; null on the last one',
    ),
    state: approvalState,
  })
  .describe(
    'Approval requests (all of them) and a page of decisions, newest first, with where the approval stands',
  );

const readiness = z.object({
  ready: z.boolean(),
  score: percent(),
  recommendation,
  riskLevel,
  qualityScore: percentOrNull('Mean quality over the datasets'),
  blockers: z.array(blocker),
  warnings: z.array(str()),
  mitigations: z.array(str()),
  approval: approvalState,
  cutoverGate: cutoverGate.describe(
    'Per dataset, what stands between it and CUTOVER / NEW reads (the approval included)',
  ),
  evaluatedAt: time(),
});

// ----- alerts -----

const alertNote = z.object({ at: time(), by: str(), text: str() });

const alert = z.object({
  id: uuid(),
  migrationId: str(),
  alertType: z.enum(ALERT_TYPES),
  severity: z.enum(ALERT_SEVERITIES),
  title: str(),
  message: nstr(),
  dataset: nstr(),
  recordId: nstr(),
  status: z.enum(['OPEN', 'RESOLVED']),
  source: z.enum(['MANUAL', 'JOB', 'RULE']),
  ruleKey: nstr(),
  createdAt: time(),
  createdBy: str(),
  targetResolutionTime: time().describe('SLA deadline by severity'),
  assignedTo: nstr().describe('Entity ref, lower case'),
  resolvedAt: ntime(),
  resolvedBy: nstr(),
  resolution: nstr(),
  notes: z.array(alertNote),
  escalationLevel: count(),
});

const openResolved = () => z.object({ open: count(), resolved: count() });

const alertStats = z
  .object({
    open: count(),
    resolved: count(),
    overdue: count().describe('Open alerts past their SLA deadline'),
    bySeverity: z.object({
      CRITICAL: openResolved(),
      HIGH: openResolved(),
      MEDIUM: openResolved(),
      LOW: openResolved(),
    }),
    trend: z
      .array(
        z.object({
          date: str().meta({ format: 'date' }),
          created: count(),
          resolved: count(),
        }),
      )
      .describe('Alerts created and resolved per day (UTC), oldest first'),
  })
  .describe('Counts over all alerts of the migration, whatever the filter');

const alertPage = z.object({
  items: z.array(alert),
  totalCount: count(),
  nextCursor: nstr(),
  stats: alertStats,
});

// ----- reports -----

const storedReport = z
  .object({
    id: uuid(),
    migrationId: str(),
    scheduleId: uuid().nullable(),
    reportType: z.enum(REPORT_TYPES),
    fileName: str(),
    contentType: str(),
    sizeBytes: count(),
    createdAt: time(),
    expiresAt: time(),
  })
  .describe(
    'A report a schedule delivered, kept until it expires (without its content)',
  );

/** When a schedule runs: the fields report and operation schedules share. */
const scheduleTiming = () => ({
  frequency: z.enum(REPORT_FREQUENCIES),
  dayOfWeek: int()
    .min(1)
    .max(7)
    .nullable()
    .describe('1 (Monday) - 7 (Sunday), for WEEKLY and BIWEEKLY'),
  dayOfMonth: int().min(1).max(31).nullable().describe('1-31 for MONTHLY'),
  time: str().describe('Local time of day, HH:mm'),
  timezone: str().describe('IANA time zone the time is in'),
});

const reportSchedule = z.object({
  id: uuid(),
  migrationId: str(),
  name: str(),
  reportType: z.enum(REPORT_TYPES),
  format: z.enum(REPORT_FORMATS),
  ...scheduleTiming(),
  recipients: z.array(entityRef()),
  enabled: z.boolean(),
  createdAt: time(),
  createdBy: str(),
  lastRunAt: ntime(),
  nextRunAt: ntime(),
  lastReportUrl: nstr().describe(
    'Link (a path in the portal) to the last report delivered, while it is kept',
  ),
  lastError: nstr(),
});

const operationSchedule = z
  .object({
    id: uuid(),
    migrationId: str(),
    operation: z.enum(SCHEDULED_OPERATIONS),
    name: str(),
    ...scheduleTiming(),
    datasets: z
      .array(str())
      .nullable()
      .describe(
        'The datasets it covers; null: all (reconciliations: those in CUTOVER or COMPLETED)',
      ),
    retentionDays: int()
      .min(1)
      .nullable()
      .describe('Snapshots: days each one is kept; null: the configured default'),
    enabled: z.boolean(),
    createdAt: time(),
    createdBy: str(),
    nextRunAt: ntime(),
    lastRunAt: ntime(),
    lastTrigger: z
      .enum(['SCHEDULE', 'MANUAL'])
      .nullable()
      .describe('SCHEDULE: started at its slot; MANUAL: "run now"'),
    lastStatus: z
      .enum(SCHEDULED_RUN_STATUSES)
      .nullable()
      .describe(
        'STARTED (running), SUCCEEDED, FAILED (could not start, or the job failed), MISSED (no backend ran at its slot)',
      ),
    lastError: nstr(),
    lastTargetId: nstr().describe(
      'The snapshot or reconciliation run the last run started',
    ),
    runCount: int().min(0),
    consecutiveFailures: int()
      .min(0)
      .describe('Failed or missed runs since the last success'),
  })
  .describe('A scheduled snapshot or reconciliation of a migration');

// ----- snapshots and rollbacks -----

const snapshotVerification = z.object({
  at: time(),
  matches: z.boolean(),
  datasets: z.array(
    z.object({
      dataset: str(),
      snapshotCount: count(),
      currentCount: count(),
      snapshotChecksum: str(),
      currentChecksum: str(),
      matches: z.boolean(),
    }),
  ),
});

const snapshot = z.object({
  id: uuid(),
  migrationId: str(),
  name: str(),
  description: nstr(),
  datasets: z.array(str()),
  status: z.enum(JOB_STATUSES),
  progress: percent(),
  recordCounts: z.record(str(), count()).describe('Records per dataset'),
  sizeBytes: count(),
  checksums: z
    .record(str(), str())
    .describe('Order-independent checksum per dataset'),
  locations: z
    .record(str(), str())
    .describe("Where each dataset's copy is kept"),
  provider: nstr(),
  createdAt: time(),
  createdBy: str(),
  finishedAt: ntime(),
  expiresAt: ntime(),
  error: nstr(),
  backupForRollback: nstr().describe(
    'The rollback this snapshot was taken before, if any',
  ),
  lastVerification: snapshotVerification.nullable(),
});

const rollback = z.object({
  id: uuid(),
  migrationId: str(),
  snapshotId: str(),
  datasets: z.array(str()),
  status: z.enum(JOB_STATUSES),
  progress: percent(),
  recordsRestored: count(),
  recordsDeleted: count(),
  durationMs: ncount(),
  errors: z.array(z.object({ dataset: nstr(), message: str() })),
  verified: z
    .boolean()
    .nullable()
    .describe(
      "Null until verified; true when counts and checksums equal the snapshot's",
    ),
  verifyAfter: z.boolean(),
  createBackup: z.boolean(),
  backupSnapshotId: nstr(),
  results: z
    .array(
      z.object({
        dataset: str(),
        status: z.enum(['PENDING', 'RESTORED', 'FAILED']),
        recordsRestored: count(),
        recordsDeleted: count(),
        verified: z.boolean().nullable(),
      }),
    )
    .describe('Per-dataset outcome'),
  createdAt: time(),
  createdBy: str(),
  startedAt: ntime(),
  finishedAt: ntime(),
});

// ----- cutover: read sources, switches, freeze windows -----

const readSources = z.object({
  migrationId: str(),
  datasets: z
    .record(str(), z.enum(READ_SOURCES))
    .describe('Where applications read each dataset from'),
  rollouts: z
    .record(
      str(),
      z.object({
        source: z.enum(READ_SOURCES),
        percent: z.number().min(1).max(99),
      }),
    )
    .describe(
      'Gradual rollouts: source for percent% of targeting keys (by rolloutBucket); absent when none',
    )
    .optional(),
  updatedAt: time().describe('When any switch last changed'),
});

const datasetSwitchEvent = z.object({
  id: str(),
  migrationId: str(),
  dataset: str(),
  kind: z.enum(['READ_SOURCE', 'CUTOVER_STATE']),
  from: str(),
  to: str(),
  reason: str(),
  actor: str(),
  at: time(),
  automatic: z
    .boolean()
    .describe('Made by Switchyard itself (drift-triggered rollback)'),
  overrideReason: nstr()
    .describe('Set when the approval gate was overridden in an emergency: why')
    .optional(),
  rolloutPercent: int()
    .min(1)
    .max(99)
    .describe(
      'A switch that started or changed a gradual rollout: the share of targeting keys reading `to`; absent when for everyone',
    )
    .optional(),
});

const freezeWindowRollback = z
  .object({
    at: time(),
    dataset: str(),
    reason: str(),
  })
  .describe('An automatic rollback recorded on the freeze window it happened in');

const freezeWindow = z.object({
  id: uuid(),
  migrationId: str(),
  name: str(),
  description: nstr(),
  datasets: z.array(str()),
  startsAt: time(),
  endsAt: time(),
  status: z.enum(FREEZE_STATUSES),
  allowReadSourceSwitch: z.boolean(),
  createdAt: time(),
  createdBy: str(),
  activatedAt: ntime(),
  completedAt: ntime(),
  cancelledAt: ntime(),
  cancelReason: nstr(),
  activatedBy: nstr()
    .optional()
    .describe(
      'Who activated it: a person, or switchyard when its start came',
    ),
  completedBy: nstr()
    .optional()
    .describe('Who completed it: a person, or switchyard when its end came'),
  autoRollbacks: z
    .array(freezeWindowRollback)
    .optional()
    .describe(
      'Automatic rollbacks (drift and other safety triggers) of its datasets while it was active',
    ),
});

// ----- reconciliation -----

const reconciliationDatasetResult = z.object({
  name: str(),
  status: z.enum(JOB_STATUSES),
  sourceCount: ncount(),
  destinationCount: ncount(),
  missingInDestination: ncount(),
  missingInSource: ncount(),
  mismatched: ncount(),
  driftRatio: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .describe('Share of rows that differ'),
  level: z.enum(['OK', 'WARNING', 'CRITICAL', 'ROLLBACK']).nullable(),
  sampleKeys: z.array(
    z.object({
      key: z
        .record(str(), z.unknown())
        .describe('Key column values of the row'),
      kind: z.enum(['missingInDestination', 'missingInSource', 'mismatched']),
    }),
  ),
  rowsCompared: ncount(),
  durationMs: ncount(),
  error: nstr(),
  notes: z
    .array(str())
    .describe(
      'What the reconciler says about the comparison, e.g. columns it did not compare',
    )
    .optional(),
});

const relationCheckResult = z.object({
  name: str(),
  origin: z
    .enum(['CONSTRAINT', 'PLAN'])
    .describe("Where it came from: the destination's constraints or the plan"),
  dataset: str(),
  columns: z.array(str()),
  references: referencedColumns,
  status: z.enum(['SUCCEEDED', 'FAILED']),
  checked: ncount().describe('Child rows with the referencing columns set'),
  orphans: ncount().describe('Child rows whose referenced row does not exist'),
  sampleKeys: z
    .array(
      z.record(str(), z.unknown()).describe("An orphan's key and reference"),
    )
    .describe('Up to 10 orphans'),
  durationMs: ncount(),
  error: nstr(),
});

const goldenQueryResult = z.object({
  name: str(),
  status: z.enum(['EQUAL', 'DIFFERENT', 'FAILED']),
  sourceRows: ncount(),
  destinationRows: ncount(),
  sourceMs: z
    .number()
    .min(0)
    .nullable()
    .describe('Best of the timed executions on the source, in milliseconds'),
  destinationMs: z
    .number()
    .min(0)
    .nullable()
    .describe(
      'Best of the timed executions on the destination, in milliseconds',
    ),
  slowdown: z.number().nullable().describe('destinationMs / sourceMs - 1'),
  ordered: z.boolean().describe('Compared in order (the query has ORDER BY)'),
  differences: z
    .array(
      z.object({
        side: z.enum(['source', 'destination']),
        row: z
          .array(nstr())
          .describe('Canonical text of each column (null for NULL)'),
      }),
    )
    .describe('Up to 5 rows found on one side only'),
  error: nstr(),
});

const integrityResults = z
  .object({
    relations: z.array(relationCheckResult),
    goldenQueries: z.array(goldenQueryResult),
  })
  .describe('Foreign-key and golden-query checks of a reconciliation run');

const reconciliationRun = z.object({
  id: uuid(),
  migrationId: str(),
  status: z.enum(JOB_STATUSES),
  trigger: z.enum(['MANUAL', 'SCHEDULED']),
  progress: percent(),
  createdBy: str(),
  createdAt: time(),
  startedAt: ntime(),
  finishedAt: ntime(),
  datasets: z.array(reconciliationDatasetResult),
  error: nstr(),
  thresholds: driftThresholds,
  integrity: integrityResults
    .describe(
      'Foreign-key and golden-query checks (absent on runs from before them)',
    )
    .optional(),
});

const planDraft = z.object({
  plan: z
    .record(str(), z.unknown())
    .describe('A migration plan (the MigrationPlan body) the API accepts as it stands: apply it with PUT /migrations/:id after review'),
  yaml: str().describe('The plan as YAML, with comments where a person must decide'),
  relations: z
    .array(
      z.object({
        dataset: str(),
        columns: z.array(str()),
        references: str(),
        referencedColumns: z.array(str()),
      }),
    )
    .describe('Foreign keys between datasets: what ordered the tiers, and what integrity checks follow'),
  unkeyed: z
    .array(z.object({ table: str(), reason: str() }))
    .describe('Tables on both sides that cannot be reconciled by key, and why'),
  excluded: z
    .array(z.object({ side: z.enum(['source', 'destination']), table: str(), reason: str() }))
    .describe("Tables left out: not exposed by the connections' rules, or names a plan cannot hold"),
  onlyInSource: z.array(str()),
  onlyInDestination: z.array(str()),
  notes: z.array(str()),
});

// ----- portfolio -----

const alertCounts = z
  .object({
    CRITICAL: count(),
    HIGH: count(),
    MEDIUM: count(),
    LOW: count(),
  })
  .describe('Open alerts by severity');

const portfolioItem = z.object({
  migrationId: str(),
  title: str(),
  owner: entityRef().describe('Owner, lower case'),
  entityRefs: z
    .array(entityRef())
    .describe('Catalog entities the migration is annotated on'),
  status: z.enum(MIGRATION_STATUSES),
  overallProgress: percent(),
  plannedEnd: ntime(),
  estimatedCompletion: ntime().describe(
    'Expected completion from the import rate so far',
  ),
  etaVarianceDays: z
    .number()
    .nullable()
    .describe(
      'Expected completion minus planned end, in days (positive: late); null when either is unknown',
    ),
  recommendation: recommendation.describe('As the readiness route computes it'),
  riskLevel,
  score: percent().describe('Readiness score'),
  openAlerts: alertCounts,
  worstDrift: z
    .enum(['OK', 'WARNING', 'CRITICAL', 'ROLLBACK'])
    .nullable()
    .describe(
      'Worst drift level of the latest finished reconciliation; null when none ran',
    ),
  approvalStatus: approvalState.shape.status,
  nextMilestone: z
    .object({ name: str(), plannedDate: ntime() })
    .nullable()
    .describe('The first milestone not completed, by planned date'),
  lastActivityAt: ntime().describe('Latest audit event, sample or change'),
  datasetCount: count(),
  refreshedAt: time().describe('When the summary was last computed'),
});

const portfolioPage = z
  .object({
    items: z.array(portfolioItem),
    totalCount: count().describe('Items in all pages'),
    nextCursor: nstr().describe(
      'Pass as `cursor` for the next page; null on the last one',
    ),
    counts: z
      .object({
        byStatus: z.partialRecord(z.enum(MIGRATION_STATUSES), count()),
        byRecommendation: z.partialRecord(recommendation, count()),
        byRisk: z.partialRecord(riskLevel, count()),
      })
      .describe('Counts over every matching migration (all pages)'),
    owners: z
      .array(entityRef())
      .nullable()
      .describe(
        'Owners the list was filtered by (lower case); null for every owner',
      ),
  })
  .describe('A page of the portfolio');

/**
 * Every response body schema by the name the OpenAPI document gives it (`components.schemas`);
 * a schema used inside another becomes a `$ref` to it. New response shapes are added here.
 * @public
 */
export const responseSchemas = {
  Error: errorBody,
  Health: health,
  ConnectionRef: connectionRef,
  Dataset: dataset,
  Migration: migration,
  PlanIntegrity: planIntegrity,
  MigrationPage: pageOf(migration, 'A page of migrations, ordered by id'),
  PortfolioItem: portfolioItem,
  PortfolioPage: portfolioPage,
  ControlState: controlStateBody,
  IngestResult: ingestResult,
  ResourceFigures: resourceFigures,
  ErrorCounts: errorCounts,
  DashboardDataset: dashboardDataset,
  Dashboard: dashboard,
  Trends: trends,
  AuditEvent: auditEvent,
  AuditPage: pageOf(auditEvent, 'A page of audit events, newest first'),
  SubTask: subTask,
  Phase: phase,
  Milestone: milestone,
  TimelinePhase: timelinePhase,
  TimelineDelay: timelineDelay,
  Timeline: timeline,
  ChecklistItem: checklistItem,
  Checklist: checklist,
  Blocker: blocker,
  DatasetCutoverGate: datasetCutoverGate,
  CutoverGate: cutoverGate,
  ApprovalRequest: approvalRequest,
  Approval: approval,
  ApprovalState: approvalState,
  ApprovalHistory: approvalHistory,
  Readiness: readiness,
  AlertNote: alertNote,
  Alert: alert,
  AlertStats: alertStats,
  AlertPage: alertPage,
  StoredReport: storedReport,
  ReportSchedule: reportSchedule,
  OperationSchedule: operationSchedule,
  SnapshotVerification: snapshotVerification,
  Snapshot: snapshot,
  Rollback: rollback,
  ReadSources: readSources,
  DatasetSwitchEvent: datasetSwitchEvent,
  FreezeWindowRollback: freezeWindowRollback,
  FreezeWindow: freezeWindow,
  DriftThresholds: driftThresholds,
  ReconciliationDatasetResult: reconciliationDatasetResult,
  ReconciliationRun: reconciliationRun,
  IntegrityResults: integrityResults,
  StoredReportList: pageOf(
    storedReport,
    'Delivered reports still kept, newest first',
  ),
  ReportScheduleList: pageOf(
    reportSchedule,
    'The report schedules of the migration',
  ),
  OperationScheduleList: pageOf(
    operationSchedule,
    'The snapshot or reconciliation schedules of the migration',
  ),
  SnapshotList: pageOf(snapshot, 'Snapshots of the migration, newest first'),
  RollbackList: pageOf(rollback, 'Rollbacks of the migration'),
  DatasetSwitchEventList: pageOf(
    datasetSwitchEvent,
    'Read-source and cutover-state changes',
  ),
  FreezeWindowList: pageOf(freezeWindow, 'Freeze windows of the migration'),
  ReconciliationRunList: pageOf(
    reconciliationRun,
    'Reconciliation runs of the migration',
  ),
  PlanDraft: planDraft,
};

/** The name of a response schema. @public */
export type ResponseSchemaName = keyof typeof responseSchemas;
