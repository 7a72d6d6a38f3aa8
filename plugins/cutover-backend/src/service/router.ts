import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  cutoverMetricsIngestPermission,
  cutoverMigrationCreatePermission,
  cutoverMigrationDeletePermission,
  cutoverMigrationReadPermission,
  cutoverMigrationUpdatePermission,
  listMigrationsQuerySchema,
  metricsBatchSchema,
  Migration,
  migrationIdSchema,
  migrationPatchSchema,
  migrationRestoreSchema,
  alertAssignSchema,
  alertCreateSchema,
  alertNoteSchema,
  alertQuerySchema,
  alertReopenSchema,
  alertResolveSchema,
  approvalDecisionSchema,
  cutoverAlertManagePermission,
  approvalRequestSchema,
  approvalRevokeSchema,
  checklistItemCreateSchema,
  checklistItemUpdateSchema,
  cutoverApprovalDecidePermission,
  cutoverApprovalOverridePermission,
  cutoverChecklistUpdatePermission,
  cutoverReportReadPermission,
  cutoverReportSchedulePermission,
  cutoverRollbackExecutePermission,
  cutoverSnapshotCreatePermission,
  cutoverSnapshotDeletePermission,
  rollbackCreateSchema,
  cutoverFreezeManagePermission,
  cutoverReadSourceSwitchPermission,
  cutoverReconcileRunPermission,
  cutoverStateChangeSchema,
  freezeWindowCancelSchema,
  freezeWindowCreateSchema,
  readSourceSwitchSchema,
  reconciliationCreateSchema,
  snapshotCreateSchema,
  switchHistoryQuerySchema,
  reportScheduleCreateSchema,
  reportSchedulePatchSchema,
  ReportType,
  migrationPlanSchema,
  planDraftRequestSchema,
  milestoneUpdateSchema,
  pageQuerySchema,
  phaseUpdateSchema,
  phaseControlSchema,
  subTaskCreateSchema,
  subTaskUpdateSchema,
  controlQuerySchema,
  timelineIdSchema,
  trendsQuerySchema,
} from '@switchyard/plugin-cutover-common';
import { Permission } from '@backstage/plugin-permission-common';
import express, { ErrorRequestHandler, Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { CutoverStore } from '../database/CutoverStore';
import { Caller, CutoverAccess } from './access';
import { MigrationService } from './MigrationService';
import { TimelineService } from './TimelineService';
import { ReadinessService } from './ReadinessService';
import { AlertService } from './AlertService';
import {
  decodeCursor,
  encodeCursor,
  pageOf,
  parse,
  pathParam,
} from './validation';
import { REPORT_FILES, ReportService } from './ReportService';
import { SnapshotService } from './SnapshotService';
import { ExecutionService } from './ExecutionService';
import { ReconciliationService } from './ReconciliationService';
import { AuditLog } from './AuditLog';
import { PayloadTooLargeError } from './errors';
import { refusalAudit } from './refusals';
import type { PlanDrafter } from '../drafts/PlanDrafter';

/** What the router needs. */
export interface RouterOptions {
  access: CutoverAccess;
  migrations: MigrationService;
  timeline: TimelineService;
  readiness: ReadinessService;
  alerts: AlertService;
  reports: ReportService;
  snapshots: SnapshotService;
  execution: ExecutionService;
  reconciliation: ReconciliationService;
  store: CutoverStore;
  logger: LoggerService;
  audit: AuditLog;
  /** Drafts plans from two configured connections (`POST /plans/draft`). */
  drafts?: PlanDrafter;
  /** Body size limits in bytes: metrics batches, plans, PATCH bodies, everything else. */
  bodyLimits?: Partial<BodyLimits>;
}

/** How large a body each kind of route accepts. */
export interface BodyLimits {
  metrics: number;
  plan: number;
  patch: number;
  other: number;
}

const DEFAULT_BODY_LIMITS: BodyLimits = {
  metrics: 20 * 1024 * 1024,
  plan: 5 * 1024 * 1024,
  patch: 64 * 1024,
  other: 1024 * 1024,
};

/** Reads `cutover.http.bodyLimits` (bytes, or strings such as `20mb`). */
export function readBodyLimits(root: Config): Partial<BodyLimits> {
  const c = root.getOptionalConfig('cutover.http.bodyLimits');
  const out: Partial<BodyLimits> = {};
  for (const kind of Object.keys(DEFAULT_BODY_LIMITS) as Array<
    keyof BodyLimits
  >) {
    const v = c?.getOptional(kind);
    if (v === undefined) continue;
    const bytes = typeof v === 'number' ? v : parseBytes(String(v));
    if (bytes === undefined || bytes <= 0) {
      throw new Error(
        `cutover.http.bodyLimits.${kind} must be a size such as 256kb or 20mb, got ${JSON.stringify(
          v,
        )}`,
      );
    }
    out[kind] = bytes;
  }
  return out;
}

function parseBytes(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[
    (m[2] ?? 'b').toLowerCase() as 'b'
  ];
  return Math.round(Number(m[1]) * unit);
}

function bodyLimitFor(
  req: Request,
  limits: BodyLimits,
): { kind: keyof BodyLimits; bytes: number } {
  if (
    req.method === 'POST' &&
    /^\/migrations\/[^/]+\/metrics\/?$/.test(req.path)
  )
    return { kind: 'metrics', bytes: limits.metrics };
  if (
    (req.method === 'POST' && /^\/migrations\/?$/.test(req.path)) ||
    (req.method === 'PUT' && /^\/migrations\/[^/]+\/?$/.test(req.path))
  ) {
    return { kind: 'plan', bytes: limits.plan };
  }
  if (req.method === 'PATCH') return { kind: 'patch', bytes: limits.patch };
  return { kind: 'other', bytes: limits.other };
}

function formatBytes(n: number) {
  return n >= 1024 * 1024
    ? `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MB`
    : `${Math.round(n / 1024)} KB`;
}

/** The HTTP layer: parses, authorizes, delegates. Errors thrown become 4xx by the framework. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { access, migrations, store } = options;
  const limits = { ...DEFAULT_BODY_LIMITS, ...options.bodyLimits };
  const router = Router();
  // Each route reads bodies up to its own limit: a metrics batch may be large, a PATCH may not.
  const parsers = new Map(
    (Object.keys(limits) as Array<keyof BodyLimits>).map(kind => [
      kind,
      express.json({ limit: limits[kind] }),
    ]),
  );
  router.use((req, res, next) => {
    const { kind } = bodyLimitFor(req, limits);
    parsers.get(kind)!(req, res, next);
  });
  // A body that is not JSON would otherwise be skipped by the parser and read as `{}`: refuse it.
  router.use((req, res, next) => {
    const length = req.headers['content-length'];
    const hasBody =
      req.headers['transfer-encoding'] !== undefined ||
      (length !== undefined && length !== '0');
    if (
      hasBody &&
      ['POST', 'PUT', 'PATCH'].includes(req.method) &&
      !req.is('application/json')
    ) {
      const type = req.headers['content-type'] ?? 'none';
      res.status(415).json({
        error: {
          name: 'UnsupportedMediaTypeError',
          message: `Invalid request: body must be JSON sent as Content-Type: application/json (got ${JSON.stringify(
            type,
          ).slice(0, 100)})`,
        },
        request: { method: req.method, url: req.originalUrl },
        response: { statusCode: 415 },
      });
      return;
    }
    next();
  });

  const migrationId = (req: Request) => pathParam(req, 'id', migrationIdSchema);

  /** Identifies the caller, loads the migration of the path (404) and checks a permission on it (403). */
  const guard = async (req: Request, permission: Permission) => {
    const caller = await access.caller(req);
    const id = migrationId(req);
    const migration = await migrations.getHeader(id);
    await access.authorize(caller, permission, migration);
    return { caller, id, migration };
  };

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/migrations', async (req, res) => {
    const caller = await access.caller(req);
    const query = parse(listMigrationsQuerySchema, req.query, 'query');
    const decision = await access.decide(
      caller,
      cutoverMigrationReadPermission,
    );
    let items: Migration[] = [];
    if (decision.result !== AuthorizeResult.DENY) {
      items = (await migrations.list(query)).filter(m =>
        access.allows(decision, m),
      );
    }
    const after = decodeCursor(query.cursor);
    const start = after === undefined ? 0 : items.findIndex(m => m.id > after);
    const limit = query.limit ?? 100;
    const page = start < 0 ? [] : items.slice(start, start + limit);
    const hasMore = start >= 0 && start + limit < items.length;
    res.json({
      items: page,
      totalCount: items.length,
      nextCursor: hasMore ? encodeCursor(page[page.length - 1].id) : null,
    });
  });

  router.post('/migrations', async (req, res) => {
    const caller = await access.caller(req);
    const plan = parse(migrationPlanSchema, req.body, 'request');
    await access.authorize(caller, cutoverMigrationCreatePermission);
    const { migration } = await migrations.applyPlan(plan, caller, req, {
      mustCreate: true,
    });
    res.status(201).json(migration);
  });

  // A plan drafted from the databases behind two connections, for a person to review and apply.
  router.post('/plans/draft', async (req, res) => {
    const caller = await access.caller(req);
    const request = parse(planDraftRequestSchema, req.body, 'request');
    await access.authorize(caller, cutoverMigrationCreatePermission);
    if (!options.drafts) throw new NotFoundError('Plan drafts are not available in this backend');
    res.status(200).json(await options.drafts.draft(request, caller, req));
  });

  router.put('/migrations/:id', async (req, res) => {
    const caller = await access.caller(req);
    const id = migrationId(req);
    const body = req.body && typeof req.body === 'object' ? req.body : {};
    if (body.id !== undefined && body.id !== id) {
      throw new InputError(
        `Invalid request: id: "${body.id}" does not match the path's "${id}"`,
      );
    }
    const plan = parse(migrationPlanSchema, { ...body, id }, 'request');
    const existing = await migrations.find(id);
    if (existing) {
      await access.authorize(
        caller,
        cutoverMigrationUpdatePermission,
        existing,
      );
    } else {
      await access.authorize(caller, cutoverMigrationCreatePermission);
    }
    const { created, migration } = await migrations.applyPlan(
      plan,
      caller,
      req,
      {
        mustCreate: false,
      },
    );
    res.status(created ? 201 : 200).json(migration);
  });

  router.get('/migrations/:id', async (req, res) => {
    const { id } = await guard(req, cutoverMigrationReadPermission);
    res.json(await migrations.get(id));
  });

  router.patch('/migrations/:id', async (req, res) => {
    const { caller, id } = await guard(req, cutoverMigrationUpdatePermission);
    const patch = parse(migrationPatchSchema, req.body, 'request');
    res.json(await migrations.patch(id, patch, caller, req));
  });

  router.delete('/migrations/:id', async (req, res) => {
    const { caller, id } = await guard(req, cutoverMigrationDeletePermission);
    await migrations.archive(id, caller, req);
    res.status(204).end();
  });

  router.post('/migrations/:id/restore', async (req, res) => {
    const caller = await access.caller(req);
    const id = migrationId(req);
    // Checked against the archived migration as it was: its old owner decides who may restore it.
    const archived = await migrations.getArchived(id);
    await access.authorize(caller, cutoverMigrationDeletePermission, archived);
    const body = parse(migrationRestoreSchema, req.body, 'request');
    res.json(await migrations.restore(id, body.reason, caller, req));
  });

  router.get('/migrations/:id/control', async (req, res) => {
    const caller = await access.caller(req);
    const migration = await migrations.getHeader(migrationId(req));
    await access.authorizeAny(
      caller,
      [cutoverMetricsIngestPermission, cutoverMigrationReadPermission],
      migration,
    );
    const query = parse(controlQuerySchema, req.query, 'query');
    if (query.dataset !== undefined) {
      const full = await migrations.get(migration.id);
      if (!full.datasets.some(d => d.name === query.dataset)) {
        throw new NotFoundError(
          `No dataset "${query.dataset}" in migration "${migration.id}"`,
        );
      }
    }
    res.json(await options.timeline.control(migration, query.dataset));
  });

  router.post('/migrations/:id/metrics', async (req, res) => {
    const { caller, id } = await guard(req, cutoverMetricsIngestPermission);
    const batch = parse(metricsBatchSchema, req.body, 'request');
    res.json(await migrations.ingest(id, batch, caller, req));
  });

  router.get('/migrations/:id/dashboard', async (req, res) => {
    const { migration } = await guard(req, cutoverMigrationReadPermission);
    res.json(await migrations.dashboard(migration));
  });

  router.get('/migrations/:id/trends', async (req, res) => {
    const { id } = await guard(req, cutoverMigrationReadPermission);
    const query = parse(trendsQuerySchema, req.query, 'query');
    res.json(await migrations.trends(id, query));
  });

  router.get('/migrations/:id/timeline', async (req, res) => {
    const { migration } = await guard(req, cutoverMigrationReadPermission);
    res.json(await options.timeline.timeline(migration));
  });

  router.put('/migrations/:id/phases/:phaseId', async (req, res) => {
    const caller = await access.caller(req);
    const migration = await migrations.getHeader(migrationId(req));
    const phaseId = pathParam(req, 'phaseId', timelineIdSchema);
    const update = parse(phaseUpdateSchema, req.body, 'request');
    // Jobs report progress with the ingest permission; changing the plan of a phase needs update.
    const progressOnly = Object.keys(update).every(k =>
      [
        'progressPercent',
        'status',
        'actualStart',
        'actualEnd',
        'subTasks',
        'errors',
        'warnings',
      ].includes(k),
    );
    await access.authorizeAny(
      caller,
      progressOnly
        ? [cutoverMigrationUpdatePermission, cutoverMetricsIngestPermission]
        : [cutoverMigrationUpdatePermission],
      migration,
    );
    res.json(
      await options.timeline.putPhase(
        migration.id,
        phaseId,
        update,
        caller,
        req,
      ),
    );
  });

  /** Jobs report sub-task progress with the ingest permission, like phase progress. */
  const guardProgress = async (req: Request) => {
    const caller = await access.caller(req);
    const migration = await migrations.getHeader(migrationId(req));
    await access.authorizeAny(
      caller,
      [cutoverMigrationUpdatePermission, cutoverMetricsIngestPermission],
      migration,
    );
    return {
      caller,
      migration,
      phaseId: pathParam(req, 'phaseId', timelineIdSchema),
    };
  };

  router.post('/migrations/:id/phases/:phaseId/subtasks', async (req, res) => {
    const { caller, migration, phaseId } = await guardProgress(req);
    const body = parse(subTaskCreateSchema, req.body, 'request');
    res
      .status(201)
      .json(
        await options.timeline.createSubTask(
          migration.id,
          phaseId,
          body,
          caller,
          req,
        ),
      );
  });

  router.patch(
    '/migrations/:id/phases/:phaseId/subtasks/:subTaskId',
    async (req, res) => {
      const { caller, migration, phaseId } = await guardProgress(req);
      const subTaskId = pathParam(req, 'subTaskId', timelineIdSchema);
      const body = parse(subTaskUpdateSchema, req.body, 'request');
      res.json(
        await options.timeline.updateSubTask(
          migration.id,
          phaseId,
          subTaskId,
          body,
          caller,
          req,
        ),
      );
    },
  );

  router.post(
    '/migrations/:id/phases/:phaseId/subtasks/:subTaskId/complete',
    async (req, res) => {
      const { caller, migration, phaseId } = await guardProgress(req);
      const subTaskId = pathParam(req, 'subTaskId', timelineIdSchema);
      parse(phaseControlSchema, req.body ?? {}, 'request');
      res.json(
        await options.timeline.updateSubTask(
          migration.id,
          phaseId,
          subTaskId,
          { status: 'COMPLETED' },
          caller,
          req,
          'phase.subtask.complete',
        ),
      );
    },
  );

  for (const [path, pause] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    router.post(
      `/migrations/:id/phases/:phaseId/${path}`,
      async (req, res) => {
        const { caller, id } = await guard(
          req,
          cutoverMigrationUpdatePermission,
        );
        const phaseId = pathParam(req, 'phaseId', timelineIdSchema);
        const body = parse(phaseControlSchema, req.body ?? {}, 'request');
        res.json(
          await options.timeline.setPhasePaused(
            id,
            phaseId,
            pause,
            body.reason,
            caller,
            req,
          ),
        );
      },
    );
  }

  router.put('/migrations/:id/milestones/:milestoneId', async (req, res) => {
    const { caller, id } = await guard(req, cutoverMigrationUpdatePermission);
    const milestoneId = pathParam(req, 'milestoneId', timelineIdSchema);
    const update = parse(milestoneUpdateSchema, req.body, 'request');
    res.json(
      await options.timeline.putMilestone(id, milestoneId, update, caller, req),
    );
  });

  router.get('/migrations/:id/checklist', async (req, res) => {
    const { id } = await guard(req, cutoverMigrationReadPermission);
    res.json(await options.readiness.checklist(await migrations.get(id)));
  });

  router.post('/migrations/:id/checklist', async (req, res) => {
    const { caller, migration } = await guard(
      req,
      cutoverMigrationUpdatePermission,
    );
    const body = parse(checklistItemCreateSchema, req.body, 'request');
    res
      .status(201)
      .json(await options.readiness.addItem(migration, body, caller, req));
  });

  router.patch('/migrations/:id/checklist/:itemId', async (req, res) => {
    const { caller, id } = await guard(req, cutoverChecklistUpdatePermission);
    const itemId = pathParam(req, 'itemId', timelineIdSchema);
    const body = parse(checklistItemUpdateSchema, req.body, 'request');
    res.json(
      await options.readiness.updateItem(
        await migrations.get(id),
        itemId,
        body,
        caller,
        req,
      ),
    );
  });

  router.get('/migrations/:id/readiness', async (req, res) => {
    const { id } = await guard(req, cutoverMigrationReadPermission);
    res.json(await options.readiness.readiness(await migrations.get(id)));
  });

  router.post('/migrations/:id/approval-requests', async (req, res) => {
    const { caller, migration } = await guard(
      req,
      cutoverMigrationUpdatePermission,
    );
    const body = parse(approvalRequestSchema, req.body, 'request');
    res
      .status(201)
      .json(
        await options.readiness.requestApproval(
          migration,
          body.comments,
          caller,
          req,
        ),
      );
  });

  router.get('/migrations/:id/approvals', async (req, res) => {
    const { id } = await guard(req, cutoverMigrationReadPermission);
    const query = parse(pageQuerySchema, req.query, 'query');
    const history = await options.readiness.history(await migrations.get(id));
    res.json({ ...history, ...pageOf(history.items, query) });
  });

  router.post('/migrations/:id/approvals', async (req, res) => {
    const { caller, id } = await guard(req, cutoverApprovalDecidePermission);
    const body = parse(approvalDecisionSchema, req.body, 'request');
    res
      .status(201)
      .json(
        await options.readiness.decide(
          await migrations.get(id),
          body,
          caller,
          req,
        ),
      );
  });

  router.post(
    '/migrations/:id/approvals/:approvalId/revoke',
    async (req, res) => {
      const { caller, id } = await guard(req, cutoverApprovalDecidePermission);
      const approvalId = pathParam(
        req,
        'approvalId',
        z.string().uuid('must be an approval id'),
      );
      const body = parse(approvalRevokeSchema, req.body, 'request');
      res.json(
        await options.readiness.revoke(
          await migrations.get(id),
          approvalId,
          body.reason,
          caller,
          req,
        ),
      );
    },
  );

  router.get('/migrations/:id/alerts', async (req, res) => {
    const { migration } = await guard(req, cutoverMigrationReadPermission);
    const query = parse(alertQuerySchema, req.query, 'query');
    const { items, stats } = await options.alerts.list(migration, query);
    res.json({ ...pageOf(items, query), stats });
  });

  router.post('/migrations/:id/alerts', async (req, res) => {
    const caller = await access.caller(req);
    const migration = await migrations.getHeader(migrationId(req));
    await access.authorizeAny(
      caller,
      [cutoverMetricsIngestPermission, cutoverAlertManagePermission],
      migration,
    );
    const body = parse(alertCreateSchema, req.body, 'request');
    res
      .status(201)
      .json(await options.alerts.raise(migration, body, caller, req));
  });

  const alertAction = (
    path: string,
    handle: (
      migration: Migration,
      alertId: string,
      body: unknown,
      caller: Caller,
      req: Request,
    ) => Promise<unknown>,
  ) =>
    router.post(`/migrations/:id/alerts/:alertId/${path}`, async (req, res) => {
      const { caller, migration } = await guard(
        req,
        cutoverAlertManagePermission,
      );
      const alertId = pathParam(
        req,
        'alertId',
        z.string().uuid('must be an alert id'),
      );
      res.json(await handle(migration, alertId, req.body, caller, req));
    });
  alertAction('resolve', (m, a, body, c, r) =>
    options.alerts.resolve(
      m,
      a,
      parse(alertResolveSchema, body, 'request'),
      c,
      r,
    ),
  );
  alertAction('reopen', (m, a, body, c, r) =>
    options.alerts.reopen(
      m,
      a,
      parse(alertReopenSchema, body, 'request').reason,
      c,
      r,
    ),
  );
  alertAction('assign', (m, a, body, c, r) =>
    options.alerts.assign(
      m,
      a,
      parse(alertAssignSchema, body, 'request').assignedTo,
      c,
      r,
    ),
  );
  alertAction('notes', (m, a, body, c, r) =>
    options.alerts.addNote(
      m,
      a,
      parse(alertNoteSchema, body, 'request').text,
      c,
      r,
    ),
  );

  const download = (type: ReportType) =>
    router.get(
      `/migrations/:id/reports/${REPORT_FILES[type].file}`,
      async (req, res) => {
        const { id, migration } = await guard(req, cutoverReportReadPermission);
        res.setHeader('content-type', REPORT_FILES[type].contentType);
        res.setHeader(
          'content-disposition',
          `attachment; filename="${id}-${REPORT_FILES[type].file}"`,
        );
        await options.reports.write(type, migration, res);
        if (!res.writableEnded) res.end();
      },
    );
  download('EXECUTIVE');
  download('DETAILED');
  download('AUDIT_TRAIL');

  router.get('/migrations/:id/reports/stored', async (req, res) => {
    const { migration } = await guard(req, cutoverReportReadPermission);
    const query = parse(pageQuerySchema, req.query, 'query');
    res.json(
      pageOf((await options.reports.listStoredReports(migration)).items, query),
    );
  });

  router.get('/migrations/:id/reports/stored/:reportId', async (req, res) => {
    const { migration } = await guard(req, cutoverReportReadPermission);
    const reportId = pathParam(
      req,
      'reportId',
      z.string().uuid('must be a report id'),
    );
    const report = await options.reports.getStoredReport(migration, reportId);
    res.setHeader('content-type', report.contentType);
    res.setHeader(
      'content-disposition',
      `attachment; filename="${report.fileName}"`,
    );
    res.send(report.content);
  });

  router.get('/migrations/:id/report-schedules', async (req, res) => {
    const { migration } = await guard(req, cutoverReportSchedulePermission);
    const query = parse(pageQuerySchema, req.query, 'query');
    res.json(
      pageOf((await options.reports.listSchedules(migration)).items, query),
    );
  });

  router.post('/migrations/:id/report-schedules', async (req, res) => {
    const { caller, migration } = await guard(
      req,
      cutoverReportSchedulePermission,
    );
    const body = parse(reportScheduleCreateSchema, req.body, 'request');
    res
      .status(201)
      .json(await options.reports.createSchedule(migration, body, caller, req));
  });

  const scheduleId = (req: Request) =>
    pathParam(
      req,
      'scheduleId',
      z.string().uuid('must be a report schedule id'),
    );

  router.get(
    '/migrations/:id/report-schedules/:scheduleId',
    async (req, res) => {
      const { migration } = await guard(req, cutoverReportSchedulePermission);
      res.json(await options.reports.getSchedule(migration, scheduleId(req)));
    },
  );

  router.patch(
    '/migrations/:id/report-schedules/:scheduleId',
    async (req, res) => {
      const { caller, migration } = await guard(
        req,
        cutoverReportSchedulePermission,
      );
      const id = scheduleId(req);
      const patch = parse(reportSchedulePatchSchema, req.body, 'request');
      res.json(
        await options.reports.updateSchedule(migration, id, patch, caller, req),
      );
    },
  );

  router.delete(
    '/migrations/:id/report-schedules/:scheduleId',
    async (req, res) => {
      const { caller, migration } = await guard(
        req,
        cutoverReportSchedulePermission,
      );
      await options.reports.deleteSchedule(
        migration,
        scheduleId(req),
        caller,
        req,
      );
      res.status(204).end();
    },
  );

  const snapshotId = (req: Request) =>
    pathParam(req, 'snapshotId', z.string().uuid('must be a snapshot id'));
  const full = (id: string) => migrations.get(id);

  router.get('/migrations/:id/snapshots', async (req, res) => {
    const { migration } = await guard(req, cutoverMigrationReadPermission);
    const query = parse(pageQuerySchema, req.query, 'query');
    res.json(pageOf((await options.snapshots.list(migration)).items, query));
  });

  router.post('/migrations/:id/snapshots', async (req, res) => {
    const { caller, id } = await guard(req, cutoverSnapshotCreatePermission);
    const body = parse(snapshotCreateSchema, req.body, 'request');
    res
      .status(202)
      .json(await options.snapshots.create(await full(id), body, caller, req));
  });

  router.get('/migrations/:id/snapshots/:snapshotId', async (req, res) => {
    const { migration } = await guard(req, cutoverMigrationReadPermission);
    res.json(await options.snapshots.get(migration, snapshotId(req)));
  });

  router.delete('/migrations/:id/snapshots/:snapshotId', async (req, res) => {
    const { caller, id } = await guard(req, cutoverSnapshotDeletePermission);
    await options.snapshots.remove(
      await full(id),
      snapshotId(req),
      caller,
      req,
    );
    res.status(204).end();
  });

  router.post(
    '/migrations/:id/snapshots/:snapshotId/verify',
    async (req, res) => {
      // A full checksum scan of production tables: as dear as taking a snapshot.
      const { caller, id } = await guard(req, cutoverSnapshotCreatePermission);
      res.json(
        await options.snapshots.verify(
          await full(id),
          snapshotId(req),
          caller,
          req,
        ),
      );
    },
  );

  router.get('/migrations/:id/rollbacks', async (req, res) => {
    const { migration } = await guard(req, cutoverMigrationReadPermission);
    const query = parse(pageQuerySchema, req.query, 'query');
    res.json(
      pageOf((await options.snapshots.listRollbacks(migration)).items, query),
    );
  });

  router.post('/migrations/:id/rollbacks', async (req, res) => {
    const { caller, id } = await guard(req, cutoverRollbackExecutePermission);
    const body = parse(rollbackCreateSchema, req.body, 'request');
    res
      .status(202)
      .json(
        await options.snapshots.rollback(await full(id), body, caller, req),
      );
  });

  router.get('/migrations/:id/rollbacks/:rollbackId', async (req, res) => {
    const { migration } = await guard(req, cutoverMigrationReadPermission);
    const rollbackId = pathParam(
      req,
      'rollbackId',
      z.string().uuid('must be a rollback id'),
    );
    res.json(await options.snapshots.getRollback(migration, rollbackId));
  });

  // ----- cutover execution -----

  const datasetName = (req: Request) =>
    pathParam(
      req,
      'dataset',
      z
        .string()
        .min(1)
        .max(127)
        .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'must be a dataset name'),
    );

  router.get('/migrations/:id/read-sources', async (req, res) => {
    const { id } = await guard(req, cutoverMigrationReadPermission);
    res.json(await options.execution.readSources(await full(id)));
  });

  router.put(
    '/migrations/:id/datasets/:dataset/read-source',
    async (req, res) => {
      const { caller, id, migration } = await guard(
        req,
        cutoverReadSourceSwitchPermission,
      );
      const name = datasetName(req);
      const body = parse(readSourceSwitchSchema, req.body, 'request');
      if (body.overrideReason)
        await access.authorize(
          caller,
          cutoverApprovalOverridePermission,
          migration,
        );
      res.json(
        await options.execution.switchReadSource(
          await full(id),
          name,
          body,
          caller,
          req,
        ),
      );
    },
  );

  router.put(
    '/migrations/:id/datasets/:dataset/cutover-state',
    async (req, res) => {
      const { caller, id, migration } = await guard(
        req,
        cutoverReadSourceSwitchPermission,
      );
      const name = datasetName(req);
      const body = parse(cutoverStateChangeSchema, req.body, 'request');
      if (body.overrideReason)
        await access.authorize(
          caller,
          cutoverApprovalOverridePermission,
          migration,
        );
      res.json(
        await options.execution.setCutoverState(
          await full(id),
          name,
          body,
          caller,
          req,
        ),
      );
    },
  );

  router.get('/migrations/:id/switch-history', async (req, res) => {
    const { migration } = await guard(req, cutoverMigrationReadPermission);
    const query = parse(switchHistoryQuerySchema, req.query, 'query');
    res.json(
      pageOf(
        (await options.execution.history(migration, query.dataset)).items,
        query,
      ),
    );
  });

  router.get('/migrations/:id/freeze-windows', async (req, res) => {
    const { migration } = await guard(req, cutoverMigrationReadPermission);
    const query = parse(pageQuerySchema, req.query, 'query');
    res.json(
      pageOf((await options.execution.listWindows(migration)).items, query),
    );
  });

  router.post('/migrations/:id/freeze-windows', async (req, res) => {
    const { caller, id } = await guard(req, cutoverFreezeManagePermission);
    const body = parse(freezeWindowCreateSchema, req.body, 'request');
    res
      .status(201)
      .json(
        await options.execution.createWindow(await full(id), body, caller, req),
      );
  });

  for (const action of ['activate', 'complete', 'cancel'] as const) {
    router.post(
      `/migrations/:id/freeze-windows/:windowId/${action}`,
      async (req, res) => {
        const { caller, migration } = await guard(
          req,
          cutoverFreezeManagePermission,
        );
        const windowId = pathParam(
          req,
          'windowId',
          z.string().uuid('must be a freeze window id'),
        );
        const { reason } = parse(freezeWindowCancelSchema, req.body, 'request');
        res.json(
          await options.execution.transitionWindow(
            migration,
            windowId,
            action,
            reason,
            caller,
            req,
          ),
        );
      },
    );
  }

  router.get('/migrations/:id/reconciliations', async (req, res) => {
    const { migration } = await guard(req, cutoverMigrationReadPermission);
    const query = parse(pageQuerySchema, req.query, 'query');
    res.json(
      pageOf((await options.reconciliation.list(migration)).items, query),
    );
  });

  router.post('/migrations/:id/reconciliations', async (req, res) => {
    const { caller, id } = await guard(req, cutoverReconcileRunPermission);
    const body = parse(reconciliationCreateSchema, req.body, 'request');
    res
      .status(202)
      .json(
        await options.reconciliation.start(
          await full(id),
          body.datasets,
          caller,
          req,
        ),
      );
  });

  router.get('/migrations/:id/reconciliations/:runId', async (req, res) => {
    const { migration } = await guard(req, cutoverMigrationReadPermission);
    const runId = pathParam(
      req,
      'runId',
      z.string().uuid('must be a reconciliation run id'),
    );
    res.json(await options.reconciliation.get(migration, runId));
  });

  router.get('/migrations/:id/audit', async (req, res) => {
    const { id } = await guard(req, cutoverMigrationReadPermission);
    const query = parse(pageQuerySchema, req.query, 'query');
    const after = decodeCursor(query.cursor);
    const afterId = after === undefined ? undefined : Number(after);
    if (afterId !== undefined && !Number.isSafeInteger(afterId)) {
      throw new InputError(
        'Invalid query: cursor: not a cursor this API returned',
      );
    }
    const limit = query.limit ?? 100;
    const { items, totalCount } = await store.listAudit(id, { limit, afterId });
    res.json({
      items,
      totalCount,
      nextCursor:
        items.length === limit
          ? encodeCursor(items[items.length - 1].id)
          : null,
    });
  });

  // Malformed or oversized bodies are the client's problem: 4xx naming it, never 500.
  const bodyErrors: ErrorRequestHandler = (error, req, _res, next) => {
    if (error?.type === 'entity.parse.failed') {
      next(
        new InputError(
          `Invalid request: body is not valid JSON (${error.message})`,
        ),
      );
    } else if (error?.type === 'entity.too.large') {
      const { kind, bytes } = bodyLimitFor(req, limits);
      next(
        new PayloadTooLargeError(
          `Invalid request: body is larger than the ${formatBytes(
            bytes,
          )} this route accepts (cutover.http.bodyLimits.${kind})`,
        ),
      );
    } else if (
      error?.type &&
      typeof error.status === 'number' &&
      error.status < 500
    ) {
      next(new InputError(`Invalid request: ${error.message}`));
    } else {
      next(error);
    }
  };
  router.use(bodyErrors);
  router.use(refusalAudit(options));
  return router;
}
