import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  CutoverOperationId,
  cutoverOperations,
} from '@switchyard/plugin-cutover-common';
import {
  cutoverReconcilersExtensionPoint,
  cutoverSnapshotProvidersExtensionPoint,
  Reconciler,
} from '@switchyard/plugin-cutover-node';
import type * as FastCheck from 'fast-check';
import { Knex } from 'knex';
import { z } from 'zod';
import { CutoverConnections } from '../snapshots/connections';
import { KnexSnapshotProvider } from '../snapshots/KnexSnapshotProvider';

/*
 * The route table of the hardening tests: every route of `service/router.ts` (badInput.test.ts
 * checks the table against the router) with what a request to it needs (path parameters, query
 * keys, a valid body and its schema); the fixture those requests act on, seeded through the API;
 * generators of malformed input (random, via fast-check, which the tests pass in since it is a
 * dev dependency) and of deterministic boundary cases.
 */

/** Who a request is sent as; the tests map these to credentials. */
export type Actor =
  | 'anonymous'
  | 'reader'
  | 'owner'
  | 'owner2'
  | 'approver'
  | 'approver2'
  | 'job'
  | 'jobExample'
  | 'approverOwner'
  | 'otherTeam';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a path parameter names; the fixture has valid values of each. */
export type ParamKind =
  | 'migration'
  | 'phase'
  | 'subTask'
  | 'milestone'
  | 'checklistItem'
  | 'approval'
  | 'alert'
  | 'report'
  | 'schedule'
  | 'snapshot'
  | 'rollback'
  | 'dataset'
  | 'window'
  | 'run'
  | 'snapshotSchedule'
  | 'reconciliationSchedule';

/** Path parameter names of the router and what they name. */
export const PARAM_KINDS: Record<string, ParamKind> = {
  id: 'migration',
  phaseId: 'phase',
  subTaskId: 'subTask',
  milestoneId: 'milestone',
  itemId: 'checklistItem',
  approvalId: 'approval',
  alertId: 'alert',
  reportId: 'report',
  scheduleId: 'schedule',
  snapshotId: 'snapshot',
  rollbackId: 'rollback',
  dataset: 'dataset',
  windowId: 'window',
  runId: 'run',
  snapshotScheduleId: 'snapshotSchedule',
  reconciliationScheduleId: 'reconciliationSchedule',
};

/** The seeded migration and the ids of what it holds. */
export interface Fixture {
  migrationId: string;
  /** A second migration, for requests that may rewrite the one they name. */
  spareMigrationId: string;
  ids: Record<ParamKind, string[]>;
}

export interface RouteSpec {
  method: Method;
  /** Express path template, relative to /api/cutover. */
  path: string;
  /** Principals that pass the route's permission check, so that requests reach validation. */
  fuzzAs: Actor[];
  /** Query keys the route reads. */
  query?: string[];
  /** A valid body, which the generators below turn into malformed ones. */
  body?: (fx: Fixture) => Record<string, unknown>;
  /** The schema the router parses the body with (for `PUT /migrations/:id` with the path's id). */
  schema?: z.ZodTypeAny;
  /** Requests name the spare migration, not the fixture's (a plan applied to it may rewrite it). */
  spare?: boolean;
  /**
   * A top-level body field made unique in each boundary case (an id or idempotency key), so that
   * every case is applied rather than answered as a conflict or a replay.
   */
  uniqueKey?: string;
}

/** `METHOD /path` of a route, as tables key it. */
export const routeKey = (r: { method: string; path: string }) =>
  `${r.method} ${r.path}`;

const hour = 3_600_000;
/** A fixed instant in the past, so generated bodies are the same on every run. */
/** Plans, samples and windows of the route table are laid out from a day before the run, on the hour. */
const BASE = Math.floor(Date.now() / hour) * hour - 24 * hour;
const iso = (offsetHours: number) =>
  new Date(BASE + offsetHours * hour).toISOString();

/** The fixture's own migration: the one whose tables are the fixture tables without a suffix. */
export const FIXTURE_MIGRATION_ID = 'orders-v2';

/**
 * Tables belong to one migration at a time, so every other migration of the fixture gets tables of
 * its own: the fixture tables with the migration id as suffix (created by `createMigration`).
 */
export function fixtureTableSuffix(id: string) {
  return id === FIXTURE_MIGRATION_ID
    ? ''
    : `_${id.replace(/[^a-z0-9]+/g, '_')}`;
}

/** The migration the hardening tests act on: two datasets with tables, phases, a milestone. */
export function fixturePlan(id: string) {
  const suffix = fixtureTableSuffix(id);
  return {
    id,
    title: 'Orders database to PostgreSQL',
    description: 'Move the orders domain off the legacy database',
    owner: 'group:default/orders-team',
    approvers: 'group:default/cutover-approvers',
    entityRefs: ['component:default/orders-service'],
    plannedStart: iso(0),
    plannedEnd: iso(24 * 30),
    source: { connection: 'src' },
    destination: { connection: 'dest' },
    datasets: [
      {
        name: 'customers',
        tier: 1,
        category: 'master',
        sourceTable: `hardening_src_customers${suffix}`,
        destinationTable: `hardening_dest_customers${suffix}`,
        keyColumns: ['id'],
        totalRecords: 40,
      },
      {
        name: 'orders',
        tier: 2,
        category: 'transactional',
        sourceTable: `hardening_src_orders${suffix}`,
        destinationTable: `hardening_dest_orders${suffix}`,
        keyColumns: ['region', 'id'],
        totalRecords: 60,
      },
    ],
    phases: [
      {
        id: 'extract',
        name: 'Data extraction',
        plannedStart: iso(0),
        plannedEnd: iso(48),
        datasets: ['customers'],
        subTasks: [{ id: 'dump', name: 'Dump tables' }],
      },
      {
        id: 'load',
        name: 'Load',
        plannedStart: iso(48),
        plannedEnd: iso(96),
        dependsOn: ['extract'],
      },
    ],
    milestones: [
      { id: 'uat', name: 'UAT complete', plannedDate: iso(24 * 20) },
    ],
    checklist: { template: 'standard' },
    alertRules: { qualityBelow: 70 },
    driftThresholds: { warning: 0.01, critical: 0.02, rollback: 0.5 },
  };
}

const reportSchedule = {
  name: 'Monday status for the steering group',
  reportType: 'AUDIT_TRAIL',
  format: 'CSV',
  frequency: 'WEEKLY',
  dayOfWeek: 1,
  time: '09:00',
  timezone: 'Europe/Berlin',
  recipients: ['group:default/cutover-approvers', 'user:default/olivia-owner'],
  enabled: true,
};

/** A valid report schedule body. */
export const validReportSchedule = () => ({
  ...reportSchedule,
  recipients: [...reportSchedule.recipients],
});

const OWNER: Actor[] = ['owner'];
const JOB_OR_OWNER: Actor[] = ['job', 'owner'];
const APPROVER: Actor[] = ['approver'];

/** The fuzz specs of a snapshot or reconciliation schedule's routes: the same shapes for both. */
function operationScheduleFuzz(
  kind: 'Snapshot' | 'Reconciliation',
): Partial<Record<CutoverOperationId, Partial<RouteSpec>>> {
  const name = `Nightly ${kind.toLowerCase()}`;
  return {
    [`create${kind}Schedule`]: {
      fuzzAs: OWNER,
      body: () => ({
        name,
        frequency: 'WEEKLY',
        dayOfWeek: 2,
        time: '02:30',
        timezone: 'Europe/Berlin',
        datasets: ['orders'],
        enabled: true,
      }),
    },
    [`update${kind}Schedule`]: {
      fuzzAs: OWNER,
      body: () => ({ enabled: true, name }),
    },
    [`delete${kind}Schedule`]: { fuzzAs: OWNER },
    [`run${kind}ScheduleNow`]: { fuzzAs: OWNER },
  };
}

/**
 * What the fuzz tests need of each operation beyond its catalogue entry (method, path, query keys
 * and body schema come from there): who passes its permission check so that requests reach
 * validation (the owner when not said), and a valid body, which the generators below turn into
 * malformed ones. An operation with a body must have one here (checked below).
 */
const FUZZ: Partial<Record<CutoverOperationId, Partial<RouteSpec>>> = {
  createMigration: {
    fuzzAs: OWNER,
    body: () => fixturePlan('fuzz-created'),
  },
  applyMigrationPlan: {
    fuzzAs: JOB_OR_OWNER,
    body: fx => {
      const { id: _id, ...plan } = fixturePlan(fx.spareMigrationId);
      return plan;
    },
    spare: true,
  },
  draftPlan: {
    fuzzAs: OWNER,
    body: () => ({ source: 'src', destination: 'dest', owner: 'group:default/orders-team' }),
  },
  patchMigration: {
    fuzzAs: OWNER,
    body: () => ({
      title: 'Orders database to PostgreSQL',
      description: 'Move the orders domain off the legacy database',
      plannedStart: iso(0),
      plannedEnd: iso(24 * 30),
      reason: 'replanned',
    }),
  },
  archiveMigration: {
    fuzzAs: OWNER,
  },
  restoreMigration: {
    fuzzAs: OWNER,
    body: () => ({ reason: 'archived by mistake' }),
  },
  getControlState: { fuzzAs: JOB_OR_OWNER },
  ingestMetrics: {
    fuzzAs: JOB_OR_OWNER,
    body: () => ({
      samples: [
        {
          dataset: 'customers',
          at: iso(2),
          totalRecords: 40,
          importedRecords: 30,
          failedRecords: 1,
          skippedRecords: 0,
          completeness: 90,
          validity: 91,
          consistency: 92,
          accuracy: 93,
          errors: { critical: 0, high: 1, medium: 2, low: 3 },
        },
      ],
      idempotencyKey: 'fuzz-batch-1',
    }),
    uniqueKey: 'idempotencyKey',
  },
  putPhase: {
    fuzzAs: JOB_OR_OWNER,
    body: () => ({
      name: 'Data extraction',
      description: 'Extract from the legacy database',
      plannedStart: iso(0),
      plannedEnd: iso(48),
      actualStart: iso(1),
      progressPercent: 40,
      status: 'IN_PROGRESS',
      dependsOn: [],
      subTasks: [
        {
          id: 'dump',
          name: 'Dump tables',
          status: 'COMPLETED',
          progressPercent: 100,
        },
      ],
      errors: ['one retry'],
      warnings: ['slow network'],
    }),
  },
  createSubTask: {
    fuzzAs: JOB_OR_OWNER,
    body: () => ({
      id: 'verify',
      name: 'Verify row counts',
      status: 'IN_PROGRESS',
      progressPercent: 10,
    }),
    uniqueKey: 'id',
  },
  updateSubTask: {
    fuzzAs: JOB_OR_OWNER,
    body: () => ({
      name: 'Dump tables',
      status: 'IN_PROGRESS',
      progressPercent: 40,
    }),
  },
  completeSubTask: {
    fuzzAs: JOB_OR_OWNER,
    body: () => ({ reason: 'dump verified' }),
  },
  pausePhase: {
    fuzzAs: OWNER,
    body: () => ({ reason: 'source under load' }),
  },
  resumePhase: {
    fuzzAs: OWNER,
    body: () => ({ reason: 'load is back to normal' }),
  },
  putMilestone: {
    fuzzAs: OWNER,
    body: () => ({
      name: 'UAT complete',
      plannedDate: iso(24 * 20),
      actualDate: null,
      completed: false,
    }),
  },
  addChecklistItem: {
    fuzzAs: OWNER,
    body: () => ({
      category: 'Operations',
      title: 'Runbook reviewed',
      description: 'By the on-call team',
      required: true,
    }),
  },
  updateChecklistItem: {
    fuzzAs: OWNER,
    body: () => ({ status: 'PASS', notes: 'checked by hand', version: 1 }),
  },
  requestApproval: {
    fuzzAs: OWNER,
    body: () => ({ comments: 'Ready for the weekend' }),
  },
  decideApproval: {
    fuzzAs: APPROVER,
    body: () => ({
      decision: 'CONDITIONAL',
      comments: 'Fine once the last batch is in',
      conditions: ['last batch imported'],
      overrideReason: 'business deadline',
    }),
  },
  revokeApproval: {
    fuzzAs: APPROVER,
    body: () => ({ reason: 'new blockers found' }),
  },
  raiseAlert: {
    fuzzAs: JOB_OR_OWNER,
    body: () => ({
      alertType: 'WARNING',
      severity: 'LOW',
      title: 'Slow batch',
      message: 'Batch 7 took 3 minutes',
      dataset: 'orders',
      recordId: 'batch-7',
      idempotencyKey: 'batch-7-slow',
    }),
  },
  resolveAlert: {
    fuzzAs: OWNER,
    body: () => ({ resolution: 'retried', notes: 'fine now' }),
  },
  reopenAlert: {
    fuzzAs: OWNER,
    body: () => ({ reason: 'came back' }),
  },
  assignAlert: {
    fuzzAs: OWNER,
    body: () => ({ assignedTo: 'user:default/oscar-owner' }),
  },
  addAlertNote: {
    fuzzAs: OWNER,
    body: () => ({ text: 'looking into it' }),
  },
  createReportSchedule: {
    fuzzAs: OWNER,
    body: () => validReportSchedule(),
  },
  updateReportSchedule: {
    fuzzAs: OWNER,
    body: () => ({ enabled: true, name: 'Monday status' }),
  },
  deleteReportSchedule: {
    fuzzAs: OWNER,
  },
  ...operationScheduleFuzz('Snapshot'),
  ...operationScheduleFuzz('Reconciliation'),
  createSnapshot: {
    fuzzAs: OWNER,
    body: () => ({
      name: 'Before tier 2',
      description: 'Baseline',
      datasets: ['customers'],
      retentionDays: 3,
    }),
  },
  deleteSnapshot: {
    fuzzAs: OWNER,
  },
  verifySnapshot: {
    fuzzAs: OWNER,
  },
  createRollback: {
    fuzzAs: OWNER,
    body: fx => ({
      snapshotId: fx.ids.snapshot[0],
      datasets: ['customers'],
      createBackup: false,
      verifyAfter: true,
      reason: 'rehearsal',
    }),
  },
  switchReadSource: {
    fuzzAs: OWNER,
    body: () => ({ source: 'DUAL', reason: 'start dual reads' }),
  },
  setCutoverState: {
    fuzzAs: OWNER,
    body: () => ({ state: 'READY', reason: 'imported and checked' }),
  },
  createFreezeWindow: {
    fuzzAs: OWNER,
    body: () => ({
      name: 'Weekend freeze',
      description: 'No writes to customers',
      datasets: ['customers'],
      startsAt: iso(24 * 10),
      endsAt: iso(24 * 12),
      allowReadSourceSwitch: true,
    }),
  },
  activateFreezeWindow: {
    fuzzAs: OWNER,
    body: () => ({ reason: 'as planned' }),
  },
  completeFreezeWindow: {
    fuzzAs: OWNER,
    body: () => ({ reason: 'as planned' }),
  },
  cancelFreezeWindow: {
    fuzzAs: OWNER,
    body: () => ({ reason: 'as planned' }),
  },
  startReconciliation: {
    fuzzAs: OWNER,
    body: () => ({ datasets: ['orders'] }),
  },
};

/** The query keys of a strict zod object. */
const queryKeys = (schema: z.ZodType) =>
  Object.keys((schema as unknown as z.ZodObject<z.ZodRawShape>).shape);

/** Every route of the router: the operation catalogue with the fuzz specs above. */
export const ROUTES: RouteSpec[] = cutoverOperations().map(op => {
  const route: RouteSpec = {
    method: op.method.toUpperCase() as Method,
    path: op.path,
    fuzzAs: OWNER,
    ...(op.query ? { query: queryKeys(op.query) } : {}),
    ...(op.body ? { schema: op.body.schema as z.ZodTypeAny } : {}),
    ...FUZZ[op.id],
  };
  if (op.body && !route.body) {
    throw new Error(`${op.id} takes a body: give FUZZ.${op.id} a valid one`);
  }
  return route;
});

/** The path parameter names of a template, in order. */
export const paramNames = (path: string) =>
  [...path.matchAll(/:([A-Za-z]+)/g)].map(m => m[1]);

/** Fills a path template with values that are already URL-encoded. */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/:([A-Za-z]+)/g, (_m, name: string) => values[name]);
}

// ----- the fixture -----

/** One HTTP exchange, as the tests' client reports it. */
export interface HttpResult {
  status: number;
  body: any;
}

/** Sends a request as an actor; paths are relative to /api/cutover. */
export type Http = (
  who: Actor,
  method: Method,
  path: string,
  body?: unknown,
) => Promise<HttpResult>;

/** The source and destination tables of the fixture's datasets, in the test database. */
export async function createFixtureTables(knex: Knex, suffix = '') {
  for (const side of ['src', 'dest']) {
    const customers = `hardening_${side}_customers${suffix}`;
    const orders = `hardening_${side}_orders${suffix}`;
    await knex.schema.dropTableIfExists(customers);
    await knex.schema.dropTableIfExists(orders);
    await knex.schema.createTable(customers, t => {
      t.integer('id').primary();
      t.string('name', 100).notNullable();
    });
    await knex.schema.createTable(orders, t => {
      t.string('region', 10).notNullable();
      t.integer('id').notNullable();
      t.decimal('amount', 12, 2);
      t.primary(['region', 'id']);
    });
    await knex(customers).insert(
      Array.from({ length: 40 }, (_, i) => ({
        id: i + 1,
        name: `Customer ${i + 1}`,
      })),
    );
    await knex(orders).insert(
      Array.from({ length: 60 }, (_, i) => ({
        region: i % 2 ? 'eu' : 'us',
        id: i + 1,
        amount: (i * 3.5).toFixed(2),
      })),
    );
  }
}

/** A reconciler that finds no drift, so runs finish at once without side effects. */
const quietReconciler: Reconciler = {
  id: 'hardening-quiet',
  async supports() {
    return true;
  },
  async reconcile(source, destination) {
    return {
      sourceCount: 0,
      destinationCount: 0,
      missingInDestination: 0,
      missingInSource: 0,
      mismatched: 0,
      driftRatio: 0,
      sampleKeys: [],
      notes: [`compared ${source.table} with ${destination.table}`],
    };
  },
};

/** Backend modules the hardening tests add: the Knex snapshot provider on the test database and a quiet reconciler. */
export function fixtureModules(knex: Knex) {
  const connections = new CutoverConnections({ src: knex, dest: knex });
  return [
    createBackendModule({
      pluginId: 'cutover',
      moduleId: 'hardening-snapshot-provider',
      register(reg) {
        reg.registerInit({
          deps: { providers: cutoverSnapshotProvidersExtensionPoint },
          async init({ providers }) {
            providers.addSnapshotProvider(
              new KnexSnapshotProvider(connections),
            );
          },
        });
      },
    }),
    createBackendModule({
      pluginId: 'cutover',
      moduleId: 'hardening-reconciler',
      register(reg) {
        reg.registerInit({
          deps: { reconcilers: cutoverReconcilersExtensionPoint },
          async init({ reconcilers }) {
            reconcilers.addReconciler(quietReconciler);
          },
        });
      },
    }),
  ];
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Polls a job resource (snapshot, rollback, reconciliation run) until it has finished. */
export async function waitForJob(http: Http, path: string, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await http('owner', 'GET', path);
    if (res.status !== 200)
      throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    if (res.body.status !== 'PENDING' && res.body.status !== 'RUNNING')
      return res.body;
    if (Date.now() > until)
      throw new Error(`${path} still ${res.body.status} after ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** Sends a request that must succeed; returns its body. */
export async function must(
  http: Http,
  who: Actor,
  method: Method,
  path: string,
  body?: unknown,
) {
  const res = await http(who, method, path, body);
  if (res.status >= 300) {
    throw new Error(
      `${method} ${path} as ${who}: ${res.status} ${JSON.stringify(res.body)}`,
    );
  }
  return res.body;
}

/** Creates a migration from the fixture plan (no samples, nothing else). */
export async function createMigration(http: Http, id: string, knex?: Knex) {
  if (knex && fixtureTableSuffix(id))
    await createFixtureTables(knex, fixtureTableSuffix(id));
  const { id: _id, ...plan } = fixturePlan(id);
  await must(http, 'job', 'PUT', `/migrations/${id}`, plan);
  return id;
}

/** Reports the fixture's customers dataset fully imported with good quality, so it may become READY. */
export async function completeCustomers(http: Http, id: string) {
  await must(http, 'job', 'POST', `/migrations/${id}/metrics`, {
    samples: [
      {
        dataset: 'customers',
        totalRecords: 40,
        importedRecords: 40,
        completeness: 99,
        validity: 99,
        consistency: 99,
        accuracy: 99,
      },
    ],
  });
}

/**
 * Seeds a realistic migration through the API: plan, samples, a checklist change and a custom
 * item, alerts, a report schedule with a delivered report, a snapshot and a rollback from it, a
 * freeze window, a reconciliation run, an approval request with a decision and an open one.
 */
export async function seedFixture(
  http: Http,
  deps: { knex: Knex; triggerTask: (id: string) => Promise<void> },
): Promise<Fixture> {
  const id = FIXTURE_MIGRATION_ID;
  const m = `/migrations/${id}`;
  await createFixtureTables(deps.knex);
  await createMigration(http, id);
  const now = Date.now();
  const at = (minutesAgo: number) =>
    new Date(now - minutesAgo * 60_000).toISOString();
  await must(http, 'job', 'POST', `${m}/metrics`, {
    samples: [180, 120, 60].flatMap((ago, i) => [
      {
        dataset: 'customers',
        at: at(ago),
        totalRecords: 40,
        importedRecords: 10 * (i + 1),
        completeness: 95,
        validity: 94,
        consistency: 96,
        accuracy: 95,
      },
      {
        dataset: 'orders',
        at: at(ago),
        totalRecords: 60,
        importedRecords: 5 * (i + 1),
        failedRecords: i,
        errors: { critical: 0, high: i, medium: 1, low: 2 },
      },
    ]),
  });
  await must(http, 'job', 'PUT', `${m}/phases/extract`, {
    progressPercent: 60,
    status: 'IN_PROGRESS',
  });
  await must(http, 'owner', 'PATCH', `${m}/checklist/SR002`, {
    status: 'PASS',
    notes: 'rollback plan reviewed',
  });
  const custom = await must(http, 'owner', 'POST', `${m}/checklist`, {
    id: 'OPS001',
    category: 'Operations',
    title: 'On-call rota staffed',
  });
  const open = await must(http, 'job', 'POST', `${m}/alerts`, {
    alertType: 'WARNING',
    severity: 'MEDIUM',
    title: 'Slow batch',
    dataset: 'orders',
  });
  await must(http, 'owner', 'POST', `${m}/alerts/${open.id}/notes`, {
    text: 'watching it',
  });
  const resolved = await must(http, 'job', 'POST', `${m}/alerts`, {
    alertType: 'ERROR',
    severity: 'HIGH',
    title: 'Duplicate keys',
    dataset: 'customers',
  });
  await must(http, 'owner', 'POST', `${m}/alerts/${resolved.id}/resolve`, {
    resolution: 'deduplicated',
  });
  const schedule = await must(
    http,
    'owner',
    'POST',
    `${m}/report-schedules`,
    validReportSchedule(),
  );
  await deps
    .knex('cutover_report_schedules')
    .where({ id: schedule.id })
    .update({ next_run_at: Date.now() - 1000 });
  await deps.triggerTask('cutover-report-dispatcher');
  const reports = await must(http, 'owner', 'GET', `${m}/reports/stored`);
  if (!reports.items.length)
    throw new Error(
      'The report dispatcher delivered no report to seed the fixture with',
    );
  const snapshot = await must(http, 'owner', 'POST', `${m}/snapshots`, {
    name: 'Baseline',
  });
  await waitForJob(http, `${m}/snapshots/${snapshot.id}`);
  const rollback = await must(http, 'owner', 'POST', `${m}/rollbacks`, {
    snapshotId: snapshot.id,
    createBackup: false,
    reason: 'rehearsal',
  });
  await waitForJob(http, `${m}/rollbacks/${rollback.id}`);
  const window = await must(http, 'owner', 'POST', `${m}/freeze-windows`, {
    name: 'Cutover weekend',
    datasets: ['customers', 'orders'],
    startsAt: iso(24 * 365),
    endsAt: iso(24 * 367),
  });
  const run = await must(http, 'owner', 'POST', `${m}/reconciliations`, {});
  await waitForJob(http, `${m}/reconciliations/${run.id}`);
  await must(http, 'owner', 'POST', `${m}/approval-requests`, {
    comments: 'first try',
  });
  const rejected = await must(http, 'approver2', 'POST', `${m}/approvals`, {
    decision: 'REJECTED',
    comments: 'not yet',
  });
  await must(http, 'owner', 'POST', `${m}/approval-requests`, {
    comments: 'second try',
  });
  const snapshotSchedule = await must(
    http,
    'owner',
    'POST',
    `${m}/snapshot-schedules`,
    {
      name: 'Nightly baseline',
      frequency: 'DAILY',
      time: '02:30',
      retentionDays: 3,
    },
  );
  const reconciliationSchedule = await must(
    http,
    'owner',
    'POST',
    `${m}/reconciliation-schedules`,
    { name: 'Nightly check', frequency: 'DAILY', time: '03:30' },
  );
  const spare = await createMigration(http, 'orders-spare', deps.knex);
  return {
    migrationId: id,
    spareMigrationId: spare,
    ids: {
      migration: [id],
      phase: ['extract', 'load'],
      subTask: ['dump'],
      milestone: ['uat'],
      checklistItem: ['SR002', 'DQ004', 'TEST001', custom.id],
      approval: [rejected.id],
      alert: [open.id, resolved.id],
      report: reports.items.map((r: { id: string }) => r.id),
      schedule: [schedule.id],
      snapshot: [snapshot.id],
      rollback: [rollback.id],
      dataset: ['customers', 'orders'],
      window: [window.id],
      run: [run.id],
      snapshotSchedule: [snapshotSchedule.id],
      reconciliationSchedule: [reconciliationSchedule.id],
    },
  };
}

// ----- malformed input -----

type Fc = typeof FastCheck;
type Arbitrary<T> = FastCheck.Arbitrary<T>;

/** A piece of JSON text written as it is (numbers JSON.stringify can't write, odd objects). */
export class RawJson {
  constructor(readonly text: string) {}
  toString() {
    return `raw(${this.text})`;
  }
}

const raw = (text: string) => new RawJson(text);

/** JSON text of a value that may hold {@link RawJson} pieces. */
export function toJsonText(value: unknown): string {
  const pieces: string[] = [];
  const text = JSON.stringify(value, (_key, v) => {
    if (v instanceof RawJson) {
      pieces.push(v.text);
      return `\u0001RAW${pieces.length - 1}\u0001`;
    }
    return v;
  });
  if (text === undefined) return '';
  return text.replace(
    /"\\u0001RAW(\d+)\\u0001"/g,
    (_m, i: string) => pieces[Number(i)],
  );
}

type Json = unknown;
type Path = Array<string | number>;

/** Own enumerable keys, `__proto__` included when it is an own property. */
const defineKey = (
  target: Record<string, unknown>,
  key: string,
  value: unknown,
) =>
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });

function clone(value: Json): Json {
  if (Array.isArray(value)) return value.map(clone);
  if (value && typeof value === 'object' && !(value instanceof RawJson)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value))
      defineKey(out, key, clone((value as Record<string, unknown>)[key]));
    return out;
  }
  return value;
}

const isContainer = (v: unknown): v is Record<string, unknown> | unknown[] =>
  !!v && typeof v === 'object' && !(v instanceof RawJson);

/** Every path inside a JSON value (not the root itself). */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  if (!isContainer(value)) return [];
  const keys: Array<string | number> = Array.isArray(value)
    ? value.map((_, i) => i)
    : Object.keys(value);
  return keys.flatMap(k => {
    const p = [...prefix, k];
    return [p, ...pathsOf((value as any)[k], p)];
  });
}

/** Paths of the objects inside a JSON value, the root included. */
function objectPathsOf(value: Json): Path[] {
  const all: Path[] = [[], ...pathsOf(value)];
  return all.filter(p => {
    const v = p.reduce<any>((acc, k) => acc?.[k], value);
    return isContainer(v) && !Array.isArray(v);
  });
}

type Mutation =
  | { kind: 'replace'; path: Path; value: Json }
  | { kind: 'delete'; path: Path }
  | { kind: 'add'; path: Path; key: string; value: Json };

function applyMutation(body: Json, m: Mutation): Json {
  const out = clone(body);
  if (m.path.length === 0 && m.kind !== 'add')
    return m.kind === 'replace' ? m.value : out;
  const parentPath = m.kind === 'add' ? m.path : m.path.slice(0, -1);
  const parent = parentPath.reduce<any>(
    (acc, k) => (isContainer(acc) ? (acc as any)[k] : undefined),
    out,
  );
  if (!isContainer(parent)) return out;
  if (m.kind === 'add') {
    if (!Array.isArray(parent)) defineKey(parent, m.key, m.value);
    return out;
  }
  const key = m.path[m.path.length - 1];
  if (Array.isArray(parent) && typeof key === 'number') {
    if (m.kind === 'replace') parent[key] = m.value;
    else parent.splice(key, 1);
  } else if (!Array.isArray(parent) && typeof key === 'string') {
    if (m.kind === 'replace') defineKey(parent, key, m.value);
    else delete parent[key];
  }
  return out;
}

/** Strings meant to break parsers, queries and storage. */
const NASTY_STRINGS = [
  '',
  ' ',
  'NaN',
  'Infinity',
  '-Infinity',
  '-1',
  '1e309',
  '0x1F',
  '1_000',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  "' OR 1=1 --",
  "'; DROP TABLE cutover_migrations; --",
  '" OR ""="',
  '%',
  '%00',
  '%2F..%2F',
  '../../etc/passwd',
  '..',
  '\u0000',
  'a\u0000b',
  '\u202Eevil',
  '\uFEFFbom',
  '\uD800',
  '\uDFFF\uD800',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ 名前 🚀',
  'e\u0301\u0301\u0301',
  '\t\r\n\v\f',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'group:default/orders-team\u0000',
  'user:default/olivia-owner ',
  'GROUP:DEFAULT/ORDERS-TEAM',
  // Times: extremes JavaScript still parses, impossible dates, not times at all.
  '-271821-04-20T00:00:00.000Z',
  '+275760-09-13T00:00:00.000Z',
  '-000001-01-01T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '2026-13-01',
  '1',
  '0',
  'Z',
  '24:00',
  '23:60',
  'Etc/GMT+14',
  'America/Argentina/ComodRivadavia',
  'Europe/Berlin\u0000',
];

/** Values of every type and the awkward corners of each. */
function nastyValue(fc: Fc): Arbitrary<Json> {
  const control = fc.string({
    unit: fc.integer({ min: 0, max: 31 }).map(c => String.fromCharCode(c)),
    minLength: 1,
    maxLength: 20,
  });
  const huge = fc
    .tuple(
      fc.integer({ min: 256, max: 120_000 }),
      fc.constantFrom('x', 'é', '🚀', '\u0000', '%'),
    )
    .map(([n, c]) => c.repeat(n));
  const deep = fc
    .tuple(fc.integer({ min: 20, max: 3_000 }), fc.boolean())
    .map(([depth, arrays]) =>
      arrays
        ? raw(`${'['.repeat(depth)}${']'.repeat(depth)}`)
        : raw(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
    );
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom<Json>(...NASTY_STRINGS) },
    {
      weight: 4,
      arbitrary: fc.constantFrom<Json>(
        null,
        true,
        false,
        0,
        -0,
        -1,
        1.5,
        -0.5,
        101,
        2 ** 31,
        2 ** 53,
        2 ** 53 + 2,
        1e20,
        -1e20,
        Number.MAX_VALUE,
        Number.MIN_VALUE,
        raw('1e309'),
        raw('-1e309'),
        raw('1e-400'),
        raw('123456789012345678901234567890'),
        raw('-0.0'),
        raw('1E2'),
        raw('{"__proto__":{"polluted":true}}'),
        raw('{"constructor":{"prototype":{"polluted":true}}}'),
        raw('{"toString":1,"valueOf":1}'),
        raw('{"toString":{},"valueOf":{}}'),
        raw('[{"__proto__":[]}]'),
        [],
        {},
        [null],
        [[]],
        [{}],
        ['customers', 'customers'],
      ),
    },
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 2, arbitrary: control },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.integer(),
        fc.double(),
        fc
          .bigInt({ min: -(2n ** 70n), max: 2n ** 70n })
          .map(b => raw(b.toString())),
      ),
    },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    {
      weight: 1,
      arbitrary: fc.array(fc.constantFrom<Json>(...NASTY_STRINGS), {
        maxLength: 5,
      }),
    },
    { weight: 1, arbitrary: huge },
    { weight: 1, arbitrary: deep },
  );
}

/**
 * Values for a field whose valid value is `original`: mostly the same type at the edges of its
 * range (integer widths, the schema's and the columns' length limits, near-miss formats), else
 * anything.
 */
function nastyFor(fc: Fc, original: Json): Arbitrary<Json> {
  const any = nastyValue(fc);
  if (typeof original === 'number') {
    const edges = fc.constantFrom<Json>(
      -1,
      0,
      1,
      0.5,
      1e-7,
      99.999,
      100.001,
      101,
      3650,
      3651,
      10080,
      10081,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32,
      2 ** 53 - 1,
      2 ** 53,
      1e15,
      1e21,
      -(2 ** 31) - 1,
      -(2 ** 53),
    );
    return fc.oneof(
      { weight: 6, arbitrary: edges },
      { weight: 1, arbitrary: fc.integer() },
      {
        weight: 1,
        arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }),
      },
      { weight: 2, arbitrary: any },
    );
  }
  if (typeof original === 'string') {
    const pad = (n: number, c: string) =>
      n <= original.length
        ? original.slice(0, n)
        : original + c.repeat(n - original.length);
    const lengths = fc
      .tuple(
        fc.constantFrom(
          31,
          32,
          63,
          64,
          65,
          127,
          128,
          247,
          248,
          255,
          256,
          1000,
          2000,
          4000,
          4001,
          10000,
          10001,
        ),
        fc.constantFrom('a', '9', '_', 'é', ' '),
      )
      .map(([n, c]) => pad(n, c));
    const nearMiss = fc.constantFrom<Json>(
      `${original} `,
      ` ${original}`,
      original.toUpperCase(),
      original.toLowerCase(),
      `${original}\u0000`,
      `${original}/x`,
      `${original}.x`,
      `${original}:x`,
      original.replace(/:/g, ''),
      original.replace(/\//g, ''),
      original.slice(1),
      `${original}${original}`,
      'customers',
      'orders',
      'unknown-dataset',
      'group:default/orders-team',
      'user:default/nobody',
      'EXTRACT',
      'extract',
      'load',
    );
    return fc.oneof(
      { weight: 4, arbitrary: lengths },
      { weight: 3, arbitrary: nearMiss },
      { weight: 3, arbitrary: any },
    );
  }
  if (typeof original === 'boolean') {
    return fc.oneof(
      fc.constantFrom<Json>('true', 'false', 1, 0, null, !original),
      any,
    );
  }
  return any;
}

/** Keys to add to objects: unknown ones, prototype pollution, near misses of real ones. */
function nastyKey(fc: Fc, known: string[]): Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      'extra',
      '',
      ' ',
      'id ',
      '\u0000',
    ),
    ...(known.length
      ? [
          fc.constantFrom(...known).map(k => k.toUpperCase()),
          fc.constantFrom(...known).map(k => `${k}[]`),
        ]
      : []),
    fc.string({ minLength: 1, maxLength: 12 }),
  );
}

/** A body as it goes on the wire. */
export interface BodyCase {
  /** What was done, for failure messages. */
  label: string;
  contentType: string;
  text: string;
  /** Pad the text's first string to this many characters when sending (kept small until then). */
  padTo?: number;
}

/** Texts that are not JSON, or JSON the parser refuses (top-level scalars). */
const NOT_JSON = [
  '',
  ' ',
  '{',
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  '{a:1}',
  '[1,]',
  'NaN',
  'Infinity',
  'undefined',
  'null',
  'true',
  '42',
  '"a string"',
  '\uFEFF{}',
  '{"a":1}{"b":2}',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
  '{"a":"\u0000"}',
  '<xml/>',
  'a=1&b=2',
  '\u0000\u0001\u0002',
];

/**
 * Malformed bodies for a route: its valid body with fields replaced by values of the wrong type
 * or range, removed or added (prototype keys included); whole bodies of the wrong shape; text
 * that isn't JSON; JSON under another content type; a body over the size limit. Routes without a
 * body get random bodies (which they must ignore or refuse).
 */
export function malformedBody(
  fc: Fc,
  route: RouteSpec,
  fx: Fixture,
): Arbitrary<BodyCase> {
  const json = (label: string, value: Json): BodyCase => ({
    label,
    contentType: 'application/json',
    text: toJsonText(value),
  });
  const valid = route.body?.(fx);
  const whole = nastyValue(fc).map(v => json('whole body replaced', v));
  const notJson = fc.constantFrom(...NOT_JSON).map(
    (text): BodyCase => ({
      label: 'not JSON',
      contentType: 'application/json',
      text,
    }),
  );
  const base = valid ?? { any: 'thing' };
  const wrongType = fc
    .constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'application/octet-stream',
      'application/merge-patch+json',
    )
    .map(
      (contentType): BodyCase => ({
        label: `JSON as ${contentType}`,
        contentType,
        text: toJsonText(base),
      }),
    );
  const tooLarge = fc.constant<BodyCase>({
    label: 'over the 20 MB limit',
    contentType: 'application/json',
    text: '{"title":"x"}',
    padTo: 21 * 1024 * 1024,
  });
  if (!valid) {
    return fc.oneof(
      { weight: 4, arbitrary: whole },
      { weight: 2, arbitrary: notJson },
      { weight: 1, arbitrary: wrongType },
    );
  }
  const paths = pathsOf(valid);
  const objectPaths = objectPathsOf(valid);
  const known = paths
    .map(p => String(p[p.length - 1]))
    .filter(k => Number.isNaN(Number(k)));
  const mutation: Arbitrary<Mutation> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom(...paths).chain(path =>
        nastyFor(
          fc,
          path.reduce<any>((acc, k) => acc?.[k], valid),
        ).map(value => ({ kind: 'replace' as const, path, value })),
      ),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('delete' as const),
        path: fc.constantFrom(...paths),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('add' as const),
        path: fc.constantFrom(...objectPaths),
        key: nastyKey(fc, known),
        value: nastyValue(fc),
      }),
    },
  );
  const mutations = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(mutation) },
    { weight: 2, arbitrary: fc.tuple(mutation, mutation) },
    { weight: 1, arbitrary: fc.tuple(mutation, mutation, mutation) },
  );
  const mutated = mutations.map((ms: Mutation[]) =>
    json(
      ms
        .map(
          m =>
            `${m.kind} ${m.path.join('.') || '(root)'}${
              m.kind === 'add' ? `.${JSON.stringify(m.key)}` : ''
            }`,
        )
        .join(', '),
      ms.reduce(applyMutation, valid),
    ),
  );
  return fc.oneof(
    { weight: 40, arbitrary: mutated },
    { weight: 5, arbitrary: whole },
    { weight: 4, arbitrary: notJson },
    { weight: 4, arbitrary: wrongType },
    { weight: 1, arbitrary: tooLarge },
  );
}

/** Integers from the largest (the first one a schema accepts is used), then from the smallest. */
const LARGE_NUMBERS = [2 ** 53 - 1, 2 ** 31, 2 ** 31 - 1, 1e6, 1000, 100];
const SMALL_NUMBERS = [-(2 ** 53 - 1), -(2 ** 31) - 1, -1, 0];
const TEXT_LENGTHS = [
  10001, 10000, 4001, 4000, 2000, 1000, 256, 255, 248, 128, 127, 64, 63, 32,
];

/**
 * Deterministic cases at the edges random runs rarely hit, one field of the valid body at a time:
 * the largest and the smallest number, and the longest text, the route's schema still accepts
 * (accepted values must reach storage without overflowing a column), and text with a NUL
 * character. Only bodies the schema accepts are kept: those are the ones that get past it.
 */
export function boundaryBodies(route: RouteSpec, fx: Fixture): BodyCase[] {
  const valid = route.body?.(fx);
  const schema = route.schema;
  if (!valid || !schema) return [];
  const passes = (body: Json) =>
    schema.safeParse(
      route.spare ? { ...(body as object), id: fx.spareMigrationId } : body,
    ).success;
  const out: BodyCase[] = [];
  const add = (label: string, body: Json) => {
    const unique = route.uniqueKey;
    const final =
      unique &&
      isContainer(body) &&
      !Array.isArray(body) &&
      !label.startsWith(`${unique} `)
        ? { ...body, [unique]: `${String(body[unique])}-b${out.length + 1}` }
        : body;
    out.push({
      label: `boundary: ${label}`,
      contentType: 'application/json',
      text: toJsonText(final),
    });
  };
  for (const path of pathsOf(valid)) {
    const original = path.reduce<any>((acc, k) => acc?.[k], valid);
    const name = path.join('.');
    const first = (values: Json[]) =>
      values
        .map(v => applyMutation(valid, { kind: 'replace', path, value: v }))
        .find(passes);
    if (typeof original === 'number') {
      const large = first(LARGE_NUMBERS);
      if (large) add(`${name} largest accepted`, large);
      const small = first(SMALL_NUMBERS);
      if (small) add(`${name} smallest accepted`, small);
    } else if (typeof original === 'string') {
      const long = first(
        TEXT_LENGTHS.map(n =>
          n <= original.length
            ? original
            : original + 'a'.repeat(n - original.length),
        ),
      );
      if (long) add(`${name} longest accepted`, long);
      const nul = first([`${original}\u0000`]);
      if (nul) add(`${name} with NUL`, nul);
    }
  }
  return out;
}

/** Path parameters naming the fixture's first resource of each kind (the spare migration where the route says). */
export function fixtureParams(
  route: RouteSpec,
  fx: Fixture,
): Record<string, string> {
  return Object.fromEntries(
    paramNames(route.path).map(name => {
      const kind = PARAM_KINDS[name];
      const id =
        kind === 'migration' && route.spare
          ? fx.spareMigrationId
          : fx.ids[kind][0];
      return [name, encodeURIComponent(id)];
    }),
  );
}

/** URL-encodes text, lone surrogates (which have no UTF-8) as U+FFFD. */
const encode = (text: string) =>
  encodeURIComponent(
    text.replace(
      /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
      '\uFFFD',
    ),
  );

/** Path segments that are not what the route expects, URL-encoded. */
const BAD_SEGMENTS = [
  '%2E%2E',
  '%2E',
  '..%2F..%2Fhealth',
  'a%2Fb',
  '%2F',
  '%5C',
  '%00',
  '%',
  '%E0%A4%A',
  '%ED%A0%80',
  '%C0%AF',
  '%FF',
  '%ZZ',
  encode("' OR 1=1 --"),
  encode("orders-v2'; DROP TABLE cutover_migrations; --"),
  encode('ünïcødé'),
  encode('名前🚀'),
  encode('\u202Eevil'),
  encode(' '),
  'a'.repeat(300),
  'ORDERS-V2',
  'orders_v2',
  '-orders-v2',
  'orders-v2-',
  encode('orders-v2 '),
  'null',
  'undefined',
  '0',
  '-1',
  '1e309',
  'NaN',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  '__proto__',
  'constructor',
  'toString',
];

/**
 * Values for a path parameter: the fixture's (mostly, unless `excludeFixture`: a DELETE must not
 * take the fixture away), unknown ids and malformed segments.
 */
export function pathParam(
  fc: Fc,
  kind: ParamKind,
  fx: Fixture,
  excludeFixture: boolean,
): Arbitrary<string> {
  const valid = excludeFixture ? [] : fx.ids[kind].map(encode);
  const random = fc.oneof(
    fc.uuid(),
    fc.string({ minLength: 1, maxLength: 80 }).map(encode),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).map(encode),
    fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,70}$/),
  );
  const bad = fc.constantFrom(...BAD_SEGMENTS);
  if (!valid.length)
    return fc.oneof(
      { weight: 2, arbitrary: random },
      { weight: 3, arbitrary: bad },
    );
  return fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...valid) },
    { weight: 2, arbitrary: random },
    { weight: 3, arbitrary: bad },
  );
}

/** Path parameters of a request, URL-encoded. */
export function pathParams(
  fc: Fc,
  route: RouteSpec,
  fx: Fixture,
): Arbitrary<Record<string, string>> {
  const names = paramNames(route.path);
  const target = route.spare
    ? { ...fx, ids: { ...fx.ids, migration: [fx.spareMigrationId] } }
    : fx;
  const entries = names.map((name, i) => {
    const kind = PARAM_KINDS[name];
    if (!kind)
      throw new Error(`No parameter kind for :${name} of ${routeKey(route)}`);
    return pathParam(
      fc,
      kind,
      target,
      route.method === 'DELETE' && i === names.length - 1,
    );
  });
  return fc
    .tuple(...entries)
    .map(values => Object.fromEntries(names.map((n, i) => [n, values[i]])));
}

/** Query strings: unknown keys, repeated keys (arrays), bracket objects, values out of range. */
export function queryString(fc: Fc, route: RouteSpec): Arbitrary<string> {
  const known = route.query ?? [];
  const key = fc.oneof(
    {
      weight: known.length ? 6 : 0,
      arbitrary: known.length ? fc.constantFrom(...known) : fc.constant('x'),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'unknown',
        '__proto__',
        'constructor',
        'prototype',
        'a[b]',
        '__proto__[x]',
        'constructor[prototype][x]',
      ),
    },
    {
      weight: known.length ? 2 : 0,
      arbitrary: known.length
        ? fc.constantFrom(...known).map(k => `${k}[]`)
        : fc.constant('x'),
    },
    {
      weight: known.length ? 1 : 0,
      arbitrary: known.length
        ? fc.constantFrom(...known).map(k => `${k}[a][b][c][d][e][f][g]`)
        : fc.constant('x'),
    },
    {
      weight: 1,
      arbitrary: fc.string({ minLength: 1, maxLength: 10 }).map(encode),
    },
  );
  const value = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS).map(encode) },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        '1',
        '0',
        '-1',
        '1.5',
        '500',
        '501',
        '1000',
        '1001',
        '1e309',
        '99999999999999999999',
        '7d',
        '99999w',
        '1s',
        '400d',
        '401d',
        '1h',
        'customers',
        'orders',
        'OPEN',
        'RESOLVED',
        'CRITICAL',
        'PLANNED',
        'b3JkZXJzLXYy',
        'MQ',
        'bm9wZQ',
        '%',
        '%E0%A4%A',
        '%ED%A0%80',
      ),
    },
    { weight: 2, arbitrary: fc.string({ maxLength: 30 }).map(encode) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 256, max: 4000 }).map(n => 'q'.repeat(n)),
    },
  );
  const pairs = fc
    .array(fc.tuple(key, value), { maxLength: 5 })
    .map(ps =>
      ps.length ? `?${ps.map(([k, v]) => `${k}=${v}`).join('&')}` : '',
    );
  const repeated = known.length
    ? fc
        .tuple(fc.constantFrom(...known), value, value)
        .map(([k, a, b]) => `?${k}=${a}&${k}=${b}`)
    : fc.constant('?a=1&a=2');
  const weird = fc.constantFrom(
    '?',
    '?&&&',
    '?=',
    '?==',
    '?a',
    '?a=1&=2',
    '?%',
    '?%E0%A4%A=1',
    `?${'&'.repeat(2000)}`,
    `?${'a=1&'.repeat(1500)}`,
  );
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant('') },
    { weight: 6, arbitrary: pairs },
    { weight: 2, arbitrary: repeated },
    { weight: 1, arbitrary: weird },
  );
}
