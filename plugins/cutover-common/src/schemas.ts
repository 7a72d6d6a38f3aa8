// Long: every request schema of the API (about sixty zod shapes: plans, bodies, queries) in one
// catalogue that the operation table (contract/operations.ts), the router's validation, the
// OpenAPI document and the client all read; splitting it would scatter the contract. Declarations only.
import { z } from 'zod';
import { findDependencyCycle } from './logic/dependencies';
import {
  ALERT_SEVERITIES,
  ALERT_TYPES,
  APPROVAL_DECISIONS,
  CHECKLIST_STATUSES,
  CONTROL_STATES,
  DATASET_CUTOVER_STATES,
  MIGRATION_STATUSES,
  PORTFOLIO_SORTS,
  PHASE_STATUSES,
  READ_SOURCES,
  REPORT_FORMATS,
  REPORT_FREQUENCIES,
  REPORT_TYPES,
} from './types';
import type { ReportFormat, ReportFrequency, ReportType } from './types';

/** A migration id: a lowercase slug. @public */
export const migrationIdSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
    'must be a lowercase slug (letters, digits and dashes)',
  );

/**
 * A SQL identifier from a plan (table or column), optionally schema-qualified.
 * Plans are user input; only plain identifiers reach the query builder, which quotes them.
 * @public
 */
export const sqlIdentifierSchema = z
  .string()
  .max(127)
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/,
    'must be a plain SQL identifier (letters, digits, underscores; optionally schema.table)',
  );

const datasetNameSchema = z
  .string()
  .min(1)
  .max(127)
  .regex(
    /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/,
    'must contain only letters, digits, dots, dashes and underscores',
  );

const entityRefSchema = z
  .string()
  .min(3)
  .max(255)
  .regex(
    /^[a-z0-9_-]+:([a-z0-9_.-]+\/)?[A-Za-z0-9_.-]+$/i,
    'must be an entity ref such as group:default/team',
  );

const isoDateTime = z
  .string()
  .refine(v => !Number.isNaN(Date.parse(v)), 'must be an ISO-8601 timestamp');

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
// A non-negative amount (CPU seconds, cost), rounded to 1e-6 like percentages.
const amount = z
  .number()
  .min(0)
  .max(1e12)
  .transform(v => Math.round(v * 1e6) / 1e6);
const errorTypeSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(
    /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/,
    'error types must contain only letters, digits, dots, dashes and underscores',
  );
// Rounded to 1e-6: finer figures mean nothing, and PostgreSQL's float4 columns refuse magnitudes
// below ~1e-38 (found by the bad-input fuzzing: a 500 for 2e-149).
const percent = z
  .number()
  .min(0)
  .max(100)
  .transform(v => Math.round(v * 1e6) / 1e6);

/** A column name in a plan: a plain SQL identifier. @public */
export const columnNameSchema = z
  .string()
  .max(63)
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'must be a plain column name (letters, digits, underscores)',
  );

/** A dataset in a plan. @public */
export const planDatasetSchema = z
  .object({
    name: datasetNameSchema,
    tier: z.number().int().min(1).max(9).default(2),
    category: z.string().max(127).optional(),
    table: sqlIdentifierSchema.optional(),
    sourceTable: sqlIdentifierSchema.optional(),
    destinationTable: sqlIdentifierSchema.optional(),
    keyColumns: z.array(sqlIdentifierSchema).max(16).default([]),
    totalRecords: count.optional(),
    /** For reconciliation: source columns that have another name on the destination. */
    columnMap: z
      .record(columnNameSchema, columnNameSchema)
      .refine(
        map => Object.keys(map).length <= 500,
        'at most 500 renamed columns',
      )
      .optional(),
    /** For reconciliation: columns (by source or destination name) not compared, e.g. transformed on purpose. */
    ignoreColumns: z.array(columnNameSchema).max(500).optional(),
  })
  .strict();

/** A phase in a plan. @public */
export const planPhaseSchema = z
  .object({
    id: datasetNameSchema,
    name: z.string().min(1).max(255),
    description: z.string().max(4000).optional(),
    plannedStart: isoDateTime.optional(),
    plannedEnd: isoDateTime.optional(),
    dependsOn: z.array(datasetNameSchema).max(100).default([]),
    /** Datasets this phase moves: pausing the phase tells their jobs to pause. */
    datasets: z.array(datasetNameSchema).max(2000).optional(),
    /** Sub-tasks the phase starts with (jobs add more through the sub-task routes). */
    subTasks: z
      .array(
        z
          .object({ id: datasetNameSchema, name: z.string().min(1).max(255) })
          .strict(),
      )
      .max(200)
      .optional(),
  })
  .strict();

/** A milestone in a plan. @public */
export const planMilestoneSchema = z
  .object({
    id: datasetNameSchema,
    name: z.string().min(1).max(255),
    plannedDate: isoDateTime.optional(),
  })
  .strict();

const connectionRefSchema = z
  .object({
    connection: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]+$/,
        'must name a connection under cutover.connections',
      )
      .optional(),
    description: z.string().max(1000).optional(),
  })
  .strict();

/** Threshold rules of one migration, overriding the configured defaults. @public */
export const alertRulesSchema = z
  .object({
    qualityBelow: percent.optional(),
    errorRateAbove: z.number().min(0).max(1).optional(),
    rateDropBelow: z.number().min(0).max(1).optional(),
    behindPlanPoints: percent.optional(),
    /** Minutes without a sample after which a started dataset counts as stalled. */
    stalledAfterMinutes: z.number().int().min(1).max(10080).optional(),
  })
  .strict();

/**
 * Whether `sql` is one read-only query: a single SELECT (or WITH ... SELECT) statement, no second
 * statement, no data-modifying WITH. Comments and string literals are skipped; the database runs it
 * in a read-only transaction all the same. Returns the problem, or null when it is acceptable.
 * @public
 */
export function goldenQueryProblem(sql: string): string | null {
  let code = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
      code += ' ';
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) return 'has an unterminated comment';
      i = end + 2;
      code += ' ';
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      for (;;) {
        const k = sql.indexOf(c, j);
        if (k < 0) return 'has an unterminated quoted text';
        if (sql[k + 1] === c) {
          j = k + 2;
          continue;
        }
        j = k + 1;
        break;
      }
      code += c === "'" ? "''" : '"x"';
      i = j;
    } else {
      code += c;
      i++;
    }
  }
  const body = code.trim().replace(/;\s*$/, '');
  if (!body) return 'is empty';
  if (body.includes(';')) return 'must be a single statement';
  if (!/^(select|with)\b/i.test(body)) return 'must be a SELECT or WITH query';
  const forbidden =
    /\b(insert|update|delete|merge|create|alter|drop|truncate|grant|revoke|vacuum|attach|detach|pragma|into|for\s+update|for\s+share)\b/i.exec(
      body,
    );
  if (forbidden) return `must only read (found "${forbidden[1]}")`;
  return null;
}

/** A foreign-key relation between two datasets of the plan, checked on the destination. @public */
export const integrityRelationSchema = z
  .object({
    name: datasetNameSchema.optional(),
    /** The dataset whose rows refer to another (the child). */
    dataset: datasetNameSchema,
    columns: z.array(columnNameSchema).min(1).max(16),
    references: z
      .object({
        dataset: datasetNameSchema,
        columns: z.array(columnNameSchema).min(1).max(16),
      })
      .strict(),
  })
  .strict()
  .refine(r => r.columns.length === r.references.columns.length, {
    message: 'columns and references.columns must have the same length',
    path: ['references', 'columns'],
  });

/** A read-only query run on both sides whose results must be equal. @public */
export const goldenQuerySchema = z
  .object({
    name: datasetNameSchema,
    /** Query on the source (and the destination, unless destinationSql is given). */
    sql: z.string().min(1).max(20000),
    /** Query on the destination when it differs (e.g. renamed tables). */
    destinationSql: z.string().min(1).max(20000).optional(),
    /** Longest either side may run, in milliseconds. Default 30 s. */
    timeoutMs: z.number().int().min(100).max(600_000).optional(),
    /** The datasets it reads: safety triggers roll these back when the query slows down. */
    datasets: z.array(datasetNameSchema).max(100).optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    for (const key of ['sql', 'destinationSql'] as const) {
      const text = q[key];
      const problem = text === undefined ? null : goldenQueryProblem(text);
      if (problem)
        ctx.addIssue({ code: 'custom', path: [key], message: problem });
    }
  });

/** Integrity checks of a plan: relations and golden queries. @public */
export const planIntegritySchema = z
  .object({
    /** Read foreign keys between the plan's destination tables from the database. Default true. */
    readConstraints: z.boolean().optional(),
    relations: z.array(integrityRelationSchema).max(200).optional(),
    goldenQueries: z.array(goldenQuerySchema).max(50).optional(),
  })
  .strict();

/** Automatic rollbacks besides drift. @public */
export const safetyTriggersSchema = z
  .object({
    /** Off: no rollback for these reasons (alerts still fire). Default true. */
    enabled: z.boolean().optional(),
    /** Share (0-1) of failed records after the switch that rolls a dataset back. Default 0.05. */
    errorRate: z.number().min(0).max(1).optional(),
    /** Slowdown (0.2 = 20 %) of a golden query on the new side that rolls back. Default 0.2. */
    goldenQuerySlowdown: z.number().min(0).max(100).optional(),
    /** Slowdowns smaller than this many milliseconds are noise. Default 50. */
    minSlowdownMs: z.number().int().min(0).max(600_000).optional(),
  })
  .strict();

/** A migration plan: body of `POST /migrations` and `PUT /migrations/:id`. @public */
export const migrationPlanSchema = z
  .object({
    id: migrationIdSchema,
    title: z.string().min(1).max(255),
    description: z.string().max(10000).optional(),
    owner: entityRefSchema,
    entityRefs: z.array(entityRefSchema).max(100).default([]),
    approvers: entityRefSchema.optional(),
    plannedStart: isoDateTime.optional(),
    plannedEnd: isoDateTime.optional(),
    source: connectionRefSchema.optional(),
    destination: connectionRefSchema.optional(),
    datasets: z.array(planDatasetSchema).max(2000).default([]),
    phases: z.array(planPhaseSchema).max(500).default([]),
    milestones: z.array(planMilestoneSchema).max(500).default([]),
    checklist: z
      .object({ template: z.string().min(1).max(63).default('standard') })
      .strict()
      .optional(),
    alertRules: alertRulesSchema.optional(),
    /** Drift ratios (0-1) for reconciliation alerts and automatic rollback. */
    driftThresholds: z
      .object({
        warning: z.number().min(0).max(1).optional(),
        critical: z.number().min(0).max(1).optional(),
        rollback: z.number().min(0).max(1).optional(),
      })
      .strict()
      .optional(),
    /** Foreign-key relations and golden queries checked by reconciliation. */
    integrity: planIntegritySchema.optional(),
    /** Error-rate and golden-query-slowdown rollbacks (governed like driftThresholds). */
    safetyTriggers: safetyTriggersSchema.optional(),
    idempotencyKey: z.string().max(255).optional(),
  })
  .strict()
  .superRefine((plan, ctx) => {
    const names = new Set(plan.datasets.map(d => d.name));
    plan.integrity?.relations?.forEach((r, i) => {
      for (const [path, name] of [
        [['dataset'], r.dataset],
        [['references', 'dataset'], r.references.dataset],
      ] as const) {
        if (!names.has(name))
          ctx.addIssue({
            code: 'custom',
            path: ['integrity', 'relations', i, ...path],
            message: `unknown dataset "${name}"`,
          });
      }
    });
    const queryNames = new Set<string>();
    plan.integrity?.goldenQueries?.forEach((q, i) => {
      if (queryNames.has(q.name))
        ctx.addIssue({
          code: 'custom',
          path: ['integrity', 'goldenQueries', i, 'name'],
          message: `duplicate golden query name "${q.name}"`,
        });
      queryNames.add(q.name);
      q.datasets?.forEach((name, j) => {
        if (!names.has(name))
          ctx.addIssue({
            code: 'custom',
            path: ['integrity', 'goldenQueries', i, 'datasets', j],
            message: `unknown dataset "${name}"`,
          });
      });
    });
    const seen = new Set<string>();
    plan.datasets.forEach((d, i) => {
      if (seen.has(d.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['datasets', i, 'name'],
          message: `duplicate dataset name "${d.name}"`,
        });
      }
      seen.add(d.name);
    });
    const phaseIds = new Set<string>();
    plan.phases.forEach((phase, i) => {
      if (phaseIds.has(phase.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['phases', i, 'id'],
          message: `duplicate phase id "${phase.id}"`,
        });
      }
      phaseIds.add(phase.id);
    });
    plan.phases.forEach((phase, i) => {
      phase.dependsOn.forEach((dep, j) => {
        if (!phaseIds.has(dep)) {
          ctx.addIssue({
            code: 'custom',
            path: ['phases', i, 'dependsOn', j],
            message: `unknown phase "${dep}"`,
          });
        }
      });
    });
    const datasetNames = new Set(plan.datasets.map(d => d.name));
    plan.phases.forEach((phase, i) => {
      (phase.datasets ?? []).forEach((name, j) => {
        if (!datasetNames.has(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['phases', i, 'datasets', j],
            message: `unknown dataset "${name}"`,
          });
        }
      });
      const subTaskIds = new Set<string>();
      (phase.subTasks ?? []).forEach((t, j) => {
        if (subTaskIds.has(t.id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['phases', i, 'subTasks', j, 'id'],
            message: `duplicate sub-task id "${t.id}"`,
          });
        }
        subTaskIds.add(t.id);
      });
    });
    const cycle = findDependencyCycle(plan.phases);
    if (cycle) {
      ctx.addIssue({
        code: 'custom',
        path: ['phases'],
        message: `dependency cycle: ${cycle.join(' -> ')}`,
      });
    }
    if (
      plan.plannedStart &&
      plan.plannedEnd &&
      Date.parse(plan.plannedEnd) < Date.parse(plan.plannedStart)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['plannedEnd'],
        message: 'must not be before plannedStart',
      });
    }
  });

/** @public */
export type MigrationPlan = z.input<typeof migrationPlanSchema>;
/** @public */
export type ParsedMigrationPlan = z.output<typeof migrationPlanSchema>;

/** Body of `PATCH /migrations/:id`. @public */
export const migrationPatchSchema = z
  .object({
    title: z.string().min(1).max(255).optional(),
    description: z.string().max(10000).nullable().optional(),
    status: z.enum(MIGRATION_STATUSES).optional(),
    controlState: z.enum(CONTROL_STATES).optional(),
    plannedStart: isoDateTime.nullable().optional(),
    plannedEnd: isoDateTime.nullable().optional(),
    reason: z.string().max(2000).optional(),
  })
  .strict()
  .refine(p => Object.keys(p).some(k => k !== 'reason'), {
    message: 'must change at least one field',
  });

/** @public */
export type MigrationPatch = z.input<typeof migrationPatchSchema>;

/** One metric sample from a job. @public */
export const metricSampleSchema = z
  .object({
    dataset: datasetNameSchema,
    at: isoDateTime.optional(),
    totalRecords: count.optional(),
    importedRecords: count.optional(),
    failedRecords: count.optional(),
    skippedRecords: count.optional(),
    completeness: percent.optional(),
    validity: percent.optional(),
    consistency: percent.optional(),
    accuracy: percent.optional(),
    errors: z
      .object({
        critical: count.optional(),
        high: count.optional(),
        medium: count.optional(),
        low: count.optional(),
      })
      .strict()
      .optional(),
    /** Bytes moved so far (an absolute counter, like the record counts). */
    bytesMoved: count.optional(),
    /** CPU seconds used so far (an absolute counter). */
    cpuSeconds: amount.optional(),
    /** The job's peak memory (a gauge). */
    memoryPeakBytes: count.optional(),
    /** Cost so far, in the currency of `cutover.cost.currency` (an absolute counter). */
    cost: amount.optional(),
    /** Error counts by type so far, e.g. `{ "null_key": 3, "bad_date": 12 }` (absolute counters). */
    errorsByType: z
      .record(errorTypeSchema, count)
      .refine(m => Object.keys(m).length <= 50, 'at most 50 error types')
      .optional(),
  })
  .strict();

/** @public */
export type MetricSample = z.input<typeof metricSampleSchema>;

/** Body of `POST /migrations/:id/metrics`. @public */
export const metricsBatchSchema = z
  .object({
    samples: z.array(metricSampleSchema).min(1).max(10000),
    idempotencyKey: z.string().max(255).optional(),
  })
  .strict();

/** @public */
export type MetricsBatch = z.input<typeof metricsBatchSchema>;

/** Query of `GET /migrations`. @public */
export const listMigrationsQuerySchema = z
  .object({
    entityRef: z.string().max(255).optional(),
    owner: z.string().max(255).optional(),
    status: z.enum(MIGRATION_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
    cursor: z.string().max(255).optional(),
  })
  .strict();

/** An entity ref whose kind and namespace may be left out (`orders-team`, `group:default/orders-team`). */
const SHORT_ENTITY_REF = /^([a-z0-9_-]+:)?([a-z0-9_.-]+\/)?[A-Za-z0-9_.-]+$/i;
const shortRefList = (v: string) =>
  v.split(',').every(r => r.trim().length <= 255 && SHORT_ENTITY_REF.test(r.trim()));

/** Query of `GET /portfolio`. @public */
export const portfolioQuerySchema = z
  .object({
    /**
     * `all`, or a comma-separated list of owner entity refs; absent: the groups the caller
     * belongs to (and the caller).
     */
    owner: z
      .string()
      .max(2000)
      .refine(
        v => v === 'all' || shortRefList(v),
        'must be "all" or comma-separated entity refs such as group:default/team',
      )
      .optional(),
    /** Comma-separated entity refs: only migrations annotated on one of them. */
    entityRefs: z
      .string()
      .max(10000)
      .refine(
        shortRefList,
        'must be comma-separated entity refs such as component:default/orders',
      )
      .optional(),
    status: z.enum(MIGRATION_STATUSES).optional(),
    recommendation: z.enum(['GO', 'GO_WITH_CAUTION', 'NO_GO']).optional(),
    risk: z.enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']).optional(),
    sort: z.enum(PORTFOLIO_SORTS).default('risk'),
    limit: z.coerce.number().int().min(1).max(500).optional(),
    cursor: z.string().max(255).optional(),
  })
  .strict();

/** A duration such as `15m`, `24h` or `7d`. @public */
export const durationSchema = z
  .string()
  .regex(
    /^[1-9][0-9]{0,4}(s|m|h|d|w)$/,
    'must be a duration such as 15m, 24h or 7d',
  );

/** Query of `GET /migrations/:id/trends`. @public */
export const trendsQuerySchema = z
  .object({
    range: durationSchema.default('7d'),
    bucket: durationSchema.optional(),
    dataset: datasetNameSchema.optional(),
  })
  .strict();

/** Query of list routes. @public */
export const pageQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).optional(),
    cursor: z.string().max(255).optional(),
  })
  .strict();

/** Query of `GET /migrations/:id/switch-history`: a page, optionally of one dataset. @public */
export const switchHistoryQuerySchema = pageQuerySchema
  .extend({ dataset: z.string().max(127).optional() })
  .strict();

const subTaskSchema = z
  .object({
    id: datasetNameSchema,
    name: z.string().min(1).max(255),
    status: z.enum(PHASE_STATUSES).default('PENDING'),
    progressPercent: percent.default(0),
  })
  .strict();

/** Body of `PUT /migrations/:id/phases/:phaseId`: any of the phase's fields. @public */
export const phaseUpdateSchema = z
  .object({
    name: z.string().min(1).max(255).optional(),
    description: z.string().max(4000).nullable().optional(),
    plannedStart: isoDateTime.nullable().optional(),
    plannedEnd: isoDateTime.nullable().optional(),
    actualStart: isoDateTime.nullable().optional(),
    actualEnd: isoDateTime.nullable().optional(),
    progressPercent: percent.optional(),
    status: z.enum(PHASE_STATUSES).optional(),
    dependsOn: z.array(datasetNameSchema).max(100).optional(),
    subTasks: z.array(subTaskSchema).max(200).optional(),
    errors: z.array(z.string().max(2000)).max(100).optional(),
    warnings: z.array(z.string().max(2000)).max(100).optional(),
    datasets: z.array(datasetNameSchema).max(2000).optional(),
  })
  .strict();

/** @public */
export type PhaseUpdate = z.input<typeof phaseUpdateSchema>;

/** Body of `POST /migrations/:id/phases/:phaseId/subtasks`. @public */
export const subTaskCreateSchema = subTaskSchema;

/** @public */
export type SubTaskCreate = z.input<typeof subTaskCreateSchema>;

/** Body of `PATCH /migrations/:id/phases/:phaseId/subtasks/:subTaskId`. @public */
export const subTaskUpdateSchema = z
  .object({
    name: z.string().min(1).max(255).optional(),
    status: z.enum(PHASE_STATUSES).optional(),
    progressPercent: percent.optional(),
  })
  .strict()
  .refine(p => Object.keys(p).length > 0, {
    message: 'must change at least one field',
  });

/** @public */
export type SubTaskUpdate = z.input<typeof subTaskUpdateSchema>;

/** Body of `POST /migrations/:id/phases/:phaseId/pause` and `.../resume`. @public */
export const phaseControlSchema = z
  .object({ reason: z.string().max(2000).optional() })
  .strict();

/** Query of `GET /migrations/:id/control`: optionally the dataset a job moves. @public */
export const controlQuerySchema = z
  .object({ dataset: datasetNameSchema.optional() })
  .strict();

/** Body of `PUT /migrations/:id/milestones/:milestoneId`. @public */
export const milestoneUpdateSchema = z
  .object({
    name: z.string().min(1).max(255).optional(),
    plannedDate: isoDateTime.nullable().optional(),
    actualDate: isoDateTime.nullable().optional(),
    completed: z.boolean().optional(),
  })
  .strict();

/** @public */
export type MilestoneUpdate = z.input<typeof milestoneUpdateSchema>;

/** A phase or milestone id in a path. @public */
export const timelineIdSchema = datasetNameSchema;

/** Body of `POST /migrations/:id/checklist`: a custom item. @public */
export const checklistItemCreateSchema = z
  .object({
    id: z
      .string()
      .regex(
        /^[A-Z][A-Z0-9_-]{1,30}$/,
        'must be an upper-case id such as CUSTOM001',
      )
      .optional(),
    category: z.string().min(1).max(63),
    title: z.string().min(1).max(255),
    description: z.string().max(4000).optional(),
    required: z.boolean().default(true),
  })
  .strict();

/** Body of `PATCH /migrations/:id/checklist/:itemId`. @public */
export const checklistItemUpdateSchema = z
  .object({
    status: z.enum(CHECKLIST_STATUSES).optional(),
    notes: z.string().max(4000).nullable().optional(),
    /** The version the change was made on; a different stored version is a 409. (Stored as a 32-bit integer.) */
    version: z.number().int().min(0).max(2_147_483_647).optional(),
  })
  .strict()
  .refine(b => b.status !== undefined || b.notes !== undefined, {
    message: 'must change status or notes',
  });

/** @public */
export type ChecklistItemUpdate = z.input<typeof checklistItemUpdateSchema>;

/** Body of `POST /migrations/:id/approval-requests`. @public */
export const approvalRequestSchema = z
  .object({ comments: z.string().max(4000).optional() })
  .strict();

/** Body of `POST /migrations/:id/approvals`. @public */
export const approvalDecisionSchema = z
  .object({
    decision: z.enum(APPROVAL_DECISIONS),
    comments: z.string().max(4000).optional(),
    conditions: z.array(z.string().min(1).max(1000)).max(50).optional(),
    /** Required to approve a NO_GO migration where config allows overrides. */
    overrideReason: z.string().min(1).max(4000).optional(),
  })
  .strict()
  .refine(
    b => b.decision !== 'CONDITIONAL' || (b.conditions?.length ?? 0) > 0,
    {
      message: 'a CONDITIONAL approval needs at least one condition',
      path: ['conditions'],
    },
  )
  .refine(b => b.decision !== 'REJECTED' || !!b.comments, {
    message: 'a rejection needs comments saying why',
    path: ['comments'],
  });

/** @public */
export type ApprovalDecisionBody = z.input<typeof approvalDecisionSchema>;

/** Body of `POST /migrations/:id/approvals/:approvalId/revoke`. @public */
export const approvalRevokeSchema = z
  .object({ reason: z.string().min(1).max(4000) })
  .strict();

/** Body of `POST /migrations/:id/alerts`. @public */
export const alertCreateSchema = z
  .object({
    alertType: z.enum(ALERT_TYPES),
    severity: z.enum(ALERT_SEVERITIES),
    title: z.string().min(1).max(255),
    message: z.string().max(10000).optional(),
    dataset: datasetNameSchema.optional(),
    recordId: z.string().max(255).optional(),
    idempotencyKey: z.string().max(255).optional(),
  })
  .strict();

/** @public */
export type AlertCreate = z.input<typeof alertCreateSchema>;

/** Query of `GET /migrations/:id/alerts`. @public */
export const alertQuerySchema = z
  .object({
    severity: z.enum(ALERT_SEVERITIES).optional(),
    status: z.enum(['OPEN', 'RESOLVED']).optional(),
    alertType: z.enum(ALERT_TYPES).optional(),
    dataset: datasetNameSchema.optional(),
    assignee: z.string().max(255).optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
    cursor: z.string().max(255).optional(),
  })
  .strict();

/** Body of the alert resolve action. @public */
export const alertResolveSchema = z
  .object({
    resolution: z.string().min(1).max(4000),
    notes: z.string().max(4000).optional(),
  })
  .strict();
/** Body of the alert reopen action. @public */
export const alertReopenSchema = z
  .object({ reason: z.string().max(4000).optional() })
  .strict();
/** Body of the alert assign action; null unassigns. @public */
export const alertAssignSchema = z
  .object({ assignedTo: entityRefSchema.nullable() })
  .strict();
/** Body of the alert notes action. @public */
export const alertNoteSchema = z
  .object({ text: z.string().min(1).max(4000) })
  .strict();

/** @internal */
export const cutoverStateSchema = z.enum(DATASET_CUTOVER_STATES);
/** @internal */
export const readSourceSchema = z.enum(READ_SOURCES);

/**
 * Turns a zod error into one message that names the offending field(s).
 * @public
 */
export function describeZodError(error: z.ZodError, what = 'request'): string {
  const parts = error.issues.slice(0, 5).map(issue => {
    const path = issue.path.length ? issue.path.join('.') : what;
    return `${path}: ${issue.message}`;
  });
  const more =
    error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : '';
  return `Invalid ${what}: ${parts.join('; ')}${more}`;
}

const timeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day HH:mm (24-hour)');

const ianaZone = z
  .string()
  .min(1)
  .max(64)
  .refine(zone => {
    try {
      return !!new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
      }).resolvedOptions().timeZone;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Europe/Berlin');

/**
 * When a schedule runs: the fields report schedules and scheduled operations share (daily, weekly,
 * every second week or monthly at a local time of an IANA zone). @public
 */
export const scheduleTimingShape = {
  frequency: z.enum(REPORT_FREQUENCIES),
  dayOfWeek: z.number().int().min(1).max(7).optional(),
  dayOfMonth: z.number().int().min(1).max(31).optional(),
  time: timeOfDay,
  timezone: ianaZone.default('UTC'),
};

/** The day a WEEKLY / BIWEEKLY / MONTHLY schedule needs, named when it is missing. */
function refineTiming(
  s: { frequency: ReportFrequency; dayOfWeek?: number; dayOfMonth?: number },
  ctx: z.RefinementCtx,
) {
  if (
    (s.frequency === 'WEEKLY' || s.frequency === 'BIWEEKLY') &&
    s.dayOfWeek === undefined
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['dayOfWeek'],
      message: `a ${s.frequency} schedule needs dayOfWeek (1 = Monday ... 7 = Sunday)`,
    });
  }
  if (s.frequency === 'MONTHLY' && s.dayOfMonth === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['dayOfMonth'],
      message: 'a MONTHLY schedule needs dayOfMonth (1-31)',
    });
  }
}

/** Body of `POST /migrations/:id/report-schedules`. @public */
export const reportScheduleCreateSchema = z
  .object({
    name: z.string().min(1).max(255),
    reportType: z.enum(REPORT_TYPES),
    format: z.enum(REPORT_FORMATS),
    ...scheduleTimingShape,
    recipients: z.array(entityRefSchema).min(1).max(50),
    enabled: z.boolean().default(true),
  })
  .strict()
  .superRefine((s, ctx) => {
    const allowed: Record<ReportType, ReportFormat[]> = {
      EXECUTIVE: ['PDF'],
      DETAILED: ['XLSX'],
      AUDIT_TRAIL: ['CSV'],
    };
    if (!allowed[s.reportType].includes(s.format)) {
      ctx.addIssue({
        code: 'custom',
        path: ['format'],
        message: `a ${s.reportType} report comes as ${allowed[
          s.reportType
        ].join(' or ')}`,
      });
    }
    refineTiming(s, ctx);
  });
/** @public */
export type ReportScheduleCreate = z.input<typeof reportScheduleCreateSchema>;

/** Body of `PATCH /migrations/:id/report-schedules/:scheduleId` (pause / resume / rename). @public */
export const reportSchedulePatchSchema = z
  .object({
    enabled: z.boolean().optional(),
    name: z.string().min(1).max(255).optional(),
  })
  .strict();

/**
 * Body of `POST /migrations/:id/snapshot-schedules` and `.../reconciliation-schedules`: the
 * operation runs on the report schedules' timing model; `datasets` default to all of them
 * (reconciliations: those in CUTOVER or COMPLETED when the slot comes). @public
 */
export const operationScheduleCreateSchema = z
  .object({
    name: z.string().min(1).max(255),
    ...scheduleTimingShape,
    datasets: z.array(datasetNameSchema).min(1).max(2000).optional(),
    /** Snapshots only: days each scheduled snapshot is kept; the configured default otherwise. */
    retentionDays: z.number().int().min(1).max(3650).optional(),
    enabled: z.boolean().default(true),
  })
  .strict()
  .superRefine(refineTiming);
/** @public */
export type OperationScheduleCreate = z.input<
  typeof operationScheduleCreateSchema
>;

/** Body of `PATCH` on a scheduled operation (pause / resume / rename). @public */
export const operationSchedulePatchSchema = reportSchedulePatchSchema;

/** Body of `POST /migrations/:id/snapshots`. @public */
export const snapshotCreateSchema = z
  .object({
    name: z.string().min(1).max(255),
    description: z.string().max(4000).optional(),
    datasets: z.array(datasetNameSchema).min(1).max(2000).optional(),
    /** Days to keep it; the configured default otherwise. */
    retentionDays: z.number().int().min(1).max(3650).optional(),
  })
  .strict();
/** @public */
export type SnapshotCreate = z.input<typeof snapshotCreateSchema>;

/** Body of `POST /migrations/:id/rollbacks`. @public */
export const rollbackCreateSchema = z
  .object({
    snapshotId: z.string().min(1).max(64),
    datasets: z.array(datasetNameSchema).min(1).max(2000).optional(),
    createBackup: z.boolean().default(true),
    verifyAfter: z.boolean().default(true),
    reason: z.string().max(4000).optional(),
  })
  .strict();
/** @public */
export type RollbackCreate = z.input<typeof rollbackCreateSchema>;

/**
 * An emergency override of the approval gate: allowed only with `cutover.approval.override`, with a
 * reason, audited at high severity and shown on the tabs.
 */
const overrideReason = z
  .string()
  .min(10, 'must say why (at least 10 characters)')
  .max(4000);

/** Body of `PUT /migrations/:id/datasets/:dataset/read-source`. @public */
export const readSourceSwitchSchema = z
  .object({
    source: z.enum(READ_SOURCES),
    reason: z.string().min(1).max(4000),
    /** Switch without a current approval (emergency); needs `cutover.approval.override`. */
    overrideReason: overrideReason.optional(),
    /**
     * A gradual rollout: `source` is read by this share (1-99) of targeting keys, the others keep
     * the dataset's current source. Without it the switch is for everyone (and ends a rollout).
     */
    rolloutPercent: z
      .number()
      .int('must be a whole number from 1 to 99')
      .min(1, 'must be at least 1 (switch for everyone without rolloutPercent)')
      .max(99, 'must be at most 99 (switch for everyone without rolloutPercent)')
      .optional(),
  })
  .strict()
  .refine(b => b.rolloutPercent === undefined || b.source !== 'LEGACY', {
    path: ['rolloutPercent'],
    message:
      'a rollout gives DUAL or NEW to a share of callers; switching back to LEGACY is for everyone',
  });
/** @public */
export type ReadSourceSwitch = z.input<typeof readSourceSwitchSchema>;

/** Body of `PUT /migrations/:id/datasets/:dataset/cutover-state`. @public */
export const cutoverStateChangeSchema = z
  .object({
    state: z.enum(DATASET_CUTOVER_STATES),
    reason: z.string().min(1).max(4000),
    /** Move to CUTOVER without a current approval (emergency); needs `cutover.approval.override`. */
    overrideReason: overrideReason.optional(),
  })
  .strict();
/** @public */
export type CutoverStateChange = z.input<typeof cutoverStateChangeSchema>;

/** Body of `POST /migrations/:id/restore`: brings an archived migration back. @public */
export const migrationRestoreSchema = z
  .object({ reason: z.string().min(1).max(4000) })
  .strict();
/** @public */
export type MigrationRestore = z.input<typeof migrationRestoreSchema>;

/** Body of `POST /migrations/:id/freeze-windows`. @public */
export const freezeWindowCreateSchema = z
  .object({
    name: z.string().min(1).max(255),
    description: z.string().max(4000).optional(),
    datasets: z.array(datasetNameSchema).min(1).max(2000),
    startsAt: isoDateTime,
    endsAt: isoDateTime,
    allowReadSourceSwitch: z.boolean().default(true),
  })
  .strict()
  .refine(w => Date.parse(w.endsAt) > Date.parse(w.startsAt), {
    message: 'must be after startsAt',
    path: ['endsAt'],
  });
/** @public */
export type FreezeWindowCreate = z.input<typeof freezeWindowCreateSchema>;

/** Body of the freeze window cancel action. @public */
export const freezeWindowCancelSchema = z
  .object({ reason: z.string().max(4000).optional() })
  .strict();

/** Body of `POST /migrations/:id/reconciliations`. @public */
export const reconciliationCreateSchema = z
  .object({ datasets: z.array(datasetNameSchema).min(1).max(2000).optional() })
  .strict();
/** @public */
export type ReconciliationCreate = z.input<typeof reconciliationCreateSchema>;

/** Drift thresholds of one migration (ratios 0-1), overriding the configured ones. @public */
export const driftThresholdsSchema = z
  .object({
    warning: z.number().min(0).max(1).optional(),
    critical: z.number().min(0).max(1).optional(),
    rollback: z.number().min(0).max(1).optional(),
  })
  .strict();

/** Body of `POST /plans/draft`: the two connections to draft a plan from, and for whom. @public */
export const planDraftRequestSchema = z
  .object({
    source: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must name a connection under cutover.connections'),
    destination: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must name a connection under cutover.connections'),
    /** PostgreSQL schema read on both sides (default `public`); SQLite has only `main`. */
    schema: z
      .string()
      .max(63)
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain SQL identifier')
      .optional(),
    /** Who will own the migration: the connections are judged by it, and the caller must belong to it. */
    owner: entityRefSchema,
    approvers: entityRefSchema.optional(),
    id: migrationIdSchema.optional(),
    title: z.string().min(1).max(255).optional(),
    entityRefs: z.array(entityRefSchema).max(100).optional(),
  })
  .strict();

/** @public */
export type PlanDraftRequest = z.infer<typeof planDraftRequestSchema>;
